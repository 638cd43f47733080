/**
 * Whether text fed so far can still be the start of one JSON object, read incrementally (each
 * character once). The SSE reader uses it to tell the lines of one event spread over several
 * `data:` lines (`{"choices":[` then `{"index":0,…}` then `]}`) from a line that can never become
 * JSON (`{not json`, a chunk cut off inside its string): those are dropped at once, so the events
 * after them are not held back.
 */

/** Deeper nesting is not a chat chunk (the JSON reader refuses it too). */
const MAX_NESTING = 200;

type State =
	| 'start'
	| 'value'
	| 'valueOrClose'
	| 'keyOrClose'
	| 'key'
	| 'colon'
	| 'afterValue'
	| 'end'
	| 'string'
	| 'escape'
	| 'unicode'
	| 'literal'
	| 'minus'
	| 'zero'
	| 'integer'
	| 'dot'
	| 'fraction'
	| 'exponent'
	| 'exponentSign'
	| 'exponentDigits';

const ESCAPES = '"\\/bfnrt';
const LITERALS: Record<string, string> = { t: 'rue', f: 'alse', n: 'ull' };

export class JsonPrefix {
	/** False once the text can no longer be the start of one JSON object. */
	viable = true;
	private state: State = 'start';
	private readonly stack: Array<'{' | '['> = [];
	private stringIsKey = false;
	/** Letters still expected of true/false/null, or hex digits of a \u escape. */
	private expected = '';
	private hexLeft = 0;

	/** The object is complete: nothing but blanks may follow. */
	get complete(): boolean {
		return this.viable && this.state === 'end';
	}

	feed(text: string): void {
		for (let i = 0; i < text.length && this.viable; i++) this.step(text[i]);
	}

	private step(char: string): void {
		switch (this.state) {
			case 'string':
				if (char === '"') this.state = this.stringIsKey ? 'colon' : 'afterValue';
				else if (char === '\\') this.state = 'escape';
				else if (char < ' ') this.viable = false;
				return;
			case 'escape':
				if (char === 'u') {
					this.hexLeft = 4;
					this.state = 'unicode';
				} else if (ESCAPES.includes(char)) this.state = 'string';
				else this.viable = false;
				return;
			case 'unicode':
				if (!/[0-9a-fA-F]/.test(char)) this.viable = false;
				else if (--this.hexLeft === 0) this.state = 'string';
				return;
			case 'literal':
				if (char !== this.expected[0]) {
					this.viable = false;
					return;
				}
				this.expected = this.expected.slice(1);
				if (this.expected === '') this.state = 'afterValue';
				return;
		}
		if (this.number(char)) return;
		if (char === ' ' || char === '\t' || char === '\n' || char === '\r') {
			return; // blanks between tokens (the number states above end at a blank)
		}
		this.token(char);
	}

	/** The number states; false when the number ended before `char` (read as the next token). */
	private number(char: string): boolean {
		const digit = char >= '0' && char <= '9';
		const next = (state: State): boolean => {
			this.state = state;
			return true;
		};
		const fail = (): boolean => {
			this.viable = false;
			return true;
		};
		switch (this.state) {
			case 'minus':
				return char === '0' ? next('zero') : digit ? next('integer') : fail();
			case 'dot':
				return digit ? next('fraction') : fail();
			case 'exponent':
				return char === '+' || char === '-'
					? next('exponentSign')
					: digit
						? next('exponentDigits')
						: fail();
			case 'exponentSign':
				return digit ? next('exponentDigits') : fail();
			case 'zero':
			case 'integer':
			case 'fraction':
			case 'exponentDigits':
				if (digit && this.state !== 'zero') return true;
				if (char === '.' && (this.state === 'zero' || this.state === 'integer')) return next('dot');
				if ((char === 'e' || char === 'E') && this.state !== 'exponentDigits')
					return next('exponent');
				this.state = 'afterValue';
				return false;
			default:
				return false;
		}
	}

	private token(char: string): void {
		switch (this.state) {
			case 'start':
				if (char === '{') this.open('{');
				else this.viable = false;
				return;
			case 'keyOrClose':
				if (char === '}') this.close('{');
				else if (char === '"') this.openString(true);
				else this.viable = false;
				return;
			case 'key':
				if (char === '"') this.openString(true);
				else this.viable = false;
				return;
			case 'colon':
				if (char === ':') this.state = 'value';
				else this.viable = false;
				return;
			case 'valueOrClose':
				if (char === ']') this.close('[');
				else this.value(char);
				return;
			case 'value':
				this.value(char);
				return;
			case 'afterValue': {
				const top = this.stack[this.stack.length - 1];
				if (char === ',' && top) this.state = top === '{' ? 'key' : 'value';
				else if (char === '}' || char === ']') this.close(char === '}' ? '{' : '[');
				else this.viable = false;
				return;
			}
			default:
				this.viable = false; // text after the complete object
		}
	}

	private value(char: string): void {
		if (char === '{' || char === '[') this.open(char);
		else if (char === '"') this.openString(false);
		else if (char === '-') this.state = 'minus';
		else if (char === '0') this.state = 'zero';
		else if (char >= '1' && char <= '9') this.state = 'integer';
		else if (LITERALS[char]) {
			this.expected = LITERALS[char];
			this.state = 'literal';
		} else this.viable = false;
	}

	private open(bracket: '{' | '['): void {
		if (this.stack.length >= MAX_NESTING) {
			this.viable = false;
			return;
		}
		this.stack.push(bracket);
		this.state = bracket === '{' ? 'keyOrClose' : 'valueOrClose';
	}

	private close(bracket: '{' | '['): void {
		if (this.stack.pop() !== bracket) {
			this.viable = false;
			return;
		}
		this.state = this.stack.length === 0 ? 'end' : 'afterValue';
	}

	private openString(isKey: boolean): void {
		this.stringIsKey = isKey;
		this.state = 'string';
	}
}
