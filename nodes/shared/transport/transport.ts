// Room: sending and limits. Owns how a request reaches the API: the credential and Base URL
// (credentials.ts), the one send function (here), 429 waits (rateLimit.ts), the limit shared per
// key (adaptiveLimit.ts, learning by limitPolicy.ts), bounded body reading (body.ts) and the
// per-item plan (preparedItem.ts).

import {
	NodeApiError,
	sleep,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';

import { limitFor, type Slot } from './adaptiveLimit';
import { drain } from './body';
import { CREDENTIAL_TYPE } from '../constants';
import { getApiCredentials, itemIndexOf, type ApiContext } from './credentials';
import { redact } from '../errors';
import {
	MAX_RATE_LIMIT_RETRIES,
	MAX_RETRY_AFTER_MS,
	RATE_LIMIT_BUDGET_MS,
	requestedWaitMs,
	retryDelayMs,
} from './rateLimit';

export interface SendOptions {
	/** An answer already received for this request (a declarative node's first 429). */
	previous?: IN8nHttpFullResponse;
	/** Cancels the request; the execution's cancel signal by default. */
	signal?: AbortSignal;
	/** A bound on the whole call, retries and their waits included (Generate's Max Wait). */
	timeLimitMs?: number;
}

/**
 * The one way this package sends (and re-sends) a request to the API: authenticated by the
 * credential, never following redirects (the key must not travel to another origin), never
 * throwing on HTTP statuses (callers turn them into NodeApiErrors with hints), cancelled with the
 * execution, and retrying 429s within bounds.
 */
export async function sendApiRequest(
	ctx: ApiContext,
	options: IHttpRequestOptions,
	{ previous, signal: callerSignal, timeLimitMs }: SendOptions = {},
): Promise<IN8nHttpFullResponse> {
	const { baseUrl, apiKey } = await getApiCredentials(ctx);
	const cancel = callerSignal ?? ctx.getExecutionCancelSignal();
	const limit =
		timeLimitMs === undefined ? undefined : AbortSignal.timeout(Math.max(0, timeLimitMs));
	const signal = limit && cancel ? AbortSignal.any([cancel, limit]) : (limit ?? cancel);
	const deadline = timeLimitMs === undefined ? Infinity : Date.now() + timeLimitMs;
	const request: IHttpRequestOptions = {
		...withoutRedirects(options),
		baseURL: baseUrl,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		abortSignal: signal,
	};
	if (timeLimitMs !== undefined) {
		// n8n's helper replaces abortSignal with the execution's, so the time limit also goes into
		// the request's own timeout (a silent server is dropped when it runs out).
		request.timeout = Math.max(1, Math.min(request.timeout ?? Infinity, timeLimitMs));
	}
	const stopped = (waitingFor: string) =>
		cancel?.aborted ? canceledError(ctx, waitingFor) : timeLimitError(ctx, timeLimitMs ?? 0);
	const shared = limitFor(baseUrl, apiKey);
	let response = previous;
	let waited = 0;
	for (let attempt = 0; ; attempt++) {
		if (response === undefined) {
			if (signal?.aborted) throw stopped('the request to MiniToolAI');
			let slot: Slot;
			try {
				slot = await shared.acquire(signal);
			} catch {
				throw stopped('a free request slot (rate limit)');
			}
			try {
				// n8n binds the helper to its own context type; every context kind we pass has it.
				response = await untilAborted(
					ctx.helpers.httpRequestWithAuthentication.call(
						ctx as unknown as IExecuteSingleFunctions,
						CREDENTIAL_TYPE,
						request,
					) as Promise<IN8nHttpFullResponse>,
					signal,
				);
			} catch (error) {
				slot.release();
				if (signal?.aborted) throw stopped('the answer from MiniToolAI');
				throw networkError(ctx, error as Error, baseUrl, apiKey);
			}
			settleSlot(slot, response, attempt);
		}
		if (response.statusCode !== 429 || attempt >= MAX_RATE_LIMIT_RETRIES) return response;
		// A wait longer than the node may wait fails at once, saying what the server asked for.
		const asked = requestedWaitMs(response.headers?.['retry-after']);
		if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return response;
		// The refused request waits out the Retry-After; the shared limit has shrunk meanwhile, so
		// it comes back in turn. A 429 the limit did not see (an n8n that sent the first request
		// another way) is spread out at random instead, as items refused together would otherwise
		// come back together.
		const delay = settled.has(response)
			? (asked ?? noHeaderWaitMs(attempt))
			: retryDelayMs(response.headers?.['retry-after'], attempt);
		if (waited + delay > RATE_LIMIT_BUDGET_MS || Date.now() + delay > deadline) return response;
		waited += delay;
		await drain(response.body);
		try {
			await sleep(delay, signal);
		} catch {
			throw stopped('a rate-limit retry');
		}
		response = undefined;
	}
}

/** Answers whose 429 the shared limit has been told about. */
const settled = new WeakSet<object>();

/** The pause a 429 without Retry-After asks of everyone: 1 s, doubling per attempt, up to 8 s. */
function noHeaderWaitMs(attempt: number): number {
	return retryDelayMs(undefined, attempt, Date.now(), 0);
}

/**
 * Tells the shared limit how a request ended. A 429 frees the slot at once and pauses the key; any
 * other answer holds its slot until its body has been read or dropped (a chat stream is still a
 * request in flight for the server).
 */
export function settleSlot(slot: Slot, response: IN8nHttpFullResponse, attempt: number): void {
	if (typeof response?.statusCode !== 'number') return slot.done();
	if (response.statusCode === 429) {
		settled.add(response);
		const asked = requestedWaitMs(response.headers?.['retry-after']);
		// A wait beyond what a node may wait is a quota, not a crowd: that item fails, others go on.
		if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return slot.release();
		return slot.refused(asked ?? noHeaderWaitMs(attempt));
	}
	const body = response.body as StreamLike | undefined;
	if (!body || typeof body.once !== 'function' || body.destroyed || body.readableEnded) {
		return slot.done();
	}
	body.once('end', slot.done);
	body.once('close', slot.done);
	body.once('error', slot.done);
}

/** The parts of a Node stream the limit listens to (the lint keeps node:stream out). */
interface StreamLike {
	once: (event: string, listener: () => void) => unknown;
	destroyed?: boolean;
	readableEnded?: boolean;
}

/**
 * The request's answer, or a rejection as soon as `signal` aborts: n8n's helper listens only to
 * the execution's cancel signal, not to an agent's or a time limit's. An answer that arrives after
 * the abort is discarded, its connection closed.
 */
function untilAborted(
	request: Promise<IN8nHttpFullResponse>,
	signal: AbortSignal | undefined,
): Promise<IN8nHttpFullResponse> {
	if (!signal) return request;
	return new Promise((resolve, reject) => {
		const onAbort = () => {
			reject(new Error('aborted'));
			request.then((late) => destroyBody(late.body)).catch(() => undefined);
		};
		if (signal.aborted) return onAbort();
		signal.addEventListener('abort', onAbort, { once: true });
		request.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});
}

function destroyBody(body: unknown): void {
	(body as { destroy?: () => void } | undefined)?.destroy?.();
}

/**
 * Every request that carries the key is sent with redirects off: n8n's HTTP helper would
 * otherwise follow one to another origin with the Authorization header attached.
 */
export function withoutRedirects(options: IHttpRequestOptions): IHttpRequestOptions {
	return { ...options, disableFollowRedirect: true };
}

function timeLimitError(ctx: ApiContext, timeLimitMs: number): NodeApiError {
	return new NodeApiError(ctx.getNode(), { message: 'time limit' } as JsonObject, {
		message: `MiniToolAI did not answer within ${Math.round(timeLimitMs / 1000)} s`,
		itemIndex: itemIndexOf(ctx),
	});
}

/**
 * n8n marks a run as canceled (not failed) only when the error says "canceled", which the raw
 * abort reason of `sleep` or of the HTTP client does not.
 */
export function canceledError(ctx: ApiContext, waitingFor: string): NodeApiError {
	return new NodeApiError(ctx.getNode(), { message: 'canceled' } as JsonObject, {
		message: `Execution canceled while waiting for ${waitingFor}`,
		itemIndex: itemIndexOf(ctx),
	});
}

/** Waits, unless the execution is cancelled first. */
export async function pause(
	ctx: ApiContext,
	ms: number,
	waitingFor: string,
	signal = ctx.getExecutionCancelSignal(),
): Promise<void> {
	try {
		await sleep(ms, signal);
	} catch (error) {
		if (signal?.aborted) throw canceledError(ctx, waitingFor);
		throw new NodeApiError(ctx.getNode(), { message: 'canceled' } as JsonObject, {
			message: `Waiting for ${waitingFor} failed: ${(error as Error).message}`,
			itemIndex: itemIndexOf(ctx),
		});
	}
}

/** Turns a transport failure (refused, reset, timeout) into an error a user can act on. */
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
