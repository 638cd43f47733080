/**
 * The shape of a regular expression, for patternSafety.ts: alternatives, sequences, quantified
 * terms and, for each single-character atom, the set of characters it matches. Only patterns that
 * `new RegExp(source, 'u')` accepted come here, so the parser can rely on valid u-mode syntax.
 * Sets are over-approximated where exactness does not matter for safety (\p{…} is "any").
 */

/** Sorted, disjoint, inclusive code-point ranges. */
export type CharSet = ReadonlyArray<readonly [number, number]>;

export type Atom =
	| { kind: 'char'; set: CharSet }
	/** ^ $ \b \B: zero width. */
	| { kind: 'assert'; start: boolean }
	/** (?=…) (?!…) (?<=…) (?<!…): zero width. */
	| { kind: 'look'; body: Alternatives }
	| { kind: 'group'; body: Alternatives }
	/** \1, \k<name>. */
	| { kind: 'backref' }
	/** (?i:…) and other modifier groups. */
	| { kind: 'modifiers'; body: Alternatives };

export interface Term {
	atom: Atom;
	min: number;
	/** Infinity for *, + and {n,}. */
	max: number;
}
export type Sequence = Term[];
export type Alternatives = Sequence[];

const MAX_CODE_POINT = 0x10ffff;
export const ANY: CharSet = [[0, MAX_CODE_POINT]];
export const EMPTY: CharSet = [];
const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = [
	[0x30, 0x39],
	[0x41, 0x5a],
	[0x5f, 0x5f],
	[0x61, 0x7a],
];
const SPACE: CharSet = [
	[0x09, 0x0d],
	[0x20, 0x20],
	[0xa0, 0xa0],
	[0x1680, 0x1680],
	[0x2000, 0x200a],
	[0x2028, 0x2029],
	[0x202f, 0x202f],
	[0x205f, 0x205f],
	[0x3000, 0x3000],
	[0xfeff, 0xfeff],
];
const LINE_TERMINATORS: CharSet = [
	[0x0a, 0x0a],
	[0x0d, 0x0d],
	[0x2028, 0x2029],
];
const DOT = complement(LINE_TERMINATORS);
const CLASS_ESCAPES: Record<string, CharSet> = {
	d: DIGIT,
	D: complement(DIGIT),
	w: WORD,
	W: complement(WORD),
	s: SPACE,
	S: complement(SPACE),
};
const CONTROL_ESCAPES: Record<string, number> = { t: 9, n: 10, v: 11, f: 12, r: 13, '0': 0 };

export function union(a: CharSet, b: CharSet): CharSet {
	const ranges = [...a, ...b].sort((x, y) => x[0] - y[0]);
	const out: Array<[number, number]> = [];
	for (const [lo, hi] of ranges) {
		const last = out[out.length - 1];
		if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
		else out.push([lo, hi]);
	}
	return out;
}

export function complement(set: CharSet): CharSet {
	const out: Array<[number, number]> = [];
	let next = 0;
	for (const [lo, hi] of set) {
		if (lo > next) out.push([next, lo - 1]);
		next = hi + 1;
	}
	if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
	return out;
}

export function intersects(a: CharSet, b: CharSet): boolean {
	let i = 0;
	let j = 0;
	while (i < a.length && j < b.length) {
		if (a[i][1] < b[j][0]) i++;
		else if (b[j][1] < a[i][0]) j++;
		else return true;
	}
	return false;
}

/** Parses a pattern that compiled with the u flag. Throws on syntax it does not know. */
export function parsePattern(source: string): Alternatives {
	const parser = new ShapeParser(source);
	const body = parser.alternatives();
	if (parser.pos !== source.length) throw new Error(`unexpected ")" at ${parser.pos}`);
	return body;
}

class ShapeParser {
	pos = 0;
	constructor(private readonly src: string) {}

	alternatives(): Alternatives {
		const alternatives: Alternatives = [this.sequence()];
		while (this.src[this.pos] === '|') {
			this.pos++;
			alternatives.push(this.sequence());
		}
		return alternatives;
	}

	private sequence(): Sequence {
		const terms: Sequence = [];
		while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
			const atom = this.atom();
			const [min, max] = this.quantifier();
			terms.push({ atom, min, max });
		}
		return terms;
	}

	private atom(): Atom {
		const char = this.src[this.pos];
		if (char === '^' || char === '$') {
			this.pos++;
			return { kind: 'assert', start: char === '^' };
		}
		if (char === '(') return this.group();
		if (char === '[') return { kind: 'char', set: this.charClass() };
		if (char === '.') {
			this.pos++;
			return { kind: 'char', set: DOT };
		}
		if (char === '\\') return this.escape();
		return { kind: 'char', set: single(this.codePoint()) };
	}

	private group(): Atom {
		const rest = this.src.slice(this.pos, this.pos + 4);
		let kind: 'group' | 'look' | 'modifiers' = 'group';
		if (rest.startsWith('(?=') || rest.startsWith('(?!')) {
			kind = 'look';
			this.pos += 3;
		} else if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
			kind = 'look';
			this.pos += 4;
		} else if (rest.startsWith('(?:')) {
			this.pos += 3;
		} else if (rest.startsWith('(?<')) {
			this.pos = this.src.indexOf('>', this.pos) + 1;
		} else if (rest.startsWith('(?')) {
			kind = 'modifiers';
			this.pos = this.src.indexOf(':', this.pos) + 1;
		} else {
			this.pos++;
		}
		const body = this.alternatives();
		if (this.src[this.pos] !== ')') throw new Error(`unclosed group at ${this.pos}`);
		this.pos++;
		return { kind, body };
	}

	private quantifier(): [number, number] {
		const char = this.src[this.pos];
		let range: [number, number] | undefined;
		if (char === '*') range = [0, Infinity];
		else if (char === '+') range = [1, Infinity];
		else if (char === '?') range = [0, 1];
		if (range) {
			this.pos++;
		} else {
			const braces = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos, this.pos + 40));
			if (!braces) return [1, 1];
			this.pos += braces[0].length;
			const min = Number(braces[1]);
			range = [min, braces[2] === undefined ? min : braces[3] ? Number(braces[3]) : Infinity];
		}
		if (this.src[this.pos] === '?') this.pos++; // lazy: the same choices, tried in another order
		return range;
	}

	private escape(): Atom {
		const next = this.src[this.pos + 1];
		if (next === 'b' || next === 'B') {
			this.pos += 2;
			return { kind: 'assert', start: false };
		}
		if (next === 'k' || (next >= '1' && next <= '9')) {
			this.pos += 2;
			if (next === 'k') this.pos = this.src.indexOf('>', this.pos) + 1;
			while (this.src[this.pos] >= '0' && this.src[this.pos] <= '9') this.pos++;
			return { kind: 'backref' };
		}
		return { kind: 'char', set: this.escapedSet() };
	}

	/** An escape that stands for characters, inside or outside a class; `pos` is at the "\". */
	private escapedSet(inClass = false): CharSet {
		const next = this.src[this.pos + 1];
		this.pos += 2;
		if (CLASS_ESCAPES[next]) return CLASS_ESCAPES[next];
		if (next === 'p' || next === 'P') {
			this.pos = this.src.indexOf('}', this.pos) + 1;
			return ANY;
		}
		if (inClass && next === 'b') return single(8);
		if (next in CONTROL_ESCAPES) return single(CONTROL_ESCAPES[next]);
		if (next === 'c') return single(this.src.charCodeAt(this.pos++) % 32);
		if (next === 'x') return single(this.hex(2));
		if (next === 'u') {
			if (this.src[this.pos] === '{') {
				const end = this.src.indexOf('}', this.pos);
				const value = parseInt(this.src.slice(this.pos + 1, end), 16);
				this.pos = end + 1;
				return single(value);
			}
			const lead = this.hex(4);
			const trail = /^\\u([dD][c-fC-F][0-9a-fA-F]{2})/.exec(this.src.slice(this.pos, this.pos + 6));
			if (lead >= 0xd800 && lead <= 0xdbff && trail) {
				this.pos += 6;
				return single((lead - 0xd800) * 0x400 + (parseInt(trail[1], 16) - 0xdc00) + 0x10000);
			}
			return single(lead);
		}
		this.pos--;
		return single(this.codePoint());
	}

	private charClass(): CharSet {
		this.pos++;
		const negated = this.src[this.pos] === '^';
		if (negated) this.pos++;
		let set: CharSet = EMPTY;
		while (this.src[this.pos] !== ']') {
			if (this.pos >= this.src.length) throw new Error('unclosed character class');
			const from = this.classAtom();
			if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']' && from.length === 1) {
				this.pos++;
				const to = this.classAtom();
				set = union(set, [[from[0][0], to[to.length - 1][1]]]);
			} else {
				set = union(set, from);
			}
		}
		this.pos++;
		return negated ? complement(set) : set;
	}

	private classAtom(): CharSet {
		return this.src[this.pos] === '\\' ? this.escapedSet(true) : single(this.codePoint());
	}

	private codePoint(): number {
		const value = this.src.codePointAt(this.pos) ?? 0;
		this.pos += value > 0xffff ? 2 : 1;
		return value;
	}

	private hex(digits: number): number {
		const value = parseInt(this.src.slice(this.pos, this.pos + digits), 16);
		this.pos += digits;
		return value;
	}
}

function single(code: number): CharSet {
	return [[code, code]];
}
