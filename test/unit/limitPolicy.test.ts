import { LimitPolicy } from '../../nodes/shared/transport/limitPolicy';

/**
 * The learning rule alone: numbers in, numbers out (the slots and the queue are in
 * adaptiveLimit.test.ts, processes sharing a server in sharedLimit.simulation.test.ts).
 */
const RA = 1_000;
const HOLD = 50;

/** A policy that learned `limit` from a first burst of 100, then one round grew it by one. */
function learned(limit: number): LimitPolicy {
	const p = new LimitPolicy();
	for (let i = 0; i < 100 - limit; i++) p.refused(0, i + 1, 100, 99 - i, RA);
	expect(p.limit).toBe(limit);
	round(p, 0, 1_000);
	return p;
}

/** One round of answers at the limit while `waiting` requests queue. */
function round(p: LimitPolicy, now: number, waiting: number): void {
	for (let i = 0, n = p.limit; i < n; i++) p.succeeded(now, p.limit - 1, waiting, HOLD);
}

describe('LimitPolicy', () => {
	it('learns from the first refused burst what the server accepted, and sets no ceiling', () => {
		const p = new LimitPolicy();
		// 200 requests in flight; the server accepts 7 and refuses 193 (one overload).
		let inFlight = 200;
		for (let i = 0; i < 193; i++) p.refused(0, i + 1, 200, --inFlight, RA);
		expect(p.limit).toBe(7);
		expect(p.ceiling).toBe(Infinity);
	});

	it('adds one request per round of answers at the limit, only while requests queue', () => {
		const p = learned(5);
		expect(p.limit).toBe(6);
		round(p, 0, 1_000);
		expect(p.limit).toBe(7);
		// Not saturated: answers with nothing waiting teach nothing.
		for (let i = 0; i < 50; i++) p.succeeded(0, 0, 0, HOLD);
		expect(p.limit).toBe(7);
	});

	it('a refusal gives back one request per request refused; that level becomes the ceiling', () => {
		const p = learned(5);
		round(p, 0, 1_000);
		expect(p.limit).toBe(7);
		// Two of the 7 in flight refused in one overload (the second while 5 are still out).
		p.refused(10, 1_000, 1_000, 6, RA);
		p.refused(10, 999, 1_000, 5, RA);
		expect([p.limit, p.ceiling]).toEqual([5, 7]);
		// Below the ceiling it grows back one per round.
		round(p, 20, 1_000);
		expect(p.limit).toBe(6);
	});

	it('tries the level last refused one Retry-After per request of the limit after the refusal', () => {
		const p = learned(5);
		p.refused(10, 1_000, 1_000, 5, RA); // the 6th refused
		expect([p.limit, p.ceiling]).toEqual([5, 6]);
		round(p, 10 + 5 * RA - 1, 1_000);
		expect(p.limit).toBe(5);
		round(p, 10 + 5 * RA, 1_000);
		expect(p.limit).toBe(6);
		// A larger limit waits longer: 10 requests, 10 Retry-Afters.
		const q = learned(10);
		q.refused(0, 1_000, 1_000, 10, RA);
		round(q, 10 * RA - 1, 1_000);
		expect(q.limit).toBe(10);
		round(q, 10 * RA, 1_000);
		expect(q.limit).toBe(11);
	});

	it('probes only while enough requests wait that a refusal delays none of them', () => {
		const p = learned(10);
		p.refused(0, 1_000, 1_000, 10, RA); // 11 refused
		expect(p.limit).toBe(10);
		// 100 waiting at 10 a round of 50 ms drain in 500 ms, less than a 1 s Retry-After.
		round(p, 20 * RA, 100);
		expect(p.limit).toBe(10);
		// 300 waiting take 1.5 s: a refused probe would be back before they are through.
		round(p, 20 * RA, 300);
		expect(p.limit).toBe(11);
	});

	it('a whole round at the level once refused forgets it: the room grew', () => {
		const p = learned(5);
		p.refused(0, 1_000, 1_000, 5, RA);
		round(p, 5 * RA, 1_000);
		expect([p.limit, p.ceiling]).toEqual([6, 6]);
		round(p, 5 * RA, 1_000);
		expect([p.limit, p.ceiling]).toEqual([7, Infinity]);
	});

	it('asks everyone to wait only when the server refused every request in flight', () => {
		const p = learned(5);
		// Refused with others in flight: a crowd; only the refused request waits.
		expect(p.refused(0, 1_000, 1_000, 5, RA)).toBe(false);
		// A lone request refused (nothing of ours accepted): a quota, everyone waits.
		const q = new LimitPolicy();
		expect(q.refused(0, 1, 1, 0, RA)).toBe(true);
		expect(q.limit).toBe(1);
	});
});
