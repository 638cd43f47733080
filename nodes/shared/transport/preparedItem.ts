import {
	NodeOperationError,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
} from 'n8n-workflow';

import { limitFor, type Slot } from './adaptiveLimit';
import type { MiniToolAiCredentials } from './credentials';
import { canceledError, settleSlot, withoutRedirects } from './transport';

/**
 * What a declarative node's preSend step decided for one item, for its postReceive step: the
 * request exactly as sent (so a 429 can be re-sent unchanged, n8n's Request Options included),
 * the credentials it was sent with (the key, to redact it), and how the output is shaped.
 *
 * n8n's RoutingNode gives preSend and postReceive of one item the same context object and no other
 * channel between them, so the plan is keyed by that context. Readers never go back to the raw
 * parameters: everything they need is in the plan.
 */
export interface PreparedItem<Output> {
	request: IHttpRequestOptions;
	credentials: MiniToolAiCredentials;
	output: Output;
}

const prepared = new WeakMap<object, PreparedItem<unknown>>();

/** Slots of first requests whose answer has not been seen yet. */
const unanswered = new WeakMap<object, Slot>();

/**
 * Records the plan for this item and returns its request, for preSend to hand to n8n. The request
 * goes out with redirects off, like every request that carries the key, and only once the shared
 * limit of its credential and Base URL has a slot for it (at once unless a 429 put a limit in
 * force).
 */
export async function prepareItem<Output>(
	ctx: IExecuteSingleFunctions,
	item: PreparedItem<Output>,
): Promise<IHttpRequestOptions> {
	// The Base URL comes from the credentials read here, not from an expression in the node's
	// requestDefaults: n8n's RoutingNode evaluates that expression twice per item, and in n8n 2.x
	// each evaluation runs in an isolate (about as costly as the rest of an item's own work).
	const request = withoutRedirects({ ...item.request, baseURL: item.credentials.baseUrl });
	const planned = { ...item, request };
	prepared.set(ctx, planned);
	const signal = ctx.getExecutionCancelSignal();
	let slot: Slot;
	try {
		slot = await limitFor(item.credentials.baseUrl, item.credentials.apiKey).acquire(signal);
	} catch {
		throw canceledError(ctx, 'a free request slot (rate limit)');
	}
	holdUntilAnswered(ctx, slot);
	return planned.request;
}

/**
 * n8n's RoutingNode sends this item's first request right after preSend, through this item's own
 * `helpers.httpRequestWithAuthentication`. Wrapped once, it reports how that request ended: a
 * network error or a cancel frees the slot, a 429 pauses the key, an answer holds the slot until
 * its body has been read. Should an n8n version send another way, `preparedItem` (the first step
 * of every postReceive) frees the slot when the answer arrives, and the slot's lease ends it at
 * the latest.
 */
function holdUntilAnswered(ctx: IExecuteSingleFunctions, slot: Slot): void {
	unanswered.set(ctx, slot);
	const helpers = ctx.helpers as unknown as Record<string, unknown>;
	const send = helpers.httpRequestWithAuthentication;
	if (typeof send !== 'function') return;
	const once = function (this: unknown, ...args: unknown[]): Promise<unknown> {
		if (helpers.httpRequestWithAuthentication === once)
			helpers.httpRequestWithAuthentication = send;
		unanswered.delete(ctx);
		// The caller gets n8n's own promise: its answer and its errors pass through untouched.
		let answer: Promise<unknown>;
		try {
			answer = Promise.resolve(send.apply(this, args) as unknown);
		} catch (error) {
			answer = Promise.reject(error);
		}
		answer.then(
			(response) => settleSlot(slot, response as IN8nHttpFullResponse, 0),
			() => slot.release(),
		);
		return answer;
	};
	try {
		helpers.httpRequestWithAuthentication = once;
	} catch {
		// A frozen helpers object: the fallbacks above still free the slot.
	}
}

/** The plan made by this item's preSend step. Its absence is a bug, never skipped silently. */
export function preparedItem<Output>(ctx: IExecuteSingleFunctions): PreparedItem<Output> {
	const slot = unanswered.get(ctx);
	if (slot) {
		unanswered.delete(ctx);
		slot.release();
	}
	const item = prepared.get(ctx);
	if (!item) {
		throw new NodeOperationError(ctx.getNode(), 'The request for this item was not prepared', {
			itemIndex: ctx.getItemIndex(),
			description:
				'An internal step of the MiniToolAI node did not run. Please report this with your n8n version.',
		});
	}
	return item as PreparedItem<Output>;
}

/**
 * The Timeout a user set under the node's Settings > Request Options, in ms. n8n applies it to the
 * request; the package applies it to the waits n8n does not see (a stalled stream, a download).
 */
export function userTimeoutMs(ctx: IExecuteSingleFunctions): number | undefined {
	const options = ctx.getNodeParameter('requestOptions', {}) as { timeout?: unknown };
	const timeout = Number(options?.timeout);
	return Number.isFinite(timeout) && timeout > 0 ? timeout : undefined;
}
