'use strict';
/**
 * The emulator's simulation of image job durations (the `jobTimes` option). Real jobs of one kind
 * do not all take the same time: the n-th job submitted takes `jobDelayMs` (the median) times a
 * log-normal factor whose logarithm has the standard deviation `spread`, and with probability
 * `slowShare` it is a slow one, `slowFactor` times longer still. Drawn from (seed, n) alone, so a
 * seed gives the same durations every run. A simulation: MiniToolAI documents no job times.
 */

const DEFAULT_JOB_TIMES = { spread: 0.15, slowShare: 0.1, slowFactor: 2, seed: 1 };

/** The duration of the n-th job (0-based) for a median of `medianMs`; `jobTimes` null: fixed. */
function jobDurationMs(medianMs, jobTimes, n) {
	if (!jobTimes) return medianMs;
	const { spread, slowShare, slowFactor, seed } = { ...DEFAULT_JOB_TIMES, ...jobTimes };
	// Box-Muller: a standard normal from two uniform draws.
	const z =
		Math.sqrt(-2 * Math.log(1 - unit(seed, 3 * n))) * Math.cos(2 * Math.PI * unit(seed, 3 * n + 1));
	const slow = unit(seed, 3 * n + 2) < slowShare ? slowFactor : 1;
	return Math.round(medianMs * Math.exp(spread * z) * slow);
}

/** A number in [0, 1) from (seed, n): an integer hash, so any draw can be made on its own. */
function unit(seed, n) {
	let h = (Math.imul(seed, 0x27d4eb2d) ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	h ^= h >>> 16;
	return (h >>> 0) / 4294967296;
}

function checkJobTimes(value) {
	if (value === null || value === undefined) return;
	const ok =
		typeof value === 'object' &&
		!Array.isArray(value) &&
		['spread', 'slowShare', 'slowFactor', 'seed'].every(
			(k) => value[k] === undefined || (typeof value[k] === 'number' && value[k] >= 0),
		);
	if (!ok) {
		throw new TypeError(
			'jobTimes must be null or { spread?, slowShare?, slowFactor?, seed? } with numbers >= 0',
		);
	}
}

module.exports = { DEFAULT_JOB_TIMES, jobDurationMs, checkJobTimes };
