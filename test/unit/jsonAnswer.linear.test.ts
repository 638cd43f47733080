/**
 * Finding JSON in an answer takes time linear in the answer: measured here by the characters the
 * scan reads through the string's own interface (indexing, slices, regex matches), not by a clock.
 */
import { findJson, scanJson } from '../../nodes/shared/json/jsonAnswer';

/**
 * The text wrapped so that every read of it is counted: an indexed character counts 1, a slice its
 * length, `startsWith(s)` the length of s; anything that reads the string whole (a regex match, a
 * conversion to a primitive, trim, split…) counts its whole length.
 */
function counted(text: string): { text: string; reads: () => number } {
	let reads = 0;
	const perCall: Record<string, (args: unknown[], result: unknown) => number> = {
		charAt: () => 1,
		charCodeAt: () => 1,
		codePointAt: () => 1,
		at: () => 1,
		slice: (_args, result) => Math.max(1, (result as string).length),
		substring: (_args, result) => Math.max(1, (result as string).length),
		startsWith: (args) => String(args[0]).length,
	};
	const proxy = new Proxy(new String(text), {
		get(_target, key) {
			if (key === 'length') return text.length;
			if (typeof key === 'string' && /^\d+$/.test(key)) {
				reads += 1;
				return text[Number(key)];
			}
			const member = (String.prototype as unknown as Record<string | symbol, unknown>)[key];
			if (typeof member !== 'function') return member;
			return (...args: unknown[]) => {
				const result = (member as (...a: unknown[]) => unknown).apply(text, args);
				reads += typeof key === 'string' && perCall[key] ? perCall[key](args, result) : text.length;
				return result;
			};
		},
	});
	return { text: proxy as unknown as string, reads: () => reads };
}

function readsToScan(text: string): number {
	const wrapped = counted(text);
	scanJson(wrapped.text);
	return wrapped.reads();
}

describe('scanJson reads each character a bounded number of times', () => {
	it('many small values: twice the text costs twice the reads, not four times', () => {
		// The case: "[]\n" repeated (before: each value re-read all the text before it).
		const small = '[]\n'.repeat(2_000);
		const large = '[]\n'.repeat(4_000);
		const readsSmall = readsToScan(small);
		const readsLarge = readsToScan(large);
		expect(readsLarge / readsSmall).toBeLessThan(2.2);
		expect(readsLarge).toBeLessThan(4 * large.length);
	});

	it('fences and prose between values stay linear too', () => {
		const block = 'Here:\n```json\n{"a": [1, 2, {"b": "c"}]}\n```\nand [broken, and {curly}\n';
		const readsSmall = readsToScan(block.repeat(300));
		const readsLarge = readsToScan(block.repeat(600));
		expect(readsLarge / readsSmall).toBeLessThan(2.2);
		expect(readsLarge).toBeLessThan(8 * block.length * 600);
	});

	it('reports the work it counted, which grows linearly', () => {
		const small = scanJson('[]\n'.repeat(20_000));
		const large = scanJson('[]\n'.repeat(40_000));
		expect(small.found).toHaveLength(20_000);
		expect(large.found).toHaveLength(40_000);
		expect(large.complete).toBe(true);
		expect(large.work / small.work).toBeLessThan(2.2);
		expect(large.work).toBeLessThanOrEqual(3 * 3 * 40_000);
	});

	it('still knows which values sit in a fence', () => {
		const text = '[1]\n```json\n[2]\n```\n  ```\n[3]\n```\n[4] ```x\n[5]';
		expect(scanJson(text).found.map((f) => [f.value, f.fenced])).toEqual([
			[[1], false],
			[[2], true],
			[[3], true],
			[[4], false],
			[[5], false],
		]);
	});

	it('stops re-reading broken nesting at its work budget and says the search was cut short', () => {
		// Each "[" starts a read that runs to the next "x": about 75 reads per character.
		const text = `${'['.repeat(150)}x`.repeat(1_000);
		const scan = scanJson(text);
		expect(scan.complete).toBe(false);
		expect(scan.work).toBeLessThanOrEqual(4_000_000 + 3 * text.length + 200);
		expect(findJson(text)).toEqual({
			ok: false,
			problem: expect.stringMatching(/^Unexpected token 'x'/),
		});
	});
});
