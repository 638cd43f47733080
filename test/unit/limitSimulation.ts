/**
 * A deterministic simulation of n8n processes sharing one API key: W independent AdaptiveLimits
 * (one per process, as queue-mode workers have) in front of one server that accepts K requests at
 * once and answers 429 + Retry-After beyond. Each process sends its items as the nodes do (all at
 * once, each through its limit; a refused one waits out the Retry-After and queues again).
 * Time is simulated, no timers: every wait is an event on one queue, run in time order (ties in
 * the order they were scheduled), and promise continuations are drained after each event. Random
 * delays come from a seeded generator: the same inputs always give the same run.
 */
import { AdaptiveLimit, type Clock } from '../../nodes/shared/transport/adaptiveLimit';

export interface Server {
	/** Requests in flight at once; beyond, 429. */
	limit: number;
	/** How long an accepted request takes at the server. */
	answerMs: number;
	/** How long a refusal takes to come back. */
	refuseMs: number;
	retryAfterMs: number;
}

export interface Engine {
	/** A process's own path before a request reaches the server (its slot already held)... */
	sendMs: number;
	/** ...plus up to this much more, drawn per request. */
	jitterMs: number;
	/** Its own path after the server's answer, before the slot is released. */
	readMs: number;
	/** Refusals a request takes before its item fails (the transport's retry bound). */
	maxRetries: number;
}

export interface RunResult {
	/** From the run's start to its last answer. */
	totalMs: number;
	/** Per process. */
	refusals: number[];
	failed: number[];
	answered: number[];
	finishedMs: number[];
	/** Each answer: [time since the run's start, process]. */
	answers: Array<[number, number]>;
	/** The most requests the server held at once (never above its limit). */
	peakAtServer: number;
	/** Each process's limit at the end of the run. */
	limits: number[];
}

/** Enough turns of the microtask queue for a granted slot to reach the next await. */
const MICROTASK_TURNS = 50;

interface Timer {
	at: number;
	seq: number;
	fire: () => void;
}

class SimClock implements Clock {
	nowMs = 0;
	private seq = 0;
	private readonly timers: Timer[] = [];

	now(): number {
		return this.nowMs;
	}

	async sleep(ms: number, signal?: AbortSignal): Promise<void> {
		await new Promise<void>((resolve, reject) => {
			const timer: Timer = { at: this.nowMs + Math.max(0, ms), seq: this.seq++, fire: resolve };
			this.timers.push(timer);
			signal?.addEventListener(
				'abort',
				() => {
					const at = this.timers.indexOf(timer);
					if (at >= 0) this.timers.splice(at, 1);
					reject(signal.reason);
				},
				{ once: true },
			);
		});
	}

	/** Runs the earliest timer; false when none is left. */
	async step(): Promise<boolean> {
		if (this.timers.length === 0) return false;
		let next = 0;
		for (let i = 1; i < this.timers.length; i++) {
			const t = this.timers[i];
			const best = this.timers[next];
			if (t.at < best.at || (t.at === best.at && t.seq < best.seq)) next = i;
		}
		const [timer] = this.timers.splice(next, 1);
		this.nowMs = timer.at;
		timer.fire();
		await drain();
		return true;
	}
}

async function drain(): Promise<void> {
	for (let i = 0; i < MICROTASK_TURNS; i++) await Promise.resolve();
}

/** mulberry32: a small seeded generator. */
function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** W processes, each with the limit it keeps from run to run, on one simulated clock. */
export class Simulation {
	readonly clock = new SimClock();
	readonly limits: AdaptiveLimit[];
	private readonly random: () => number;

	constructor(
		processes: number,
		private readonly server: Server,
		private readonly engine: Engine,
		seed = 1,
	) {
		this.limits = Array.from({ length: processes }, () => new AdaptiveLimit(this.clock));
		this.random = seeded(seed);
	}

	/** Process w sends items[w] items at startsMs[w] after the run's start (all at once). */
	async run(items: number[], startsMs: number[] = []): Promise<RunResult> {
		const { clock, server, engine } = this;
		const start = clock.now();
		const n = this.limits.length;
		const result: RunResult = {
			totalMs: 0,
			refusals: new Array(n).fill(0),
			failed: new Array(n).fill(0),
			answered: new Array(n).fill(0),
			finishedMs: new Array(n).fill(0),
			answers: [],
			peakAtServer: 0,
			limits: [],
		};
		let atServer = 0;
		const item = async (w: number) => {
			for (let attempt = 0; ; attempt++) {
				const slot = await this.limits[w].acquire();
				await clock.sleep(engine.sendMs + this.random() * engine.jitterMs);
				if (atServer >= server.limit) {
					await clock.sleep(server.refuseMs + engine.readMs);
					result.refusals[w]++;
					slot.refused(server.retryAfterMs);
					if (attempt >= engine.maxRetries) {
						result.failed[w]++;
						return;
					}
					// As the transport does: the refused request waits out its Retry-After.
					await clock.sleep(server.retryAfterMs);
					continue;
				}
				atServer++;
				result.peakAtServer = Math.max(result.peakAtServer, atServer);
				await clock.sleep(server.answerMs);
				atServer--;
				await clock.sleep(engine.readMs);
				slot.done();
				result.answered[w]++;
				result.answers.push([clock.now() - start, w]);
				return;
			}
		};
		const processes = items.map(async (count, w) => {
			await clock.sleep(startsMs[w] ?? 0);
			await Promise.all(Array.from({ length: count }, async () => await item(w)));
			result.finishedMs[w] = clock.now() - start;
		});
		let finished = false;
		void Promise.all(processes).then(() => (finished = true));
		await drain();
		while (!finished && (await clock.step()));
		if (!finished) throw new Error('simulation stalled: items left but no timer');
		result.totalMs = Math.max(...result.finishedMs);
		result.limits = this.limits.map((l) => l.limit);
		return result;
	}
}
