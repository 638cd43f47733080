import {
	CHAT_MODELS,
	CHAT_PRICES_USD_PER_MTOK,
	IMAGE_PRICE_USD,
	type ChatModel,
} from './constants';

const TOKENS_PER_PRICE_UNIT = 1_000_000;
/** Keeps sums like 0.1 + 0.2 from leaking float noise into outputs. */
const COST_DECIMALS = 10;

function roundCost(value: number): number {
	const factor = 10 ** COST_DECIMALS;
	return Math.round(value * factor) / factor;
}

/**
 * The price entry for a model id. The API answers with dated ids (`gpt-4o-mini-2024-07-18`), so
 * the longest documented id that prefixes the given one wins (`gpt-4o-mini` before `gpt-4o`).
 */
export function chatPriceFor(model: string | undefined | null) {
	if (!model) return undefined;
	let best: ChatModel | undefined;
	for (const known of CHAT_MODELS) {
		const matches = model === known || model.startsWith(`${known}-`);
		if (matches && (best === undefined || known.length > best.length)) best = known;
	}
	return best === undefined ? undefined : { model: best, ...CHAT_PRICES_USD_PER_MTOK[best] };
}

/** Cost of one chat completion in USD, or null when the model or the usage is unknown. */
export function chatCostUsd(
	model: string | undefined | null,
	usage: { promptTokens: number; completionTokens: number } | null | undefined,
): number | null {
	const price = chatPriceFor(model);
	if (!price || !usage) return null;
	return roundCost(
		(usage.promptTokens * price.input + usage.completionTokens * price.output) /
			TOKENS_PER_PRICE_UNIT,
	);
}

export function imageCostUsd(images = 1): number {
	return roundCost(images * IMAGE_PRICE_USD);
}
