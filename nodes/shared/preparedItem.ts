import {
	NodeOperationError,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
} from 'n8n-workflow';

import type { MiniToolAiCredentials } from './credentials';
import { withoutRedirects } from './transport';

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

/**
 * Records the plan for this item and returns its request, for preSend to hand to n8n. The request
 * goes out with redirects off, like every request that carries the key.
 */
export function prepareItem<Output>(
	ctx: IExecuteSingleFunctions,
	item: PreparedItem<Output>,
): IHttpRequestOptions {
	const planned = { ...item, request: withoutRedirects(item.request) };
	prepared.set(ctx, planned);
	return planned.request;
}

/** The plan made by this item's preSend step. Its absence is a bug, never skipped silently. */
export function preparedItem<Output>(ctx: IExecuteSingleFunctions): PreparedItem<Output> {
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
