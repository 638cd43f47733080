import { sleep } from 'n8n-workflow';

/** A stream that sends nothing for this long is treated as dropped. */
export const STREAM_IDLE_TIMEOUT_MS = 120_000;
/** Error bodies are read only up to this size: enough for any message. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

export type ByteChunk = Uint8Array | string;

function isAsyncIterable(value: unknown): value is AsyncIterable<ByteChunk> {
	return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * The pieces of a response body as they arrive, pulled one at a time (a consumer that stops early
 * stops the download). The body may be a stream (the chat endpoint is read that way), bytes, a
 * string, or JSON the HTTP client already parsed. A stream idle for longer than `idleTimeoutMs` is
 * reported as stalled; the stream is destroyed whenever iteration ends.
 */
export async function* iterateBody(
	body: unknown,
	idleTimeoutMs = STREAM_IDLE_TIMEOUT_MS,
): AsyncGenerator<ByteChunk> {
	if (body === undefined || body === null) return;
	if (typeof body === 'string' || body instanceof Uint8Array) {
		yield body;
		return;
	}
	if (!isAsyncIterable(body)) {
		yield JSON.stringify(body);
		return;
	}
	const iterator = body[Symbol.asyncIterator]();
	const idle = Symbol('idle');
	try {
		while (true) {
			const idleTimer = new AbortController();
			const timeout = sleep(idleTimeoutMs, idleTimer.signal).then(
				() => idle,
				() => undefined,
			);
			const next = await Promise.race([iterator.next(), timeout]).finally(() => idleTimer.abort());
			if (next === idle) {
				throw new Error(`the answer stalled: nothing arrived for ${idleTimeoutMs / 1000} s`);
			}
			const result = next as IteratorResult<ByteChunk>;
			if (result.done) return;
			yield result.value;
		}
	} finally {
		// Destroy first: return() can wait behind a read that a stalled stream never settles.
		destroy(body);
		void Promise.resolve(iterator.return?.()).catch(() => undefined);
	}
}

/** Calls `onChunk` for each piece of a body as it arrives, up to `maxBytes`. */
export async function readBody(
	body: unknown,
	onChunk: (chunk: ByteChunk) => void | Promise<void>,
	{ idleTimeoutMs = STREAM_IDLE_TIMEOUT_MS, maxBytes = Infinity } = {},
): Promise<void> {
	let bytes = 0;
	for await (const chunk of iterateBody(body, idleTimeoutMs)) {
		bytes += chunk.length;
		await onChunk(chunk);
		if (bytes >= maxBytes) return;
	}
}

/** Reads a whole (error) body as text, bounded in size. */
export async function readBodyText(
	body: unknown,
	maxBytes = MAX_ERROR_BODY_BYTES,
): Promise<string> {
	const decoder = new TextDecoder();
	let text = '';
	await readBody(
		body,
		(chunk) => {
			text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
		},
		{ maxBytes },
	);
	return text + decoder.decode();
}

/** Discards a body we do not need, so its socket goes back to the pool. */
export async function drain(body: unknown): Promise<void> {
	await readBody(body, () => undefined, { maxBytes: MAX_ERROR_BODY_BYTES });
}

function destroy(body: unknown): void {
	const stream = body as { destroy?: () => void; readableEnded?: boolean };
	if (typeof stream.destroy === 'function' && stream.readableEnded !== true) stream.destroy();
}
