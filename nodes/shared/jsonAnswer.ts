/**
 * Finds JSON in a model's text answer: bare, in a ``` fence, or with prose around it.
 *
 * A strict JSON parser of our own (not JSON.parse) so that every value comes with its span in the
 * text and every failure with a position in the whole answer and a message that does not depend on
 * the Node version. Nothing is repaired: a trailing comma or single quotes are reported, because a
 * guessed repair could change what the model meant; the caller asks the model again instead.
 */

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

/** Nesting deeper than this is refused instead of exhausting the stack. */
const MAX_DEPTH = 200;
/** Characters read in total across all attempts; bounds the time spent on adversarial text. */
const MAX_SCAN_WORK = 4_000_000;

class JsonSyntaxError extends Error {
	constructor(
		message: string,
		readonly position: number,
		/** Nothing after this point can be read reliably (nesting too deep). */
		readonly fatal = false,
	) {
		super(message);
	}
}

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

/** Parses a JSON text strictly; the problem carries the position. */
export function parseJsonText(
	text: string,
): { ok: true; value: unknown } | { ok: false; problem: string } {
	const parser = new Parser(text, 0);
	try {
		parser.skipSpace();
		const value = parser.value(0);
		parser.skipSpace();
		if (parser.pos < text.length) throw parser.unexpected();
		return { ok: true, value };
	} catch (error) {
		return { ok: false, problem: syntaxError(error, parser.pos).message };
	}
}

/** One JSON value starting at `position` (after optional whitespace), strictly. */
export function readJsonAt(
	text: string,
	position: number,
): { ok: true; value: unknown; end: number } | { ok: false; problem: string } {
	const parser = new Parser(text, position);
	try {
		const value = parser.value(0);
		return { ok: true, value, end: parser.pos };
	} catch (error) {
		return { ok: false, problem: syntaxError(error, parser.pos).message };
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

/** The reader only throws JsonSyntaxError; anything else (a bug) ends the scan, reported. */
function syntaxError(error: unknown, position: number): JsonSyntaxError {
	if (error instanceof JsonSyntaxError) return error;
	return new JsonSyntaxError(
		`JSON could not be read: ${(error as Error)?.message}`,
		position,
		true,
	);
}

/** A strict JSON reader over `text` from `pos`. */
class Parser {
	constructor(
		readonly text: string,
		public pos: number,
	) {}

	value(depth: number): unknown {
		if (depth > MAX_DEPTH) {
			throw new JsonSyntaxError(`JSON nested deeper than ${MAX_DEPTH} levels`, this.pos, true);
		}
		this.skipSpace();
		const char = this.text[this.pos];
		if (char === '{') return this.object(depth);
		if (char === '[') return this.array(depth);
		if (char === '"') return this.string();
		if (char === '-' || (char >= '0' && char <= '9')) return this.number();
		for (const [word, value] of [
			['true', true],
			['false', false],
			['null', null],
		] as const) {
			if (this.text.startsWith(word, this.pos)) {
				this.pos += word.length;
				return value;
			}
		}
		throw this.unexpected();
	}

	private object(depth: number): Record<string, unknown> {
		const result: Record<string, unknown> = {};
		this.pos++;
		this.skipSpace();
		if (this.text[this.pos] === '}') {
			this.pos++;
			return result;
		}
		for (;;) {
			this.skipSpace();
			if (this.text[this.pos] !== '"') throw this.unexpected('a property name in double quotes');
			const key = this.string();
			this.skipSpace();
			if (this.text[this.pos] !== ':') throw this.unexpected("':'");
			this.pos++;
			// defineProperty: a "__proto__" key stays data instead of replacing the prototype.
			Object.defineProperty(result, key, {
				value: this.value(depth + 1),
				enumerable: true,
				writable: true,
				configurable: true,
			});
			this.skipSpace();
			const next = this.text[this.pos];
			if (next === '}') {
				this.pos++;
				return result;
			}
			if (next !== ',') throw this.unexpected("',' or '}'");
			this.pos++;
			this.skipSpace();
			if (this.text[this.pos] === '}') throw this.trailingComma('}');
		}
	}

	private array(depth: number): unknown[] {
		const result: unknown[] = [];
		this.pos++;
		this.skipSpace();
		if (this.text[this.pos] === ']') {
			this.pos++;
			return result;
		}
		for (;;) {
			result.push(this.value(depth + 1));
			this.skipSpace();
			const next = this.text[this.pos];
			if (next === ']') {
				this.pos++;
				return result;
			}
			if (next !== ',') throw this.unexpected("',' or ']'");
			this.pos++;
			this.skipSpace();
			if (this.text[this.pos] === ']') throw this.trailingComma(']');
		}
	}

	private string(): string {
		const start = this.pos;
		this.pos++;
		let result = '';
		for (;;) {
			const char = this.text[this.pos];
			if (char === undefined) throw this.unexpected();
			if (char === '"') {
				this.pos++;
				return result;
			}
			if (char < ' ') {
				throw new JsonSyntaxError(
					`Unescaped control character in the string starting at position ${start}`,
					this.pos,
				);
			}
			if (char !== '\\') {
				result += char;
				this.pos++;
				continue;
			}
			const escape = this.text[this.pos + 1];
			const simple: Record<string, string> = {
				'"': '"',
				'\\': '\\',
				'/': '/',
				b: '\b',
				f: '\f',
				n: '\n',
				r: '\r',
				t: '\t',
			};
			if (escape !== undefined && escape in simple) {
				result += simple[escape];
				this.pos += 2;
			} else if (
				escape === 'u' &&
				/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))
			) {
				result += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
				this.pos += 6;
			} else {
				if (this.pos + 1 >= this.text.length) throw this.unexpected();
				throw new JsonSyntaxError(
					`Bad escape \\${escape} in a string at position ${this.pos}`,
					this.pos,
				);
			}
		}
	}

	private number(): number {
		const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(
			this.text.slice(this.pos, this.pos + 400),
		);
		if (!match) {
			this.pos++;
			throw this.unexpected();
		}
		this.pos += match[0].length;
		return Number(match[0]);
	}

	skipSpace(): void {
		while (' \t\n\r'.includes(this.text[this.pos] ?? 'x')) this.pos++;
	}

	unexpected(expected?: string): JsonSyntaxError {
		if (this.pos >= this.text.length) {
			return new JsonSyntaxError('JSON is cut off at the end', this.pos);
		}
		const token = JSON.stringify(this.text[this.pos]).slice(1, -1);
		const wanted = expected ? ` (expected ${expected})` : '';
		return new JsonSyntaxError(
			`Unexpected token '${token}' at position ${this.pos}${wanted}`,
			this.pos,
		);
	}

	private trailingComma(closer: string): JsonSyntaxError {
		return new JsonSyntaxError(
			`Trailing comma before '${closer}' at position ${this.pos} (JSON allows none)`,
			this.pos,
		);
	}
}
