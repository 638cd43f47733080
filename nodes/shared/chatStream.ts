/**
 * Incremental reader for the chat endpoint's answer. The documented answer is a Server-Sent-Events
 * stream of `chat.completion.chunk` objects ending in `data: [DONE]`; the docs leave open whether a
 * plain JSON `chat.completion` (or a JSON error) may come instead, so both are accepted.
 *
 * Pure: bytes in, text pieces and one summary out. Bytes may be split anywhere (inside a line, a
 * CRLF pair or a multi-byte character). Lines that are not SSE, or data that is not JSON, are
 * counted and skipped rather than fatal: a usable answer is worth more than a strict parser.
 * Memory is bounded: a line (or a JSON answer) longer than its limit stops the parse with an error.
 */

import { redact } from './errors';

/** No chunk of the documented stream comes near this; a longer line is a broken server. */
export const MAX_SSE_LINE_CHARS = 1024 * 1024;
/** A whole non-streamed JSON answer: far above any answer of max_completion_tokens. */
export const MAX_JSON_ANSWER_CHARS = 16 * 1024 * 1024;

export interface ChatUsage {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
	/** The usage object exactly as the API sent it (token details included). */
	raw: Record<string, unknown>;
}

export interface ChatStreamError {
	message: string;
	type?: string;
	code?: string | number;
	/** Set when a size limit of the reader stopped the parse (else the answer said it failed). */
	overLimit?: true;
}

export interface ChatStreamResult {
	format: 'sse' | 'json' | 'empty';
	id?: string;
	model?: string;
	created?: number;
	systemFingerprint?: string;
	serviceTier?: string;
	text: string;
	finishReason: string | null;
	usage: ChatUsage | null;
	/** `[DONE]` arrived (or a complete JSON answer was read). */
	done: boolean;
	/** An error object the server put in the stream or answered with. */
	error?: ChatStreamError;
	chunks: number;
	/** Lines or payloads that could not be understood and were skipped. */
	skipped: number;
}

const DONE_MARKER = '[DONE]';
const LF = 10;

type Json = Record<string, unknown>;

export class ChatStreamParser {
	private readonly decoder = new TextDecoder('utf-8');
	private pendingLine = '';
	/** A CR ended the last chunk: an LF starting the next one belongs to it. */
	private swallowLf = false;
	private dataLines: string[] = [];
	/** The `event:` field of the event being gathered (SSE: empty means "message"). */
	private eventName = '';
	private mode: 'undecided' | 'sse' | 'json' = 'undecided';
	private jsonBody = '';
	/** Choices seen in any chunk: an answer without any is not a chat completion. */
	private sawChoices = false;

	/** `secret` is redacted from any text of the answer that an error quotes. */
	constructor(private readonly secret?: string) {}

	/** `[DONE]` arrived, or a size limit stopped the parse: nothing more needs reading. */
	get finished(): boolean {
		return this.result.done || this.result.error?.overLimit === true;
	}
	private readonly result: ChatStreamResult = {
		format: 'empty',
		text: '',
		finishReason: null,
		usage: null,
		done: false,
		chunks: 0,
		skipped: 0,
	};
	private readonly textParts: string[] = [];

	/** Feeds bytes (or already decoded text); returns the new pieces of answer text, in order. */
	push(chunk: Uint8Array | string): string[] {
		if (this.result.error?.overLimit === true) return [];
		let text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		if (this.swallowLf && text.length > 0) {
			if (text.charCodeAt(0) === LF) text = text.slice(1);
			this.swallowLf = false;
		}
		if (text.length === 0) return [];
		if (this.mode === 'undecided') {
			const start = text.trimStart();
			if (start.length === 0) return [];
			this.mode = start[0] === '{' || start[0] === '[' ? 'json' : 'sse';
		}
		if (this.mode === 'json') {
			this.jsonBody += text;
			if (this.jsonBody.length > MAX_JSON_ANSWER_CHARS) {
				this.overLimit(`the JSON answer is longer than ${MAX_JSON_ANSWER_CHARS / 1024 / 1024} MiB`);
			}
			return [];
		}
		return this.consumeSse(text);
	}

	/** Ends the input and returns the summary. Call once. */
	end(): ChatStreamResult {
		const tail = this.push(this.decoder.decode());
		const pieces: string[] = [...tail];
		if (this.result.error?.overLimit) {
			this.jsonBody = '';
		} else if (this.mode === 'json') {
			this.readJsonBody();
		} else if (this.mode === 'sse') {
			if (this.pendingLine !== '') pieces.push(...this.handleLine(this.pendingLine));
			this.pendingLine = '';
			pieces.push(...this.dispatch());
		}
		this.result.text = this.textParts.join('');
		if (
			!this.result.error &&
			this.result.chunks > 0 &&
			!this.sawChoices &&
			this.result.text === ''
		) {
			this.result.error = { message: 'the answer has no choices and no text' };
		}
		return this.result;
	}

	private consumeSse(text: string): string[] {
		const pieces: string[] = [];
		let lineStart = 0;
		for (let i = 0; i < text.length; i++) {
			const code = text.charCodeAt(i);
			if (code !== LF && code !== 13) continue;
			const line = this.pendingLine + text.slice(lineStart, i);
			this.pendingLine = '';
			if (code === 13) {
				if (i + 1 < text.length) {
					if (text.charCodeAt(i + 1) === LF) i++;
				} else {
					this.swallowLf = true;
				}
			}
			lineStart = i + 1;
			pieces.push(...this.handleLine(line));
		}
		if (lineStart < text.length) this.pendingLine += text.slice(lineStart);
		if (this.pendingLine.length > MAX_SSE_LINE_CHARS) {
			this.pendingLine = '';
			this.overLimit(
				`one line of the event stream is longer than ${MAX_SSE_LINE_CHARS / 1024 / 1024} MiB`,
			);
		}
		return pieces;
	}

	private overLimit(message: string): void {
		this.result.error = { message, overLimit: true };
	}

	private handleLine(line: string): string[] {
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
			if (field !== 'id' && field !== 'retry') this.result.skipped++;
			return [];
		}
		// The docs show one event per line without blank separators, so a data line that is
		// complete on its own starts and ends an event at once. Once an event spans several data
		// lines, they are gathered until the blank line, as the SSE specification says.
		const alone = parsePayload(value);
		if (alone === DONE_MARKER) {
			const pieces = this.dispatch();
			pieces.push(...this.handlePayload(DONE_MARKER));
			return pieces;
		}
		if (this.dataLines.length === 0 && alone !== undefined) {
			return this.handleEvent(this.takeEventName(), alone);
		}
		this.dataLines.push(value);
		return [];
	}

	/**
	 * Handles the data lines gathered for one event: joined with LF, as the SSE spec says. When
	 * they are not one JSON value, the lines are read one by one instead, so that a garbage line
	 * from a server that sends no blank lines cannot swallow the events after it.
	 */
	private dispatch(): string[] {
		const event = this.takeEventName();
		if (this.dataLines.length === 0) return [];
		const lines = this.dataLines;
		this.dataLines = [];
		const joined = lines.join('\n');
		const payload = parsePayload(joined);
		if (payload !== undefined) return this.handleEvent(event, payload);
		if (event === 'error') {
			this.takeServerError(joined);
			return [];
		}
		const pieces: string[] = [];
		for (const line of lines) {
			const alone = parsePayload(line);
			if (alone === undefined) this.result.skipped++;
			else pieces.push(...this.handleEvent(event, alone));
		}
		return pieces;
	}

	private takeEventName(): string {
		const name = this.eventName;
		this.eventName = '';
		return name;
	}

	/** `message` (or no name) carries chunks; `error` is the server's error; others are skipped. */
	private handleEvent(event: string, payload: Json | typeof DONE_MARKER): string[] {
		if (event === '' || event === 'message') return this.handlePayload(payload);
		this.result.format = 'sse';
		if (event === 'error') {
			this.takeServerError(payload === DONE_MARKER ? DONE_MARKER : payload);
		} else {
			this.result.skipped++;
		}
		return [];
	}

	/** An `event: error` frame: its JSON error object, its message, or its text. */
	private takeServerError(payload: Json | string): void {
		if (typeof payload === 'object' && this.takeError(payload)) return;
		const message =
			typeof payload === 'object'
				? typeof payload.message === 'string'
					? payload.message
					: JSON.stringify(payload)
				: payload;
		this.result.error = {
			message: message || 'an error event without a message',
		};
	}

	private handlePayload(payload: Json | typeof DONE_MARKER): string[] {
		this.result.format = 'sse';
		if (payload === DONE_MARKER) {
			this.result.done = true;
			return [];
		}
		if (this.takeError(payload)) return [];
		this.result.chunks++;
		this.takeMetadata(payload);
		const pieces: string[] = [];
		const choices = Array.isArray(payload.choices) ? payload.choices : [];
		if (Array.isArray(payload.choices)) this.sawChoices = true;
		for (const choice of choices) {
			if (!isObject(choice) || (choice.index !== undefined && choice.index !== 0)) continue;
			const delta = isObject(choice.delta)
				? choice.delta
				: isObject(choice.message)
					? choice.message
					: {};
			if (typeof delta.content === 'string' && delta.content !== '') {
				pieces.push(delta.content);
				this.textParts.push(delta.content);
			}
			if (typeof choice.finish_reason === 'string') this.result.finishReason = choice.finish_reason;
		}
		this.takeUsage(payload.usage);
		return pieces;
	}

	private readJsonBody(): void {
		const payload = parsePayload(this.jsonBody.trim());
		if (payload === undefined || payload === DONE_MARKER) {
			this.result.format = 'json';
			this.result.skipped++;
			this.result.error = {
				message: `The answer was neither an event stream nor valid JSON: ${preview(redact(this.jsonBody, this.secret))}`,
			};
			return;
		}
		this.result.format = 'json';
		if (this.takeError(payload)) return;
		this.result.done = true;
		this.result.chunks = 1;
		this.takeMetadata(payload);
		const choice = Array.isArray(payload.choices) ? payload.choices.find(isObject) : undefined;
		if (choice) {
			this.sawChoices = true;
			const message = isObject(choice.message)
				? choice.message
				: isObject(choice.delta)
					? choice.delta
					: {};
			if (typeof message.content === 'string') this.textParts.push(message.content);
			if (typeof choice.finish_reason === 'string') this.result.finishReason = choice.finish_reason;
		}
		this.takeUsage(payload.usage);
	}

	/**
	 * An error object (`{"error": …}`), or an object whose status says it failed
	 * (`{"status": "error", "message": …}`): both are answers that look like success but are not.
	 */
	private takeError(payload: Json): boolean {
		const error = payload.error;
		if (error !== undefined && error !== null && error !== false) {
			this.result.error = isObject(error)
				? {
						message: typeof error.message === 'string' ? error.message : JSON.stringify(error),
						type: typeof error.type === 'string' ? error.type : undefined,
						code:
							typeof error.code === 'string' || typeof error.code === 'number'
								? error.code
								: undefined,
					}
				: { message: String(error) };
			return true;
		}
		const status = typeof payload.status === 'string' ? payload.status.trim().toLowerCase() : '';
		if (!Array.isArray(payload.choices) && /^(error|failed|failure|fail)$/.test(status)) {
			const message = [payload.message, payload.detail].find((v) => typeof v === 'string' && v);
			this.result.error = {
				message: typeof message === 'string' ? message : `status "${status}"`,
			};
			return true;
		}
		return false;
	}

	private takeMetadata(payload: Json): void {
		const r = this.result;
		if (typeof payload.id === 'string') r.id ??= payload.id;
		if (typeof payload.model === 'string') r.model ??= payload.model;
		if (typeof payload.created === 'number') r.created ??= payload.created;
		if (typeof payload.system_fingerprint === 'string')
			r.systemFingerprint ??= payload.system_fingerprint;
		if (typeof payload.service_tier === 'string') r.serviceTier ??= payload.service_tier;
	}

	private takeUsage(usage: unknown): void {
		if (!isObject(usage)) return;
		const prompt = toCount(usage.prompt_tokens);
		const completion = toCount(usage.completion_tokens);
		this.result.usage = {
			promptTokens: prompt,
			completionTokens: completion,
			totalTokens:
				usage.total_tokens === undefined ? prompt + completion : toCount(usage.total_tokens),
			raw: usage,
		};
	}
}

/** Reads a whole answer held in memory at once (tests use it); the nodes read incrementally. */
export function parseChatStream(body: Uint8Array | string): ChatStreamResult {
	const parser = new ChatStreamParser();
	parser.push(body);
	return parser.end();
}

/** The answer assembled into the shape of one non-streamed `chat.completion` object. */
export function toChatCompletion(result: ChatStreamResult, requestedModel?: string) {
	return {
		id: result.id ?? null,
		object: 'chat.completion',
		created: result.created ?? null,
		model: result.model ?? requestedModel ?? null,
		system_fingerprint: result.systemFingerprint ?? null,
		service_tier: result.serviceTier ?? null,
		choices: [
			{
				index: 0,
				message: { role: 'assistant', content: result.text },
				logprobs: null,
				finish_reason: result.finishReason,
			},
		],
		usage: result.usage?.raw ?? null,
	};
}

function parsePayload(value: string): Json | typeof DONE_MARKER | undefined {
	const trimmed = value.trim();
	if (trimmed === DONE_MARKER) return DONE_MARKER;
	if (trimmed[0] !== '{') return undefined;
	try {
		const parsed: unknown = JSON.parse(trimmed);
		return isObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toCount(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

const PREVIEW_CHARS = 200;

function preview(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS)}…` : flat || '(empty)';
}
