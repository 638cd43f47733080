/**
 * Server-Sent Events as the specification reads them, tolerant of the way the MiniToolAI docs show
 * them (one `data:` line per event, no blank lines in between): text in, events out. Lines end in
 * LF, CR or CRLF (a CRLF may be split across pushes); comments are dropped; `event:` names the
 * next event; the `data:` lines of one event are joined with LF at the blank line. Memory is
 * bounded: a line longer than `maxLineChars` stops the reader.
 */

export interface SseEvent {
	/** The `event:` name; empty means the default, "message". */
	event: string;
	/** The event's data lines, in order (the spec's data is these joined with LF). */
	lines: string[];
}

export interface SseReaderOptions {
	maxLineChars: number;
	/** A data line that is a whole event by itself (complete JSON): it needs no blank line. */
	isWholeEvent: (data: string) => boolean;
	/** A data line that always stands alone, ending any event being gathered (`[DONE]`). */
	isTerminator: (data: string) => boolean;
}

const LF = 10;
const CR = 13;

export class SseReader {
	private pendingLine = '';
	/** A CR ended the last push: an LF starting the next one belongs to it. */
	private swallowLf = false;
	private dataLines: string[] = [];
	private eventName = '';
	/** A line over the limit stopped the reader. */
	overLimit = false;
	/** Lines that are not SSE at all. */
	skipped = 0;

	constructor(private readonly options: SseReaderOptions) {}

	/** Feeds decoded text; returns the events it completed, in order. */
	push(input: string): SseEvent[] {
		if (this.overLimit) return [];
		let text = input;
		if (this.swallowLf && text.length > 0) {
			if (text.charCodeAt(0) === LF) text = text.slice(1);
			this.swallowLf = false;
		}
		const events: SseEvent[] = [];
		let lineStart = 0;
		for (let i = 0; i < text.length; i++) {
			const code = text.charCodeAt(i);
			if (code !== LF && code !== CR) continue;
			const line = this.pendingLine + text.slice(lineStart, i);
			this.pendingLine = '';
			if (code === CR) {
				if (i + 1 < text.length) {
					if (text.charCodeAt(i + 1) === LF) i++;
				} else {
					this.swallowLf = true;
				}
			}
			lineStart = i + 1;
			events.push(...this.handleLine(line));
		}
		if (lineStart < text.length) this.pendingLine += text.slice(lineStart);
		if (this.pendingLine.length > this.options.maxLineChars) {
			this.pendingLine = '';
			this.overLimit = true;
		}
		return events;
	}

	/** Ends the input: a last line without its line end, and an event without its blank line. */
	end(): SseEvent[] {
		if (this.overLimit) return [];
		const events = this.pendingLine === '' ? [] : this.handleLine(this.pendingLine);
		this.pendingLine = '';
		return [...events, ...this.dispatch()];
	}

	private handleLine(line: string): SseEvent[] {
		if (line === '') return this.dispatch();
		if (line[0] === ':') return [];
		const colon = line.indexOf(':');
		const field = colon === -1 ? line : line.slice(0, colon);
		let value = colon === -1 ? '' : line.slice(colon + 1);
		if (value[0] === ' ') value = value.slice(1);
		if (field === 'event') {
			this.eventName = value.trim();
			return [];
		}
		if (field !== 'data') {
			// `id` and `retry` carry nothing we need; anything else is not SSE.
			if (field !== 'id' && field !== 'retry') this.skipped++;
			return [];
		}
		if (this.options.isTerminator(value)) {
			return [...this.dispatch(), { event: '', lines: [value] }];
		}
		// Complete on its own and nothing gathered: the documented one-line form. Once an event
		// spans several data lines, they are gathered until the blank line.
		if (this.dataLines.length === 0 && this.options.isWholeEvent(value)) {
			return [{ event: this.takeEventName(), lines: [value] }];
		}
		this.dataLines.push(value);
		return [];
	}

	private dispatch(): SseEvent[] {
		const event = this.takeEventName();
		if (this.dataLines.length === 0) return [];
		const lines = this.dataLines;
		this.dataLines = [];
		return [{ event, lines }];
	}

	private takeEventName(): string {
		const name = this.eventName;
		this.eventName = '';
		return name;
	}
}
