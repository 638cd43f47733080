import { readJsonAt } from '../shared/json/jsonParser';

/**
 * Hermes-style tool calls in a model's answer: `<tool_call>{…}</tool_call>`. The JSON is read
 * with the JSON reader (so a "</tool_call>" inside a string does not end the block); a missing
 * closing tag at the very end of the answer is accepted (models often stop right there).
 *
 * Linear in the answer: the text is read forward with indexOf and short slices, each search
 * starting where the last one ended; nothing is lower-cased, sliced off or masked per block.
 */

export type HermesBlock = { start: number; end: number } & (
	| { value: unknown }
	| { problem: string }
);

const OPEN_TAG = '<tool_call>';
const CLOSE_TAG = '</tool_call>';
const FENCE = '```';

/** The blocks in order, each with its JSON value or what is wrong with it. */
export function hermesBlocks(text: string): HermesBlock[] {
	const blocks: HermesBlock[] = [];
	let from = 0;
	for (let start = findTag(text, OPEN_TAG, 0); start >= 0; start = findTag(text, OPEN_TAG, from)) {
		const read = readJsonAt(text, afterOpeningFence(text, start + OPEN_TAG.length));
		if (!read.ok) {
			const close = findTag(text, CLOSE_TAG, start + OPEN_TAG.length);
			from = close < 0 ? text.length : close + CLOSE_TAG.length;
			blocks.push({
				start,
				end: from,
				problem: `the <tool_call> block does not hold valid JSON: ${read.problem}`,
			});
			continue;
		}
		const rest = afterClosingFence(text, read.end);
		if (isTag(text, rest, CLOSE_TAG)) {
			from = rest + CLOSE_TAG.length;
			blocks.push({ start, end: from, value: read.value });
		} else if (rest === text.length) {
			from = text.length;
			blocks.push({ start, end: from, value: read.value });
		} else {
			from = read.end;
			blocks.push({
				start,
				end: from,
				problem: 'the <tool_call> block has more than one JSON value or text after its JSON',
			});
		}
	}
	return blocks;
}

/** The text with every block blanked out (same length), so that its JSON is not read twice. */
export function maskBlocks(text: string, blocks: HermesBlock[]): string {
	if (blocks.length === 0) return text;
	const parts: string[] = [];
	let at = 0;
	for (const block of blocks) {
		parts.push(text.slice(at, block.start), ' '.repeat(block.end - block.start));
		at = block.end;
	}
	parts.push(text.slice(at));
	return parts.join('');
}

/** Where `tag` (any case) next starts at or after `from`, or -1. */
function findTag(text: string, tag: string, from: number): number {
	for (let at = text.indexOf('<', from); at >= 0; at = text.indexOf('<', at + 1)) {
		if (isTag(text, at, tag)) return at;
	}
	return -1;
}

function isTag(text: string, at: number, tag: string): boolean {
	return text.slice(at, at + tag.length).toLowerCase() === tag;
}

/** Past a fence opened right after the tag ("<tool_call>```json\n{…}"), else `at` itself. */
function afterOpeningFence(text: string, at: number): number {
	let end = skipBlanks(text, at);
	if (!text.startsWith(FENCE, end)) return at;
	end += FENCE.length;
	while (end < text.length && /[\w-]/.test(text[end])) end++;
	while (text[end] === ' ' || text[end] === '\t') end++;
	return text[end] === '\n' ? end + 1 : at;
}

/** Past blanks and a closing fence with its blanks, if there is one. */
function afterClosingFence(text: string, at: number): number {
	const end = skipBlanks(text, at);
	return text.startsWith(FENCE, end) ? skipBlanks(text, end + FENCE.length) : end;
}

function skipBlanks(text: string, at: number): number {
	let end = at;
	while (end < text.length && /\s/.test(text[end])) end++;
	return end;
}
