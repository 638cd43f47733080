import type { TokenUsage } from '@n8n/ai-node-sdk';

import type { ChatUsage } from '../shared/chat/chatPayload';
import type { ChatStreamResult } from '../shared/chat/chatStream';
import { chatCostUsd } from '../shared/pricing';

/**
 * The summed cost of a turn's requests (a repair round costs too), or null when any of them
 * cannot be priced. The model asked for is priced first, then the dated model the API reported.
 */
export function turnCostUsd(modelId: string, results: ChatStreamResult[]): number | null {
	let total = 0;
	for (const result of results) {
		const cost = chatCostUsd(modelId, result.usage) ?? chatCostUsd(result.model, result.usage);
		if (cost === null) return null;
		total += cost;
	}
	return total;
}

/** The usage of every request of the turn, added up; undefined when no request reported any. */
export function turnUsage(modelId: string, results: ChatStreamResult[]): TokenUsage | undefined {
	const usages = results.map((result) => result.usage);
	if (usages.every((usage) => usage === null)) return undefined;
	let promptTokens = 0;
	let completionTokens = 0;
	let totalTokens = 0;
	for (const usage of usages) {
		if (!usage) continue;
		promptTokens += usage.promptTokens;
		completionTokens += usage.completionTokens;
		totalTokens += usage.totalTokens;
	}
	const tokenUsage: TokenUsage = {
		promptTokens,
		completionTokens,
		totalTokens,
		additionalMetadata: { costUsd: turnCostUsd(modelId, results) },
	};
	const cached = sumDetail(usages, 'prompt_tokens_details', 'cached_tokens');
	if (cached !== undefined) tokenUsage.inputTokenDetails = { cacheRead: cached };
	const reasoning = sumDetail(usages, 'completion_tokens_details', 'reasoning_tokens');
	if (reasoning !== undefined) tokenUsage.outputTokenDetails = { reasoning };
	return tokenUsage;
}

function sumDetail(usages: Array<ChatUsage | null>, group: string, field: string) {
	let total: number | undefined;
	for (const usage of usages) {
		const value = usage ? detail(usage, group, field) : undefined;
		if (value !== undefined) total = (total ?? 0) + value;
	}
	return total;
}

function detail(usage: ChatUsage, group: string, field: string): number | undefined {
	const details = usage.raw[group];
	if (typeof details !== 'object' || details === null) return undefined;
	const value = (details as Record<string, unknown>)[field];
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A call's arguments as JSON, cut here in the hint (a prompt can be long). */
const MAX_HINT_ARGUMENTS_CHARS = 200;

/**
 * What a turn that calls tools did, for the Chat Model's info hint: n8n's editor shows such a
 * turn's output as an empty text, since the calls travel in the message, not in its text.
 */
export function toolCallsHint(calls: Array<{ name: string; arguments: unknown }>): string {
	const described = calls.map((call) => {
		const args = JSON.stringify(call.arguments) ?? '{}';
		const shown =
			args.length > MAX_HINT_ARGUMENTS_CHARS ? `${args.slice(0, MAX_HINT_ARGUMENTS_CHARS)}…` : args;
		return `${call.name} ${shown}`;
	});
	return `Called ${calls.length === 1 ? 'a tool' : `${calls.length} tools`}: ${described.join('; ')}`;
}
