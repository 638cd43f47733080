import { MAX_RATE_LIMIT_RETRIES } from '../../nodes/shared/transport/rateLimit';
import { Simulation, type RunResult } from './limitSimulation';

/**
 * n8n processes (queue-mode workers) sharing one API key, each with its own limit and no way to
 * see the others, against one server that allows K requests at once (429 + Retry-After beyond).
 * Simulated time, seeded delays: deterministic. Bounds are the goals, checked on several
 * seeds; they are not timing assertions on this machine.
 */
const SERVER = { limit: 10, answerMs: 1_000, refuseMs: 50, retryAfterMs: 1_000 };
/** Each process's own path around a request: 5 ms + up to 20 ms out, 5 ms back. */
const ENGINE = { sendMs: 5, jitterMs: 20, readMs: 5, maxRetries: MAX_RATE_LIMIT_RETRIES };
const ITEMS = 200;
const IDEAL_MS = (ITEMS / SERVER.limit) * SERVER.answerMs;
const SEEDS = [1, 2, 3, 4, 5];

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const split = (processes: number) => new Array(processes).fill(ITEMS / processes);

/** Jain's fairness index of the answers each process got: 1 = equal, 1/W = one took all. */
function fairness(counts: number[]): number {
	return sum(counts) ** 2 / (counts.length * sum(counts.map((c) => c * c)));
}

/** Answers per process while all of them were still running, after the first `fromMs`. */
function sharesWhileAllRun(run: RunResult, fromMs: number): number[] {
	const until = Math.min(...run.finishedMs);
	const counts = run.finishedMs.map(() => 0);
	for (const [at, w] of run.answers) if (at >= fromMs && at <= until) counts[w]++;
	return counts;
}

describe.each([1, 2, 4])('%i process(es) sharing one key, K = 10, 200 items', (processes) => {
	it.each(SEEDS)('seed %i: no item fails, both runs within 1.35× the ideal', async (seed) => {
		const sim = new Simulation(processes, SERVER, ENGINE, seed);
		const first = await sim.run(split(processes));
		const learned = await sim.run(split(processes));
		for (const run of [first, learned]) {
			expect(sum(run.failed)).toBe(0);
			expect(sum(run.answered)).toBe(ITEMS);
			expect(run.peakAtServer).toBeLessThanOrEqual(SERVER.limit);
			expect(run.totalMs / IDEAL_MS).toBeLessThanOrEqual(1.35);
		}
	});
});

describe('limits that converge', () => {
	it('one process learns K from its first burst; then K + 1 is tried once per K Retry-Afters', async () => {
		const sim = new Simulation(1, SERVER, ENGINE, 1);
		await sim.run([ITEMS]);
		expect(sim.limits[0].limit).toBe(SERVER.limit);
		const learned = await sim.run([ITEMS]);
		// The run lasts 20 Retry-Afters: two probes at most, refused, and the run no longer.
		const probes = Math.ceil(learned.totalMs / (SERVER.limit * SERVER.retryAfterMs));
		expect(learned.refusals[0]).toBeLessThanOrEqual(probes);
		expect(learned.totalMs / IDEAL_MS).toBeLessThanOrEqual(1.05);
	});

	it.each(SEEDS)(
		'seed %i, 4 processes × 500 items: after the first burst the server stays busy, refusals stay rare, and the shares even out',
		async (seed) => {
			const sim = new Simulation(4, SERVER, ENGINE, seed);
			const run = await sim.run([500, 500, 500, 500]);
			const settled = SERVER.retryAfterMs * 5;
			const shares = sharesWhileAllRun(run, settled);
			const seconds = (Math.min(...run.finishedMs) - settled) / 1000;
			// The server's K slots in use nearly all the time: the limits do not undershoot...
			expect(sum(shares) / seconds).toBeGreaterThan(0.95 * SERVER.limit);
			// ...nor keep overshooting: after the first burst (one refusal per item beyond K), each
			// process is refused less than once per two Retry-Afters on average.
			const firstBurst = 2_000 - SERVER.limit;
			const retryAfters = run.totalMs / SERVER.retryAfterMs;
			expect(sum(run.refusals) - firstBurst).toBeLessThan((4 * retryAfters) / 2);
			expect(fairness(shares)).toBeGreaterThan(0.9);
			expect(run.totalMs / (200 * SERVER.answerMs)).toBeLessThanOrEqual(1.1);
		},
	);

	it('a process that starts while another fills the server gets in, and takes up the room the other leaves', async () => {
		const sim = new Simulation(2, SERVER, ENGINE, 1);
		const run = await sim.run([300, 100], [0, 10_000]);
		expect(sum(run.failed)).toBe(0);
		// 400 items at 10 at a time: 40 s at best.
		expect(run.totalMs / 40_000).toBeLessThanOrEqual(1.2);
	});

	it('uneven work: the process with more takes up the room of the one that finished', async () => {
		const sim = new Simulation(2, SERVER, ENGINE, 1);
		const run = await sim.run([150, 50]);
		expect(sum(run.failed)).toBe(0);
		expect(run.totalMs / IDEAL_MS).toBeLessThanOrEqual(1.25);
	});
});
