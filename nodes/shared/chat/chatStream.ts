/**
 * Incremental reader for the chat endpoint's answer. The documented answer is a Server-Sent-Events
 * stream of `chat.completion.chunk` objects ending in `data: [DONE]`; the docs leave open whether a
 * plain JSON `chat.completion` (or a JSON error) may come instead, so both are accepted.
 *
 * Pure: bytes in, text pieces and one summary out. Bytes may be split anywhere (inside a line, a
 * CRLF pair or a multi-byte character). Lines that are not SSE, or data that is not JSON, are
 * counted and skipped rather than fatal (and never hold back the text after them): a usable answer
 * is worth more than a strict parser. Memory is bounded, counted in bytes as the README states
 * the limits: a line, an event, a JSON answer or the answer's text over its limit stops the parse
 * with an error.
 */

import { redact } from '../errors';
import {
	DONE_MARKER,
	errorIn,
	errorInEvent,
	isObject,
	parsePayload,
	usageIn,
	type ChatStreamError,
	type ChatUsage,
	type Json,
} from './chatPayload';
import { JsonPrefix } from './jsonPrefix';
import { SseReader, utf8Length, type SseEvent } from './sse';

const MIB = 1024 * 1024;
/** No chunk of the documented stream comes near this; a longer line is a broken server. */
export const MAX_SSE_LINE_BYTES = MIB;
/** The data lines of one event, gathered until they are one payload: the same bound as a line. */
export const MAX_SSE_EVENT_BYTES = MIB;
/**
 * A whole non-streamed JSON answer, and the text of a streamed one: far above any answer of
 * max_completion_tokens.
 */
export const MAX_ANSWER_BYTES = 16 * MIB;

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

export class ChatStreamParser {
	private readonly decoder = new TextDecoder('utf-8');
	private readonly sse = new SseReader({
		maxLineBytes: MAX_SSE_LINE_BYTES,
		maxEventBytes: MAX_SSE_EVENT_BYTES,
		isWholeEvent: (data) => parsePayload(data) !== undefined,
		isTerminator: (data) => data.trim() === DONE_MARKER,
		continues: () => new JsonPrefix(),
	});
	private mode: 'undecided' | 'sse' | 'json' = 'undecided';
	private jsonBody = '';
	/** Bytes of the JSON answer, or of the streamed answer's text. */
	private bytes = 0;
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
		const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
		if (this.mode === 'undecided') {
			const start = text.trimStart();
			if (start.length === 0) return [];
			this.mode = start[0] === '{' || start[0] === '[' ? 'json' : 'sse';
		}
		if (this.mode === 'json') {
			this.bytes += typeof chunk === 'string' ? utf8Length(chunk) : chunk.byteLength;
			if (this.bytes > MAX_ANSWER_BYTES) {
				this.jsonBody = '';
				this.overLimit(`the JSON answer is longer than ${MAX_ANSWER_BYTES / MIB} MiB`);
			} else {
				this.jsonBody += text;
			}
			return [];
		}
		return this.readEvents(this.sse.push(text));
	}

	/** Ends the input and returns the summary. Call once. */
	end(): ChatStreamResult {
		const pieces = this.push(this.decoder.decode());
		if (this.result.error?.overLimit) {
			this.jsonBody = '';
		} else if (this.mode === 'json') {
			this.readJsonBody();
		} else if (this.mode === 'sse') {
			pieces.push(...this.readEvents(this.sse.end()));
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

	private readEvents(events: SseEvent[]): string[] {
		const pieces: string[] = [];
		for (const event of events) pieces.push(...this.readEvent(event));
		this.result.skipped += this.sse.skipped;
		this.sse.skipped = 0;
		if (this.sse.overLimit && !this.result.error?.overLimit) {
			this.overLimit(
				`one ${this.sse.overLimit} of the event stream is longer than ${(this.sse.overLimit === 'line' ? MAX_SSE_LINE_BYTES : MAX_SSE_EVENT_BYTES) / MIB} MiB`,
			);
		}
		return pieces;
	}

	private overLimit(message: string): void {
		this.result.error = { message, overLimit: true };
	}

	/**
	 * One event: its data lines joined with LF, as the SSE spec says. When they are not one JSON
	 * value, the lines are read one by one instead, so that a garbage line from a server that sends
	 * no blank lines cannot swallow the events after it.
	 */
	private readEvent({ event, lines }: SseEvent): string[] {
		const joined = lines.join('\n');
		const payload = parsePayload(joined);
		if (payload !== undefined) return this.handleEvent(event, payload);
		if (event === 'error') {
			this.result.error = errorInEvent(joined);
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

	/** `message` (or no name) carries chunks; `error` is the server's error; others are skipped. */
	private handleEvent(event: string, payload: Json | typeof DONE_MARKER): string[] {
		if (event === '' || event === 'message') return this.handlePayload(payload);
		this.result.format = 'sse';
		if (event === 'error') {
			this.result.error = errorInEvent(payload === DONE_MARKER ? DONE_MARKER : payload);
		} else {
			this.result.skipped++;
		}
		return [];
	}

	private handlePayload(payload: Json | typeof DONE_MARKER): string[] {
		this.result.format = 'sse';
		if (payload === DONE_MARKER) {
			this.result.done = true;
			return [];
		}
		this.result.error ??= errorIn(payload);
		if (this.result.error) return [];
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
				this.bytes += utf8Length(delta.content);
				if (this.bytes > MAX_ANSWER_BYTES) {
					this.overLimit(`the answer's text is longer than ${MAX_ANSWER_BYTES / MIB} MiB`);
					return pieces;
				}
				pieces.push(delta.content);
				this.textParts.push(delta.content);
			}
			if (typeof choice.finish_reason === 'string') this.result.finishReason = choice.finish_reason;
		}
		this.result.usage = usageIn(payload.usage) ?? this.result.usage;
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
		this.result.error ??= errorIn(payload);
		if (this.result.error) return;
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
		this.result.usage = usageIn(payload.usage) ?? this.result.usage;
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

const PREVIEW_CHARS = 200;

function preview(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS)}…` : flat || '(empty)';
}
