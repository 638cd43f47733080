import {
	NodeApiError,
	sleep,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';

import { drain } from './body';
import { CREDENTIAL_TYPE } from './constants';
import { getApiCredentials, itemIndexOf, type ApiContext } from './credentials';
import { redact } from './errors';
import { MAX_RATE_LIMIT_RETRIES, RATE_LIMIT_BUDGET_MS, retryDelayMs } from './rateLimit';

/**
 * The one way this package sends (and re-sends) a request to the API: authenticated by the
 * credential (the key never goes anywhere else), never throwing on HTTP statuses (callers turn them
 * into NodeApiErrors with hints), cancelled with the execution, and retrying 429s within bounds.
 * `previous` is an answer already received for this request (a declarative node's first 429).
 */
export async function sendApiRequest(
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
			if (signal?.aborted) throw canceledError(ctx, 'the request to MiniToolAI');
			try {
				// n8n binds the helper to its own context type; every context kind we pass has it.
				response = (await ctx.helpers.httpRequestWithAuthentication.call(
					ctx as unknown as IExecuteSingleFunctions,
					CREDENTIAL_TYPE,
					request,
				)) as IN8nHttpFullResponse;
			} catch (error) {
				if (signal?.aborted) throw canceledError(ctx, 'the answer from MiniToolAI');
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
