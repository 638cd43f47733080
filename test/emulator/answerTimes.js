'use strict';
/**
 * The emulator's simulation of how long a model takes to answer (the `answerTimes` option): a
 * first token after a delay, then a reply of some length written at some pace, each drawn per
 * request from a range. The draws depend only on the seed and the request body, not on arrival
 * order, so a run under load is repeatable and a re-sent request (after a 429) gets the same
 * answer. This is not a claim about the real API's timings.
 */
const { cannedReply } = require('./canned');
const { tokenize } = require('./replies');
const { isInt, isPlainObject } = require('./util');

const RANGES = ['firstTokenMs', 'tokens', 'tokenGapMs'];
const DEFAULTS = { seed: 1, firstTokenMs: [300, 1000], tokens: [20, 60], tokenGapMs: [10, 30] };

/** `answerTimes` as given, checked: null (off) or every range filled in from the defaults. */
function normaliseAnswerTimes(value) {
	if (value === null || value === undefined || value === false) return null;
	if (!isPlainObject(value)) {
		throw new TypeError(
			'answerTimes must be an object ({ seed, firstTokenMs, tokens, tokenGapMs }) or null',
		);
	}
	const out = { ...DEFAULTS };
	if (value.seed !== undefined) {
		if (!isInt(value.seed)) throw new TypeError('answerTimes.seed must be an integer');
		out.seed = value.seed;
	}
	for (const name of RANGES) {
		const range = value[name];
		if (range === undefined) continue;
		const ok =
			Array.isArray(range) &&
			range.length === 2 &&
			range.every((n) => isInt(n) && n >= 0) &&
			range[0] <= range[1];
		if (!ok)
			throw new TypeError(`answerTimes.${name} must be [min, max], integers 0 <= min <= max`);
		out[name] = [range[0], range[1]];
	}
	if (out.tokens[0] < 1) throw new TypeError('answerTimes.tokens must be at least 1');
	return out;
}

/** FNV-1a (32 bit) of the seed and the body, then mulberry32: a small, stable generator. */
function generator(seed, text) {
	let h = 0x811c9dc5 ^ (seed >>> 0);
	for (const byte of Buffer.from(text, 'utf8')) {
		h ^= byte;
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	let state = h;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** This request's draws: `{ firstTokenMs, tokens, tokenGapMs }`. */
function drawAnswerTimes(times, rawBody) {
	const next = generator(times.seed, rawBody);
	const pick = ([min, max]) => min + Math.floor(next() * (max - min + 1));
	return {
		firstTokenMs: pick(times.firstTokenMs),
		tokens: pick(times.tokens),
		tokenGapMs: pick(times.tokenGapMs),
	};
}

/**
 * The reply lengthened to `tokens` word pieces with the canned text of the same message (repeated
 * if need be). A longer reply is kept whole: its words (an echo of the question) are never cut.
 */
function lengthenReply(reply, tokens, question) {
	const have = tokenize(reply);
	if (have.length >= tokens) return reply;
	const filler = tokenize(cannedReply(question));
	const words = [...have];
	for (let i = 0; words.length < tokens; i++) {
		const piece = filler[i % filler.length];
		words.push(words.length === 0 ? piece.trimStart() : /^\s/.test(piece) ? piece : ` ${piece}`);
	}
	return words.join('');
}

module.exports = {
	normaliseAnswerTimes,
	drawAnswerTimes,
	lengthenReply,
	ANSWER_TIMES_DEFAULTS: DEFAULTS,
};
