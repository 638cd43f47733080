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
	/** Characters read in all: the pass over the text, the fence tracking, every attempt at JSON. */
	work: number;
	/** False when the work budget ran out before the end of the text (what was found is kept). */
	complete: boolean;
}

/**
 * Work allowed on attempts that fail. Text is passed over once and values that parse are read
 * once; only text that keeps starting JSON and breaking it ("[1x" repeated, nesting that breaks
 * deep inside) is read again, and each failed attempt costs FAILED_ATTEMPT_WORK on top of the
 * characters it read. Past this budget the scan stops (`complete: false`). Measured: a scan that
 * spends it all takes 0.1 to 0.2 s.
 */
export const MAX_RETRY_WORK = 250_000;
/** A failed attempt costs about as much as reading this many characters (measured). */
const FAILED_ATTEMPT_WORK = 8;
/** Broken spans kept (an answer with more is not JSON the reader can use anyway). */
const MAX_BROKEN = 100;
/**
 * Values listed by default: an answer with more is not a tool call or a structured answer, and
 * listing millions of tiny ones ("[]" repeated up to the 16 MiB answer cap) would take seconds.
 */
export const MAX_FOUND = 1_000;
/** How far looksLikeJson looks past a "{" or "[". */
const LOOK_AHEAD_CHARS = 40;

/**
 * The first JSON value in `text`. When the whole text (trimmed) is JSON, any value (also a string
 * or number) counts; otherwise the first object or array. Failing that, the problem of the first
 * span that looked like JSON, or "no JSON object found".
 */
export function findJson(text: string): JsonSearch {
	const whole = parseWhole(text);
	if (whole) return { ok: true, ...whole };
	const scan = scanJson(text, 1);
	if (scan.found.length > 0) return { ok: true, ...scan.found[0] };
	if (scan.broken.length > 0) return { ok: false, problem: scan.broken[0].problem };
	if (!scan.complete) {
		return { ok: false, problem: `no JSON object found in the first ${scan.work} characters read` };
	}
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

/**
 * The top-level JSON objects and arrays in the text (the first `limit`), and the spans that look
 * like broken JSON. One pass: the fences are tracked as the scan moves on, never re-read from the start.
 */
export function scanJson(text: string, limit = MAX_FOUND): JsonScan {
	const found: JsonFound[] = [];
	const broken: JsonScan['broken'] = [];
	const fences = new FenceTracker(text);
	let work = 0;
	let retryWork = 0;
	let i = 0;
	while (i < text.length && found.length < limit && retryWork <= MAX_RETRY_WORK) {
		const char = text[i];
		work++;
		if (char !== '{' && char !== '[') {
			i++;
			continue;
		}
		const next = nextToken(text, i + 1);
		work += next.read;
		if (!(char === '{' ? OBJECT_STARTS : ARRAY_STARTS).includes(next.char)) {
			// Cannot be JSON, nor look like it ("{curly}", "[link]"): no attempt needed.
			i++;
			continue;
		}
		const parser = new Parser(text, i);
		try {
			const value = parser.value(0);
			found.push({ value, start: i, end: parser.pos, fenced: fences.openAt(i) });
			work += parser.pos - i;
			i = parser.pos;
		} catch (caught) {
			const error = syntaxError(caught, parser.pos);
			const { jsonLike, read } = looksLikeJson(text, i);
			const attempt = parser.pos - i + 1 + read + FAILED_ATTEMPT_WORK;
			work += attempt;
			retryWork += attempt;
			const end = error.fatal ? text.length : Math.max(error.position, i + 1);
			if (jsonLike && broken.length < MAX_BROKEN) {
				broken.push({ start: i, end, problem: error.message });
			}
			// A broken object keeps its inner values (a call inside `{"tool_calls":[…],}` must not
			// count alone); a broken array does not, since prose like "see [" before JSON is common.
			i = error.fatal || (text[i] === '{' && jsonLike) ? end : i + 1;
		}
	}
	work += fences.work;
	return { found, broken, work, complete: i >= text.length || found.length >= limit };
}

/** What may follow "{" or "[" in JSON, or in what looksLikeJson reports as broken JSON. */
const OBJECT_STARTS = ['"', "'", '}'];
const ARRAY_STARTS = ['[', '{', '"', "'", ']', '-', 't', 'f', 'n', ...'0123456789'];

/** The first character after `from` that is not whitespace ('' at the end), and the reads. */
function nextToken(text: string, from: number): { char: string; read: number } {
	let at = from;
	while (at < text.length && /\s/.test(text[at])) at++;
	return { char: text[at] ?? '', read: at - from + 1 };
}

/**
 * `{"`, `{}`, `{'`, `[{`, `["`, `[1`, `[]`… rather than prose such as `{curly}` or `[1]:`, judged
 * on the next 39 characters; `read` is how many of them it read.
 */
function looksLikeJson(text: string, start: number): { jsonLike: boolean; read: number } {
	const end = Math.min(text.length, start + LOOK_AHEAD_CHARS);
	let at = start + 1;
	while (at < end && /\s/.test(text[at])) at++;
	const read = at - start + 1;
	if (at >= end) return { jsonLike: false, read };
	const char = text[at];
	if (text[start] === '{') return { jsonLike: char === '"' || char === "'" || char === '}', read };
	if ('[{"\']-'.includes(char) || isDigitChar(char)) return { jsonLike: true, read };
	for (const word of ['true', 'false', 'null']) {
		const after = at + word.length;
		if (after <= end && text.startsWith(word, at) && (after === end || !/\w/.test(text[after]))) {
			return { jsonLike: true, read: read + word.length + 1 };
		}
	}
	return { jsonLike: false, read };
}

function isDigitChar(char: string): boolean {
	return char >= '0' && char <= '9';
}

/**
 * Whether a ``` fence is open at a position: fences are lines whose first non-blank characters
 * are ```. Positions are asked in increasing order; each character is read once in all.
 */
class FenceTracker {
	/** Characters read so far. */
	work = 0;
	private pos = 0;
	private lineStart = true;
	private open = false;

	constructor(private readonly text: string) {}

	openAt(position: number): boolean {
		while (this.pos < position) {
			const code = this.text.charCodeAt(this.pos);
			this.work++;
			if (isLineTerminator(code)) {
				this.lineStart = true;
				this.pos++;
			} else if (this.lineStart && isBlank(code)) {
				this.pos++;
			} else if (this.lineStart && this.text.startsWith('```', this.pos)) {
				this.open = !this.open;
				this.lineStart = false;
				this.work += 2;
				this.pos += 3;
			} else {
				this.lineStart = false;
				this.pos++;
			}
		}
		return this.open;
	}
}

function isLineTerminator(code: number): boolean {
	return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

/** JavaScript's \s without the line terminators. */
function isBlank(code: number): boolean {
	return (
		code === 0x09 ||
		code === 0x0b ||
		code === 0x0c ||
		code === 0x20 ||
		code === 0xa0 ||
		code === 0x1680 ||
		(code >= 0x2000 && code <= 0x200a) ||
		code === 0x202f ||
		code === 0x205f ||
		code === 0x3000 ||
		code === 0xfeff
	);
}
