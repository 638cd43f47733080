/**
 * Which `pattern`s may run on a model's text. JavaScript regexes backtrack: a pattern whose parts
 * can split the same text in many ways takes time exponential (or a high power) in the text, and
 * the text comes from the model, or from whoever got words into its prompt. A small, conservative
 * analysis of the pattern's shape (regexShape.ts) refuses those shapes before anything is sent:
 *
 * - a backreference (\1, \k<name>); a modifier group such as (?i:…) (not analysed);
 * - a repeated group that can match empty text, or whose inside can repeat or choose in more than
 *   one way for the same text: nested quantifiers such as (a+)+, overlapping alternatives such as
 *   (a|ab)*;
 * - more than one part that can stop in more than one place, such as .*a.*b, counting the search
 *   itself when the pattern does not start with ^ (a search tries every start position);
 * - alternatives and optional parts that can match the same text in more than 16 ways in all.
 *
 * "Can stop in more than one place" is decided on characters: a repeated part is unambiguous when
 * no character it matches can start what follows it, e.g. [a-z]+ before "-" or the end.
 *
 * What remains runs in time linear in the text (anchored with ^, no ambiguous part) or at most
 * quadratic. The validator therefore runs a linear pattern on text up to 100,000 characters and any
 * other on text up to 1,000 characters; longer text fails the check with that limit named.
 */
import {
	EMPTY,
	intersects,
	parsePattern,
	union,
	type Alternatives,
	type CharSet,
	type Sequence,
	type Term,
} from './regexShape';

/** Longer patterns are refused; no schema needs them, and they lengthen every step. */
export const MAX_PATTERN_CHARS = 1_000;
/** Text a pattern whose time can grow with the square of the text runs on (1,000² steps). */
export const MAX_PATTERN_TEXT_CHARS = 1_000;
/** Text a linear pattern runs on: far beyond any value a schema constrains with a pattern. */
export const MAX_PATTERN_TEXT_CHARS_LINEAR = 100_000;
/** Product of the ways alternatives and optional parts can match the same text. */
const MAX_FINITE_CHOICES = 16;

export type PatternVerdict =
	| { ok: true; growth: 'linear' | 'quadratic' }
	| { ok: false; reason: string };

const EXPONENTIAL = 'could take time growing exponentially with the text:';
const REASONS = {
	backref: `${EXPONENTIAL} it uses a backreference (\\1 or \\k<name>); write the repeated text out instead`,
	empty: `${EXPONENTIAL} it repeats a group that can match empty text, such as (a?)*; make every repeated group match at least one character`,
	nested: `${EXPONENTIAL} it repeats a group whose inside can itself repeat in more than one way for the same text (a nested quantifier, such as (a+)+); let each repetition end where the next character says, e.g. (-[a-z]+)* instead of ([a-z-]+)*`,
	alternatives: `${EXPONENTIAL} it repeats a group whose alternatives (|) can match the same text, such as (a|ab)*; make the alternatives start with different characters`,
	choices: `could take very long on some texts: its alternatives and optional parts can match the same text in more than ${MAX_FINITE_CHOICES} ways; simplify it`,
	polynomial:
		'could take time growing faster than the length of the text: more than one repeated part can stop in more than one place (such as .*a.*b, or .*a without ^ at the start, where the search tries every position); start it with ^ and let repeated parts stop where the next character says, e.g. [^a]*a instead of .*a',
	modifiers:
		'cannot be analysed: it uses a modifier group such as (?i:…); write the cases out, e.g. [Aa]',
	long: `is longer than ${MAX_PATTERN_CHARS.toLocaleString('en-US')} characters`,
	unknown: (error: unknown) => `cannot be analysed (${(error as Error)?.message ?? String(error)})`,
};

/** Thrown inside the walk to refuse at once. */
class Refused extends Error {}

interface Tally {
	/** Parts that can stop in more than one place, each a factor of the text's length. */
	open: number;
	/** Ways alternatives and optional parts can match the same text. */
	finite: number;
	/** Some part repeats without a small bound (the search then costs a factor too). */
	loops: boolean;
}

/** Whether `source` (a pattern that compiles with the u flag) may run on untrusted text. */
export function analysePattern(source: string): PatternVerdict {
	if (source.length > MAX_PATTERN_CHARS) return { ok: false, reason: REASONS.long };
	let shape: Alternatives;
	try {
		shape = parsePattern(source);
	} catch (error) {
		return { ok: false, reason: REASONS.unknown(error) };
	}
	const tally: Tally = { open: 0, finite: 1, loops: false };
	try {
		walkAlternatives(shape, EMPTY, false, tally);
	} catch (error) {
		const reason = error instanceof Refused ? error.message : REASONS.unknown(error);
		return { ok: false, reason };
	}
	const anchored = shape.every((sequence) => isStartAnchor(sequence[0]));
	const degree = tally.open + (anchored || !tally.loops ? 0 : 1);
	if (degree > 1) return { ok: false, reason: REASONS.polynomial };
	if (tally.finite > MAX_FINITE_CHOICES) return { ok: false, reason: REASONS.choices };
	return { ok: true, growth: degree === 0 ? 'linear' : 'quadratic' };
}

function isStartAnchor(term: Term | undefined): boolean {
	return term?.atom.kind === 'assert' && term.atom.start;
}

/** `follow`: the characters that can come right after these alternatives (none: the end). */
function walkAlternatives(
	alternatives: Alternatives,
	follow: CharSet,
	repeated: boolean,
	tally: Tally,
): void {
	if (alternatives.length > 1) {
		const starts = alternatives.map((sequence) =>
			nullableSequence(sequence)
				? union(firstOfSequence(sequence), follow)
				: firstOfSequence(sequence),
		);
		const overlap = starts.some((set, i) =>
			starts.slice(i + 1).some((other) => intersects(set, other)),
		);
		if (overlap) {
			if (repeated) throw new Refused(REASONS.alternatives);
			tally.finite *= alternatives.length;
		}
	}
	for (const sequence of alternatives) walkSequence(sequence, follow, repeated, tally);
}

function walkSequence(sequence: Sequence, follow: CharSet, repeated: boolean, tally: Tally): void {
	// What can follow each term: the first characters of the rest, through the parts that can be empty.
	const after: CharSet[] = new Array<CharSet>(sequence.length);
	let next = follow;
	for (let i = sequence.length - 1; i >= 0; i--) {
		after[i] = next;
		const first = firstOfTerm(sequence[i]);
		next = nullableTerm(sequence[i]) ? union(first, next) : first;
	}
	sequence.forEach((term, i) => walkTerm(term, after[i], repeated, tally));
}

function walkTerm(term: Term, follow: CharSet, repeated: boolean, tally: Tally): void {
	const { atom } = term;
	const unbounded = term.max === Infinity || term.max - term.min > MAX_FINITE_CHOICES;
	if (unbounded) tally.loops = true;
	if (atom.kind === 'backref') throw new Refused(REASONS.backref);
	if (atom.kind === 'modifiers') throw new Refused(REASONS.modifiers);
	if (atom.kind === 'look') {
		// Runs at each place the rest of the pattern reaches: its own choices multiply with those.
		const inner: Tally = { open: 0, finite: 1, loops: false };
		walkAlternatives(atom.body, EMPTY, repeated, inner);
		if (repeated && (inner.loops || inner.open > 0)) throw new Refused(REASONS.nested);
		tally.open += inner.open;
		tally.finite *= inner.finite;
		tally.loops ||= inner.loops;
		return;
	}
	if (atom.kind === 'assert') return;
	const first = atom.kind === 'char' ? atom.set : firstOfAlternatives(atom.body);
	if (atom.kind === 'group') {
		const repeats = term.max >= 2;
		if (repeats && nullableAlternatives(atom.body)) throw new Refused(REASONS.empty);
		// Inside a repetition, the next iteration can follow the body too.
		const bodyFollow = repeats ? union(first, follow) : follow;
		walkAlternatives(atom.body, bodyFollow, repeated || repeats, tally);
	}
	if (term.max > term.min && intersects(first, follow)) {
		// Another iteration or what follows: the text alone does not decide.
		if (repeated) throw new Refused(REASONS.nested);
		if (unbounded) tally.open++;
		else tally.finite *= term.max - term.min + 1;
	}
}

/** First sets and emptiness of the pattern's parts, each worked out once (nesting is deep). */
const firstSets = new WeakMap<Alternatives, CharSet>();
const nullables = new WeakMap<Alternatives, boolean>();

function nullableAlternatives(alternatives: Alternatives): boolean {
	let known = nullables.get(alternatives);
	if (known === undefined) {
		known = alternatives.some(nullableSequence);
		nullables.set(alternatives, known);
	}
	return known;
}

function nullableSequence(sequence: Sequence): boolean {
	return sequence.every(nullableTerm);
}

function nullableTerm(term: Term): boolean {
	if (term.min === 0) return true;
	const { atom } = term;
	if (atom.kind === 'char') return false;
	if (atom.kind === 'group' || atom.kind === 'modifiers') return nullableAlternatives(atom.body);
	return true;
}

function firstOfAlternatives(alternatives: Alternatives): CharSet {
	let known = firstSets.get(alternatives);
	if (known === undefined) {
		known = alternatives.reduce<CharSet>(
			(set, sequence) => union(set, firstOfSequence(sequence)),
			EMPTY,
		);
		firstSets.set(alternatives, known);
	}
	return known;
}

function firstOfSequence(sequence: Sequence): CharSet {
	let set: CharSet = EMPTY;
	for (const term of sequence) {
		set = union(set, firstOfTerm(term));
		if (!nullableTerm(term)) break;
	}
	return set;
}

function firstOfTerm(term: Term): CharSet {
	const { atom } = term;
	if (atom.kind === 'char') return atom.set;
	if (atom.kind === 'group' || atom.kind === 'modifiers') return firstOfAlternatives(atom.body);
	return EMPTY;
}

/** How the validator runs one schema's pattern: compiled and judged once per schema object. */
export type PatternRunner =
	| {
			kind: 'run';
			regex: RegExp;
			/** Longer text fails the check with this limit named. */
			maxChars: number;
			/** Validation steps charged for a text of this length (see jsonSchema.ts). */
			cost: (length: number) => number;
	  }
	| { kind: 'refused'; reason: string }
	/** Not a valid pattern: the schema check reports it; it constrains nothing. */
	| { kind: 'invalid' };

/**
 * Steps per character: a quadratic pattern on 1,000 characters costs 10,001 steps, a linear one
 * on 100,000 characters 1,001 (measured worst cases: about 1.2 ms and 0.3 ms).
 */
const CHARS_PER_STEP = 100;

const runners = new WeakMap<object, { source: string; runner: PatternRunner }>();

export function patternRunner(schema: object, source: string): PatternRunner {
	const known = runners.get(schema);
	if (known && known.source === source) return known.runner;
	let regex: RegExp | undefined;
	try {
		regex = new RegExp(source, 'u');
	} catch {
		regex = undefined;
	}
	const verdict = regex ? analysePattern(source) : undefined;
	let runner: PatternRunner;
	if (!regex || !verdict) runner = { kind: 'invalid' };
	else if (!verdict.ok) runner = { kind: 'refused', reason: verdict.reason };
	else if (verdict.growth === 'linear') {
		runner = {
			kind: 'run',
			regex,
			maxChars: MAX_PATTERN_TEXT_CHARS_LINEAR,
			cost: (length) => 1 + Math.floor(length / CHARS_PER_STEP),
		};
	} else {
		runner = {
			kind: 'run',
			regex,
			maxChars: MAX_PATTERN_TEXT_CHARS,
			cost: (length) => 1 + Math.floor((length * length) / CHARS_PER_STEP),
		};
	}
	runners.set(schema, { source, runner });
	return runner;
}
