import {
	NodeApiError,
	NodeOperationError,
	sleep,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';

import { CREDENTIAL_TYPE, DEFAULT_BASE_URL } from './constants';
import { redact } from './errors';

/** 429s are retried this many times before the error reaches the user. */
export const MAX_RATE_LIMIT_RETRIES = 8;
/** Without a Retry-After header the base wait doubles from 1 s, up to 8 s. */
export const RATE_LIMIT_BASE_DELAY_MS = 1_000;
export const MAX_RATE_LIMIT_BASE_DELAY_MS = 8_000;
/** All waits for one request's 429s together stay below this. */
export const RATE_LIMIT_BUDGET_MS = 120_000;
/** A Retry-After longer than this is not waited out inside one node run. */
export const MAX_RETRY_AFTER_MS = 60_000;
/** A stream that sends nothing for this long is treated as dropped. */
export const STREAM_IDLE_TIMEOUT_MS = 120_000;
/** Error bodies are read only up to this size: enough for any message. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * What the transport needs from n8n: declarative steps (IExecuteSingleFunctions) and the Chat
 * Model's supplyData context (ISupplyDataFunctions) both provide it.
 */
export type ApiContext = Pick<
	IExecuteSingleFunctions,
	'getCredentials' | 'getExecutionCancelSignal' | 'getNode'
> & {
	helpers: Pick<IExecuteSingleFunctions['helpers'], 'httpRequestWithAuthentication'>;
	getItemIndex?: () => number;
};

function itemIndexOf(ctx: ApiContext): number | undefined {
	return typeof ctx.getItemIndex === 'function' ? ctx.getItemIndex() : undefined;
}

export interface MiniToolAiCredentials {
	apiKey: string;
	baseUrl: string;
}

/** One credential lookup per item context (n8n may decrypt it from the database each time). */
const credentialCache = new WeakMap<object, Promise<MiniToolAiCredentials>>();

export async function getApiCredentials(ctx: ApiContext): Promise<MiniToolAiCredentials> {
	let cached = credentialCache.get(ctx);
	if (!cached) {
		cached = readApiCredentials(ctx);
		credentialCache.set(ctx, cached);
	}
	return await cached;
}

async function readApiCredentials(ctx: ApiContext): Promise<MiniToolAiCredentials> {
	const data = await ctx.getCredentials<{ apiKey?: string; baseUrl?: string }>(CREDENTIAL_TYPE);
	return { apiKey: String(data.apiKey ?? ''), baseUrl: normalizeBaseUrl(data.baseUrl) };
}

/**
 * preSend step shared by the nodes: a Base URL that is not http(s) (a typo, `file:`, `javascript:`)
 * is refused before anything is sent, naming the credential field to fix.
 */
export async function assertHttpBaseUrl(ctx: ApiContext): Promise<MiniToolAiCredentials> {
	const credentials = await getApiCredentials(ctx);
	const { baseUrl } = credentials;
	let protocol = '';
	try {
		protocol = new URL(baseUrl).protocol;
	} catch {
		protocol = '';
	}
	if (protocol !== 'http:' && protocol !== 'https:') {
		throw new NodeOperationError(ctx.getNode(), `Base URL: "${baseUrl}" is not an http(s) URL`, {
			itemIndex: itemIndexOf(ctx),
			description:
				'Set the Base URL in the MiniToolAI API credential to https://minitoolai.com (or your proxy or emulator address).',
		});
	}
	return credentials;
}

/** The credential's Base URL without trailing slashes (users paste both forms). */
export function normalizeBaseUrl(baseUrl: unknown): string {
	const text =
		typeof baseUrl === 'string' && baseUrl.trim() !== '' ? baseUrl.trim() : DEFAULT_BASE_URL;
	return text.replace(/\/+$/, '');
}

/**
 * Milliseconds to wait before retrying a 429: the server's Retry-After (seconds or an HTTP date)
 * when it sends one, else exponential backoff, stretched by a random factor whose range widens
 * with each attempt. Items that were limited together (n8n starts all items at once) would
 * otherwise come back together and be limited again; spread over a growing window, about as many
 * get through each round as the server allows.
 */
export function retryDelayMs(
	retryAfter: unknown,
	attempt: number,
	now = Date.now(),
	random = Math.random(),
): number {
	const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
	let base: number | undefined;
	if (typeof header === 'string' || typeof header === 'number') {
		const text = String(header).trim();
		if (/^\d+(\.\d+)?$/.test(text)) {
			base = Number(text) * 1000;
		} else {
			const date = Date.parse(text);
			if (!Number.isNaN(date)) base = Math.max(0, date - now);
		}
	}
	if (base === undefined) {
		base = Math.min(MAX_RATE_LIMIT_BASE_DELAY_MS, RATE_LIMIT_BASE_DELAY_MS * 2 ** attempt);
	}
	const spread = 1 + random * (attempt + 1);
	return Math.min(MAX_RETRY_AFTER_MS, Math.round(base * spread));
}

/**
 * The one way this package talks to the API: authenticated by the credential (the key never goes
 * anywhere else), never throwing on HTTP statuses (callers turn them into NodeApiErrors with
 * hints), cancelled with the execution, and retrying 429s within bounds.
 */
export async function apiRequest(
	ctx: ApiContext,
	options: IHttpRequestOptions,
	previous?: IN8nHttpFullResponse,
	callerSignal?: AbortSignal,
): Promise<IN8nHttpFullResponse> {
	const { baseUrl, apiKey } = await getApiCredentials(ctx);
	const signal = callerSignal ?? ctx.getExecutionCancelSignal();
	const request: IHttpRequestOptions = {
		...options,
		baseURL: baseUrl,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		abortSignal: signal,
	};
	let response = previous;
	let waited = 0;
	for (let attempt = 0; ; attempt++) {
		if (response === undefined) {
			try {
				// n8n binds the helper to its own context type; every context kind we pass has it.
				response = (await ctx.helpers.httpRequestWithAuthentication.call(
					ctx as unknown as IExecuteSingleFunctions,
					CREDENTIAL_TYPE,
					request,
				)) as IN8nHttpFullResponse;
			} catch (error) {
				throw networkError(ctx, error as Error, baseUrl, apiKey);
			}
		}
		if (response.statusCode !== 429 || attempt >= MAX_RATE_LIMIT_RETRIES) return response;
		const delay = retryDelayMs(response.headers?.['retry-after'], attempt);
		if (waited + delay > RATE_LIMIT_BUDGET_MS) return response;
		waited += delay;
		await drain(response.body);
		await pause(ctx, delay, 'a rate-limit retry', signal);
		response = undefined;
	}
}

/**
 * Waits, unless the execution is cancelled first. n8n marks a run as canceled (not failed) only
 * when the error says "canceled", which the raw abort reason of `sleep` does not.
 */
export async function pause(
	ctx: ApiContext,
	ms: number,
	waitingFor: string,
	signal = ctx.getExecutionCancelSignal(),
): Promise<void> {
	try {
		await sleep(ms, signal);
	} catch (error) {
		throw new NodeApiError(ctx.getNode(), { message: 'canceled' } as JsonObject, {
			message: signal?.aborted
				? `Execution canceled while waiting for ${waitingFor}`
				: `Waiting for ${waitingFor} failed: ${(error as Error).message}`,
			itemIndex: itemIndexOf(ctx),
		});
	}
}

/** Turns a transport failure (refused, reset, timeout, cancel) into an error a user can act on. */
export function networkError(
	ctx: ApiContext,
	error: Error & { code?: string },
	baseUrl: string,
	apiKey: string,
): NodeApiError {
	if (error instanceof NodeApiError) return error;
	const reason = redact(error.message || String(error), apiKey);
	const code = error.code ? ` (${error.code})` : '';
	// No `code` in the wrapped object: NodeApiError would swap our message for a generic one.
	return new NodeApiError(ctx.getNode(), { message: reason } as JsonObject, {
		message: `Could not reach MiniToolAI at ${baseUrl}${code}: ${reason}`,
		description:
			'Check the Base URL in the MiniToolAI API credential and the network connection of your n8n instance, then try again.',
		itemIndex: itemIndexOf(ctx),
	});
}

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
		await iterator.return?.();
		destroy(body);
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
