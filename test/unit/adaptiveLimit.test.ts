import {
	AdaptiveLimit,
	DEFAULT_PAUSE_MS,
	PROBE_AFTER_ROUNDS,
	SLOT_LEASE_MS,
	type Clock,
	type Slot,
} from '../../nodes/shared/transport/adaptiveLimit';

/** A clock that moves only when the test says so. */
function fakeClock() {
	let now = 1_000;
	const sleepers: Array<{ at: number; resolve: () => void }> = [];
	const clock: Clock = {
		now: () => now,
		sleep: async (ms, signal) =>
			await new Promise<void>((resolve, reject) => {
				const sleeper = { at: now + ms, resolve };
				sleepers.push(sleeper);
				signal.addEventListener('abort', () => {
					sleepers.splice(sleepers.indexOf(sleeper), 1);
					reject(signal.reason);
				});
			}),
	};
	const flush = async () => {
		for (let i = 0; i < 10; i++) await Promise.resolve();
	};
	return {
		clock,
		pendingTimers: () => sleepers.length,
		advance: async (ms: number) => {
			now += ms;
			for (const s of sleepers.filter((x) => x.at <= now)) {
				sleepers.splice(sleepers.indexOf(s), 1);
				s.resolve();
			}
			await flush();
		},
		flush,
	};
}

/** Starts `n` acquires; returns the slots granted so far (in order) and the pending count. */
function acquireMany(limit: AdaptiveLimit, n: number, signal?: AbortSignal) {
	const granted: Slot[] = [];
	const rejected: unknown[] = [];
	for (let i = 0; i < n; i++) {
		limit.acquire(signal).then(
			(slot) => granted.push(slot),
			(reason) => rejected.push(reason),
		);
	}
	return { granted, rejected };
}

describe('AdaptiveLimit', () => {
	it('without a 429 grants every request at once and sets no timer', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		const { granted } = acquireMany(limit, 500);
		await t.flush();
		expect(granted).toHaveLength(500);
		expect(limit.inFlight).toBe(500);
		granted.forEach((s) => s.done());
		expect(limit.inFlight).toBe(0);
		expect(limit.limit).toBe(Infinity);
		expect(t.pendingTimers()).toBe(0);
	});

	it('after a burst refused beyond K, settles at K and makes everyone wait out Retry-After', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		const K = 5;
		const { granted } = acquireMany(limit, 200);
		await t.flush();
		// The server accepts the first K (in any order) and refuses the rest.
		const refused = granted.slice(0, 195);
		const accepted = granted.slice(195);
		refused.forEach((s) => s.refused(1_000));
		// The refused requests come back for a new slot: nobody gets one during the pause.
		const retry = acquireMany(limit, 195);
		await t.advance(999);
		expect(retry.granted).toHaveLength(0);
		accepted.forEach((s) => s.done());
		await t.advance(1);
		expect(limit.limit).toBe(K);
		expect(retry.granted).toHaveLength(K);
		// A round of successes earns one more (the first burst may have under-counted); the server
		// refuses it, and the limit goes back to K, now with K + 1 as the level not to try soon.
		retry.granted.slice(0, K).forEach((s) => s.done());
		await t.flush();
		expect(limit.limit).toBe(K + 1);
		expect(limit.inFlight).toBe(K + 1);
		const [probe, ...others] = retry.granted.slice(K, 2 * K + 1).reverse();
		probe.refused(1_000);
		others.forEach((s) => s.done());
		await t.advance(1_000);
		expect(limit.limit).toBe(K);
		expect(limit.ceiling).toBe(K + 1);
	});

	it('a refused probe takes the limit back to what was accepted, not to half', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		limit.limit = 6;
		const { granted } = acquireMany(limit, 6);
		await t.flush();
		granted[5].refused(0);
		granted.slice(0, 5).forEach((s) => s.done());
		await t.advance(1);
		acquireMany(limit, 1);
		await t.flush();
		expect(limit.limit).toBe(5);
	});

	it('shrinks by the share of requests the server refused (multiplicative decrease)', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		limit.limit = 8;
		const { granted } = acquireMany(limit, 8);
		await t.flush();
		granted.slice(2).forEach((s) => s.refused(100));
		granted.slice(0, 2).forEach((s) => s.done());
		await t.advance(100);
		acquireMany(limit, 1);
		await t.flush();
		expect(limit.limit).toBe(2);
	});

	it('a 429 without Retry-After pauses the key for the default time', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		const first = await limit.acquire();
		first.refused(undefined);
		const waiting = acquireMany(limit, 1);
		await t.advance(DEFAULT_PAUSE_MS - 1);
		expect(waiting.granted).toHaveLength(0);
		await t.advance(1);
		expect(waiting.granted).toHaveLength(1);
	});

	it('grows by one per saturated round below the last refused level, then probes only after many rounds', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		limit.limit = 3;
		limit.ceiling = 6;
		// A long queue keeps the limit saturated; every answer is a success.
		const { granted } = acquireMany(limit, 20_000);
		await t.flush();
		let answered = 0;
		const answerRound = async () => {
			const open = granted.slice(answered);
			answered += open.length;
			open.forEach((s) => s.done());
			await t.flush();
		};
		await answerRound();
		expect(limit.limit).toBe(4);
		await answerRound();
		expect(limit.limit).toBe(5);
		// 6 was refused before: stay at 5 for many rounds.
		for (let i = 0; i < PROBE_AFTER_ROUNDS - 2; i++) await answerRound();
		expect(limit.limit).toBe(5);
		for (let i = 0; i < 3; i++) await answerRound();
		expect(limit.limit).toBeGreaterThanOrEqual(6);
	});

	it('a cancelled waiter leaves the queue and gets the abort reason', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		limit.limit = 1;
		const held = await limit.acquire();
		const controller = new AbortController();
		const waiting = acquireMany(limit, 2, controller.signal);
		await t.flush();
		expect(limit.waiting).toBe(2);
		controller.abort(new Error('cancelled'));
		await t.flush();
		expect(waiting.rejected).toHaveLength(2);
		expect(limit.waiting).toBe(0);
		held.done();
		expect(limit.inFlight).toBe(0);
		expect(t.pendingTimers()).toBe(0);
	});

	it('a slot is counted out once, however often it is reported', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		const slot = await limit.acquire();
		slot.done();
		slot.release();
		slot.refused(1000);
		expect(limit.inFlight).toBe(0);
		expect(limit.limit).toBe(Infinity);
	});

	it('a slot never released stops counting when its lease ends', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		limit.limit = 1;
		await limit.acquire(); // leaked: its request's end was never seen
		const waiting = acquireMany(limit, 1);
		await t.advance(SLOT_LEASE_MS - 1);
		expect(waiting.granted).toHaveLength(0);
		await t.advance(1);
		expect(waiting.granted).toHaveLength(1);
	});
});
