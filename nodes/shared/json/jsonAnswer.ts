/**
 * Finds JSON in a model's text answer: bare, in a ``` fence, or with prose around it, read by the
 * strict reader in jsonParser.ts. A span that looks like JSON but is not valid is reported with
 * the reader's problem (the caller asks the model again rather than guessing a repair).
 */
import { Parser, syntaxError } from './jsonParser';

export interface JsonFound {
	value: unknown;
	/** The value's span in the text: text.slice(start, end) is the JSON. */
	start: number;
	end: number;
	/** The value sits in a ``` fence. */
	fenced: boolean;
}

export type JsonSearch = ({ ok: true } & JsonFound) | { ok: false; problem: string };

export interface JsonScan {
	/** Every top-level JSON object or array, in order (values nested in one are not listed). */
	found: JsonFound[];
	/** Spans that start like JSON but are not valid JSON, with the reason; in order. */
	broken: Array<{ start: number; end: number; problem: string }>;
}

/** Characters read in total across all attempts; bounds the time spent on adversarial text. */
const MAX_SCAN_WORK = 4_000_000;

/**
 * The first JSON value in `text`. When the whole text (trimmed) is JSON, any value (also a string
 * or number) counts; otherwise the first object or array. Failing that, the problem of the first
 * span that looked like JSON, or "no JSON object found".
 */
export function findJson(text: string): JsonSearch {
	const whole = parseWhole(text);
	if (whole) return { ok: true, ...whole };
	const scan = scanJson(text);
	if (scan.found.length > 0) return { ok: true, ...scan.found[0] };
	if (scan.broken.length > 0) return { ok: false, problem: scan.broken[0].problem };
	return { ok: false, problem: 'no JSON object found' };
}

/** Parses the whole text as JSON, or undefined. */
export function parseWhole(text: string): JsonFound | undefined {
	const start = text.length - text.trimStart().length;
	if (start >= text.length) return undefined;
	try {
		const parser = new Parser(text, start);
		const value = parser.value(0);
		if (text.slice(parser.pos).trim() !== '') return undefined;
		return { value, start, end: parser.pos, fenced: false };
	} catch {
		return undefined;
	}
}

/** All top-level JSON objects and arrays in the text, and the spans that look like broken JSON. */
export function scanJson(text: string): JsonScan {
	const found: JsonFound[] = [];
	const broken: JsonScan['broken'] = [];
	let work = 0;
	let i = 0;
	while (i < text.length && work < MAX_SCAN_WORK) {
		const char = text[i];
		if (char !== '{' && char !== '[') {
			i++;
			continue;
		}
		const parser = new Parser(text, i);
		try {
			const value = parser.value(0);
			found.push({ value, start: i, end: parser.pos, fenced: inFence(text, i) });
			work += parser.pos - i;
			i = parser.pos;
		} catch (caught) {
			const error = syntaxError(caught, parser.pos);
			work += parser.pos - i + 1;
			const end = error.fatal ? text.length : Math.max(error.position, i + 1);
			if (looksLikeJson(text, i)) broken.push({ start: i, end, problem: error.message });
			// A broken object keeps its inner values (a call inside `{"tool_calls":[…],}` must not
			// count alone); a broken array does not, since prose like "see [" before JSON is common.
			i = error.fatal || (text[i] === '{' && looksLikeJson(text, i)) ? end : i + 1;
		}
	}
	return { found, broken };
}

/** `{"`, `{}`, `{'`, `[{`, `["`, `[1`, `[]`… rather than prose such as `{curly}` or `[1]:`. */
function looksLikeJson(text: string, start: number): boolean {
	const rest = text.slice(start + 1, start + 40).trimStart();
	if (text[start] === '{') return /^["'}]/.test(rest);
	return /^[[{"'\]\d-]|^(true|false|null)\b/.test(rest);
}

/** True when a ``` fence opened before `position` and is still open there. */
function inFence(text: string, position: number): boolean {
	const before = text.slice(0, position).match(/^\s*```/gm);
	return before !== null && before.length % 2 === 1;
}
