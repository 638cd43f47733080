import { CHAT_PRICES_USD_PER_MTOK, IMAGE_PRICE_USD } from '../../nodes/shared/constants';
import { chatCostUsd, chatPriceFor, imageCostUsd } from '../../nodes/shared/pricing';

describe('price table', () => {
	it('holds the documented prices, USD per 1M tokens', () => {
		expect(CHAT_PRICES_USD_PER_MTOK).toEqual({
			'gpt-4o-mini': { input: 0.15, output: 0.6 },
			'gpt-4o': { input: 2.5, output: 10 },
			'gpt-4.1': { input: 2, output: 8 },
			'gpt-4.1-mini': { input: 0.4, output: 1.6 },
			'gpt-4.1-nano': { input: 0.1, output: 0.4 },
		});
		expect(IMAGE_PRICE_USD).toBe(0.0015);
	});

	it.each([
		['gpt-4o-mini', 'gpt-4o-mini'],
		['gpt-4o-mini-2024-07-18', 'gpt-4o-mini'],
		['gpt-4o-2024-08-06', 'gpt-4o'],
		['gpt-4.1-2025-04-14', 'gpt-4.1'],
		['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini'],
		['gpt-4.1-nano', 'gpt-4.1-nano'],
	])('prices the dated id %s as %s (longest documented prefix)', (model, base) => {
		expect(chatPriceFor(model)?.model).toBe(base);
	});

	it.each([['gpt-5'], ['gpt-4'], ['gpt-4omini'], [''], [null], [undefined]])(
		'has no price for %p',
		(model) => {
			expect(chatPriceFor(model)).toBeUndefined();
		},
	);

	it('computes the cost of the documented example exchange', () => {
		// 17 prompt + 3 completion tokens on gpt-4o-mini.
		expect(chatCostUsd('gpt-4o-mini', { promptTokens: 17, completionTokens: 3 })).toBe(0.00000435);
	});

	it('computes a million tokens each way at list price, without float noise', () => {
		expect(chatCostUsd('gpt-4o', { promptTokens: 1e6, completionTokens: 1e6 })).toBe(12.5);
		expect(chatCostUsd('gpt-4.1-nano', { promptTokens: 1, completionTokens: 2 })).toBe(0.0000009);
	});

	it('returns null when usage or model is unknown', () => {
		expect(chatCostUsd('gpt-4o', null)).toBeNull();
		expect(chatCostUsd('mystery', { promptTokens: 1, completionTokens: 1 })).toBeNull();
	});

	it('prices images per image', () => {
		expect(imageCostUsd()).toBe(0.0015);
		expect(imageCostUsd(3)).toBe(0.0045);
	});
});
