/**
 * Server-Sent Events as the specification reads them, tolerant of the way the MiniToolAI docs show
 * them (one `data:` line per event, no blank lines in between): text in, events out. Lines end in
 * LF, CR or CRLF (a CRLF may be split across pushes); comments are dropped; `event:` names the
 * next event; the `data:` lines of one event are joined with LF at the blank line.
 *
 * Without blank lines, the reader cannot wait for one: lines are gathered into one event only
 * while they can still become one JSON object together (`continues`); a line that cannot is
 * handed on at once, alone, so a bad line never holds back the events after it.
 *
 * Memory is bounded, counted in UTF-8 bytes: a line longer than `maxLineBytes`, or the gathered
 * lines of one event longer than `maxEventBytes`, stops the reader (`overLimit` says which).
 */

export interface SseEvent {
	/** The `event:` name; empty means the default, "message". */
	event: string;
	/** The event's data lines, in order (the spec's data is these joined with LF). */
	lines: string[];
}

/** Told the data of an event line by line; says whether it can still become one payload. */
export interface Continuation {
	feed(text: string): void;
	readonly viable: boolean;
	/** The lines fed so far are one whole payload. */
	readonly complete: boolean;
}

export interface SseReaderOptions {
	maxLineBytes: number;
	maxEventBytes: number;
	/** A data line that is a whole event by itself (complete JSON): it needs no blank line. */
	isWholeEvent: (data: string) => boolean;
	/** A data line that always stands alone, ending any event being gathered (`[DONE]`). */
	isTerminator: (data: string) => boolean;
	/** A fresh continuation check for the lines of one event. */
	continues: () => Continuation;
}

const LF = 10;
const CR = 13;

export class SseReader {
	private pendingLine = '';
	/** UTF-8 bytes of the line being read, its pending part included. */
	private lineBytes = 0;
	/** A CR ended the last push: an LF starting the next one belongs to it. */
	private swallowLf = false;
	private dataLines: string[] = [];
	private dataBytes = 0;
	private continuation: Continuation | undefined;
	private eventName = '';
	/** A size limit stopped the reader: which one. */
	overLimit: 'line' | 'event' | undefined;
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
			if (code !== LF && code !== CR) {
				this.lineBytes += utf8Bytes(code);
				if (this.lineBytes > this.options.maxLineBytes) return this.stop('line', events);
				continue;
			}
			const line = this.pendingLine + text.slice(lineStart, i);
			this.pendingLine = '';
			this.lineBytes = 0;
			if (code === CR) {
				if (i + 1 < text.length) {
					if (text.charCodeAt(i + 1) === LF) i++;
				} else {
					this.swallowLf = true;
				}
			}
			lineStart = i + 1;
			events.push(...this.handleLine(line));
			if (this.overLimit) return events;
		}
		if (lineStart < text.length) this.pendingLine += text.slice(lineStart);
		return events;
	}

	/** Ends the input: a last line without its line end, and an event without its blank line. */
	end(): SseEvent[] {
		if (this.overLimit) return [];
		const events = this.pendingLine === '' ? [] : this.handleLine(this.pendingLine);
		this.pendingLine = '';
		return [...events, ...this.dispatch()];
	}

	private stop(limit: 'line' | 'event', events: SseEvent[]): SseEvent[] {
		this.overLimit = limit;
		this.pendingLine = '';
		this.dataLines = [];
		return events;
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
		return this.dataLine(value);
	}

	/**
	 * A data line: the documented one-line form is an event by itself; otherwise it continues the
	 * event being gathered while they can still be one payload, and else ends it and starts anew.
	 */
	private dataLine(value: string): SseEvent[] {
		const events: SseEvent[] = [];
		if (this.dataLines.length > 0) {
			this.continuation?.feed(`\n${value}`);
			if (this.continuation?.viable) return this.gather(value, events);
			// The gathered lines can never be one payload: they go on now, as they are.
			events.push(...this.dispatch());
		}
		if (this.options.isWholeEvent(value)) {
			return [...events, { event: this.takeEventName(), lines: [value] }];
		}
		this.continuation = this.options.continues();
		this.continuation.feed(value);
		if (!this.continuation.viable) {
			return [...events, { event: this.takeEventName(), lines: [value] }];
		}
		return this.gather(value, events);
	}

	private gather(value: string, events: SseEvent[]): SseEvent[] {
		this.dataLines.push(value);
		this.dataBytes += utf8Length(value) + 1;
		if (this.dataBytes > this.options.maxEventBytes) return this.stop('event', events);
		if (this.continuation?.complete) events.push(...this.dispatch());
		return events;
	}

	/** The gathered lines as one event. */
	private dispatch(): SseEvent[] {
		const event = this.takeEventName();
		this.continuation = undefined;
		if (this.dataLines.length === 0) return [];
		const lines = this.dataLines;
		this.dataLines = [];
		this.dataBytes = 0;
		return [{ event, lines }];
	}

	private takeEventName(): string {
		const name = this.eventName;
		this.eventName = '';
		return name;
	}
}

/** UTF-8 bytes of one UTF-16 code unit: a surrogate counts 2, so a pair counts 4. */
function utf8Bytes(code: number): number {
	if (code < 0x80) return 1;
	if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) return 2;
	return 3;
}

export function utf8Length(text: string): number {
	let bytes = 0;
	for (let i = 0; i < text.length; i++) bytes += utf8Bytes(text.charCodeAt(i));
	return bytes;
}
