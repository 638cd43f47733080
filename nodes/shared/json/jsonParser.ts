/**
 * A strict JSON reader of our own (not JSON.parse): every value comes with its span in the text
 * and every failure with a position in the whole text and a message that does not depend on the
 * Node version. Nothing is repaired: a trailing comma or single quotes are reported, because a
 * guessed repair could change what the model meant.
 */

/** Nesting deeper than this is refused instead of exhausting the stack. */
export const MAX_DEPTH = 200;
/**
 * A syntax error with its position. Not an Error: an Error records the stack when it is made,
 * which cost about 8 µs per failed attempt when a scan tries JSON at every "[" of an answer.
 */
export class JsonSyntaxError {
	constructor(
		readonly message: string,
		readonly position: number,
		/** Nothing after this point can be read reliably (nesting too deep). */
		readonly fatal = false,
	) {}
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

/** The reader only throws JsonSyntaxError; anything else (a bug) ends the scan, reported. */
export function syntaxError(error: unknown, position: number): JsonSyntaxError {
	if (error instanceof JsonSyntaxError) return error;
	return new JsonSyntaxError(
		`JSON could not be read: ${(error as Error)?.message}`,
		position,
		true,
	);
}

/** A strict JSON reader over `text` from `pos`. */
export class Parser {
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

	/** Reads exactly the characters of the number (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`). */
	private number(): number {
		const start = this.pos;
		let at = start;
		if (this.text[at] === '-') at++;
		if (this.text[at] === '0') at++;
		else if (isDigit(this.text[at])) while (isDigit(this.text[at])) at++;
		else {
			this.pos = start + 1;
			throw this.unexpected();
		}
		if (this.text[at] === '.' && isDigit(this.text[at + 1])) {
			at += 2;
			while (isDigit(this.text[at])) at++;
		}
		if (this.text[at] === 'e' || this.text[at] === 'E') {
			let exponent = at + 1;
			if (this.text[exponent] === '+' || this.text[exponent] === '-') exponent++;
			if (isDigit(this.text[exponent])) {
				at = exponent + 1;
				while (isDigit(this.text[at])) at++;
			}
		}
		this.pos = at;
		return Number(this.text.slice(start, at));
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

function isDigit(char: string | undefined): boolean {
	return char !== undefined && char >= '0' && char <= '9';
}
