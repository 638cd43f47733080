/**
 * Finding JSON in an answer takes time linear in the answer: measured here by the characters the
 * scan reads through the string's own interface (indexing, slices, regex matches), not by a clock.
 */
import { findJson, MAX_RETRY_WORK, scanJson } from '../../nodes/shared/json/jsonAnswer';
import { counted } from '../fixtures/countedText';

function readsToScan(text: string): number {
	const wrapped = counted(text);
	scanJson(wrapped.text, Infinity);
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
		expect(readsLarge).toBeLessThan(8 * large.length);
	});

	it('fences and prose between values stay linear too', () => {
		const block = 'Here:\n```json\n{"a": [1, 2, {"b": "c"}]}\n```\nand [broken, and {curly}\n';
		const readsSmall = readsToScan(block.repeat(300));
		const readsLarge = readsToScan(block.repeat(600));
		expect(readsLarge / readsSmall).toBeLessThan(2.2);
		expect(readsLarge).toBeLessThan(8 * block.length * 600);
	});

	it('reports the work it counted, which grows linearly', () => {
		const small = scanJson('[]\n'.repeat(20_000), Infinity);
		const large = scanJson('[]\n'.repeat(40_000), Infinity);
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
		expect(scan.work).toBeLessThanOrEqual(MAX_RETRY_WORK + 3 * text.length + 200);
		expect(findJson(text)).toEqual({
			ok: false,
			problem: expect.stringMatching(/^Unexpected token 'x'/),
		});
	});
});
