import {
	AdaptiveLimit,
	DEFAULT_PAUSE_MS,
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

/** A limit that learned `k` from a refused burst: `k` slots held, nobody waiting. */
async function learnedLimit(t: ReturnType<typeof fakeClock>, k: number) {
	const limit = new AdaptiveLimit(t.clock);
	const { granted } = acquireMany(limit, k + 3);
	await t.flush();
	granted.slice(k).forEach((s) => s.refused(1_000));
	expect(limit.limit).toBe(k);
	return { limit, held: granted.slice(0, k) };
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

	it('after a burst refused beyond K, lets K through at a time; only the refused wait', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		const K = 5;
		const { granted } = acquireMany(limit, 200);
		await t.flush();
		// The server accepts K (in any order) and refuses the rest.
		granted.slice(0, 195).forEach((s) => s.refused(1_000));
		expect(limit.limit).toBe(K);
		// Requests that did not take part in the burst are not held back by its Retry-After:
		// they queue for the slots of the K accepted ones, which free them as they finish.
		const later = acquireMany(limit, 10);
		await t.flush();
		expect(later.granted).toHaveLength(0);
		expect(limit.pausedUntil).toBe(0);
		granted.slice(195, 197).forEach((s) => s.done());
		await t.flush();
		expect(later.granted).toHaveLength(2);
		expect(limit.inFlight).toBe(K);
	});

	it('counts, in the first burst, the answers that came back before its first 429', async () => {
		const t = fakeClock();
		const limit = new AdaptiveLimit(t.clock);
		const { granted } = acquireMany(limit, 10);
		await t.flush();
		// The server accepts 5: two of them answer before the first 429 arrives, three after.
		granted[0].done();
		granted[1].done();
		granted.slice(5).forEach((s) => s.refused(1_000));
		granted.slice(2, 5).forEach((s) => s.done());
		expect(limit.limit).toBe(5);
	});

	it('a refused probe takes the limit back to what was accepted, not to half', async () => {
		const t = fakeClock();
		const { limit, held } = await learnedLimit(t, 6);
		const probe = acquireMany(limit, 1);
		held[0].done();
		await t.flush();
		// Another request took the freed slot; one more is refused while 5 are in flight.
		probe.granted[0].refused(1_000);
		expect(limit.limit).toBe(5);
	});

	it('a lone request refused makes everyone wait out its Retry-After (a quota, not a crowd)', async () => {
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

	it('a cancelled waiter leaves the queue and gets the abort reason', async () => {
		const t = fakeClock();
		const { limit, held } = await learnedLimit(t, 1);
		const controller = new AbortController();
		const waiting = acquireMany(limit, 2, controller.signal);
		await t.flush();
		expect(limit.waiting).toBe(2);
		controller.abort(new Error('cancelled'));
		await t.flush();
		expect(waiting.rejected).toHaveLength(2);
		expect(limit.waiting).toBe(0);
		held[0].done();
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
		// Its one held slot is leaked: that request's end is never seen.
		const { limit } = await learnedLimit(t, 1);
		const waiting = acquireMany(limit, 1);
		await t.advance(SLOT_LEASE_MS - 1);
		expect(waiting.granted).toHaveLength(0);
		await t.advance(1);
		expect(waiting.granted).toHaveLength(1);
	});
});
