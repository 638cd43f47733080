import { createHash } from 'crypto';
import { sleep } from 'n8n-workflow';

/**
 * One adaptive concurrency limit per credential and Base URL, shared by every request this n8n
 * process sends with them: all three nodes, all items, all running executions. Without a 429 no
 * limit is in force and a request only counts itself in and out. After a 429 the limit settles
 * near what the server allows:
 * - Retry-After: nobody on this key starts a request before it has passed (one wait for all,
 *   instead of every item backing off on its own);
 * - decrease: when that pause ends, to the number of requests that were in flight when the first
 *   429 came and were not refused (what the server evidently accepted): a multiplicative decrease
 *   by the share the server refused;
 * - increase: one more request after each round of successes while requests queue (additive),
 *   except back up to the level the server last refused: each refused probe pauses everyone, so
 *   that probe waits for many quiet rounds.
 * In queue mode each worker process learns on its own.
 */

/** Never fewer than this many requests at once. */
export const MIN_LIMIT = 1;
/** A 429 without Retry-After pauses the key this long. */
export const DEFAULT_PAUSE_MS = 1_000;
/** The longest pause one 429 imposes on everyone. */
export const MAX_PAUSE_MS = 60_000;
/** Saturated rounds without a refusal before the limit tries the level last refused again. */
export const PROBE_AFTER_ROUNDS = 200;
/**
 * A slot not released after this long no longer counts (n8n's default request timeout): a request
 * whose end the package could not observe must not shrink the limit for good.
 */
export const SLOT_LEASE_MS = 300_000;

export interface Clock {
	now(): number;
	sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms, signal) => await sleep(ms, signal),
};

/** One request's place under the limit. Every method may be called more than once. */
export interface Slot {
	/** The server accepted the request and its answer has been read (or dropped). */
	done(): void;
	/** The server refused it with a 429; `retryAfterMs` as the server asked, when it did. */
	refused(retryAfterMs?: number): void;
	/** The request failed without an answer (network error, cancel): no lesson for the limit. */
	release(): void;
}

interface HeldSlot extends Slot {
	/** Grant order: tells the requests sent before an overload from those sent after. */
	seq: number;
	expiresAt: number;
	held: boolean;
}

interface Waiter {
	grant: (slot: HeldSlot) => void;
}

/** From a first 429 until its pause ends: which requests the server accepted and refused. */
interface Overload {
	/** Slots granted up to this one were in flight (or just answered) when the 429 came. */
	lastSeq: number;
	inFlight: number;
	refused: number;
}

export class AdaptiveLimit {
	/** Infinity until the first 429. */
	limit = Infinity;
	inFlight = 0;
	/** No request starts before this time (a Retry-After). */
	pausedUntil = 0;
	/** The level the server last refused: the increase slows down just below it. */
	ceiling = Infinity;
	private seq = 0;
	private overload?: Overload;
	private successes = 0;
	private quietRounds = 0;
	private readonly held = new Set<HeldSlot>();
	private readonly queue: Waiter[] = [];
	private timer?: { at: number; stop: AbortController };

	constructor(private readonly clock: Clock = systemClock) {}

	/** Requests waiting for a slot. */
	get waiting(): number {
		return this.queue.length;
	}

	/**
	 * A slot for one request: at once while under the limit and nobody waits, else in turn.
	 * Rejects with the signal's reason when it aborts first.
	 */
	async acquire(signal?: AbortSignal): Promise<Slot> {
		if (signal?.aborted) throw signal.reason;
		if (this.queue.length === 0 && this.inFlight < this.limit && this.pausedUntil === 0) {
			return this.grant(this.clock.now());
		}
		return await new Promise<Slot>((resolve, reject) => {
			const onAbort = () => {
				const at = this.queue.indexOf(waiter);
				if (at >= 0) this.queue.splice(at, 1);
				this.stopTimerIfIdle();
				reject(signal?.reason);
			};
			const waiter: Waiter = {
				grant: (slot) => {
					signal?.removeEventListener('abort', onAbort);
					resolve(slot);
				},
			};
			signal?.addEventListener('abort', onAbort, { once: true });
			this.queue.push(waiter);
			this.dispatch();
		});
	}

	private grant(now: number): HeldSlot {
		this.inFlight++;
		const slot: HeldSlot = {
			seq: ++this.seq,
			expiresAt: now + SLOT_LEASE_MS,
			held: true,
			done: () => {
				if (this.free(slot)) this.onSuccess();
			},
			refused: (retryAfterMs) => {
				if (this.free(slot)) this.onRefused(slot, retryAfterMs);
			},
			release: () => {
				if (this.free(slot)) this.dispatch();
			},
		};
		this.held.add(slot);
		return slot;
	}

	/** True the first time only: a slot counts out once, whoever reports it. */
	private free(slot: HeldSlot): boolean {
		if (!slot.held) return false;
		slot.held = false;
		this.held.delete(slot);
		this.inFlight--;
		return true;
	}

	private hasRoom(now: number): boolean {
		if (this.inFlight < this.limit) return true;
		for (const slot of this.held) {
			if (slot.expiresAt <= now) this.free(slot);
		}
		return this.inFlight < this.limit;
	}

	private onSuccess(): void {
		if (this.limit !== Infinity && this.inFlight + 1 + this.queue.length >= this.limit) {
			// Saturated: one round of successes at this limit earns one more request.
			if (++this.successes >= this.limit) {
				this.successes = 0;
				this.quietRounds++;
				const probe = this.limit + 1 >= this.ceiling;
				if (!probe || this.quietRounds >= PROBE_AFTER_ROUNDS) {
					this.limit++;
					// A probe that goes through shows the old ceiling is gone.
					if (this.limit >= this.ceiling) this.ceiling = Infinity;
					this.quietRounds = 0;
				}
			}
		}
		this.dispatch();
	}

	private onRefused(slot: HeldSlot, retryAfterMs?: number): void {
		const now = this.clock.now();
		if (this.overload && slot.seq > this.overload.lastSeq) this.endOverload();
		if (this.overload) {
			this.overload.refused++;
		} else {
			this.overload = { lastSeq: this.seq, inFlight: this.inFlight + 1, refused: 1 };
		}
		const pause = Math.min(MAX_PAUSE_MS, Math.max(0, retryAfterMs ?? DEFAULT_PAUSE_MS));
		this.pausedUntil = Math.max(this.pausedUntil, now + pause);
		this.dispatch();
	}

	/** The pause is over: the limit becomes what the server accepted meanwhile. */
	private endOverload(): void {
		const { inFlight, refused } = this.overload!;
		this.overload = undefined;
		// Multiplicative: the limit shrinks by the share of its requests the server refused.
		const accepted = Math.max(MIN_LIMIT, inFlight - refused);
		// A limit in force that drew refusals is not tried again soon. The first burst sets none:
		// what it shows the server accepted can be low (fast answers that came back before the
		// first 429 are not counted), so the limit grows from there until it is refused.
		if (this.limit !== Infinity) this.ceiling = Math.min(this.ceiling, this.limit);
		this.limit = Math.max(MIN_LIMIT, Math.min(this.limit, accepted, this.ceiling - 1));
		this.successes = 0;
		this.quietRounds = 0;
	}

	/** Hands free slots to waiters in order; wakes itself when a pause or a lease ends. */
	private dispatch(): void {
		const now = this.clock.now();
		if (now < this.pausedUntil) {
			if (this.queue.length > 0) this.wakeAt(this.pausedUntil);
			return;
		}
		if (this.pausedUntil !== 0) {
			this.pausedUntil = 0;
			if (this.overload) this.endOverload();
		}
		while (this.queue.length > 0 && this.hasRoom(now)) {
			this.queue.shift()!.grant(this.grant(now));
		}
		if (this.queue.length === 0) return this.stopTimerIfIdle();
		// Full: releases dispatch; so does the oldest lease's end, should its release never come.
		const oldest = this.held.values().next().value;
		if (oldest) this.wakeAt(oldest.expiresAt);
	}

	private wakeAt(at: number): void {
		if (this.timer && this.timer.at <= at) return;
		this.timer?.stop.abort();
		const timer = { at, stop: new AbortController() };
		this.timer = timer;
		this.clock.sleep(Math.max(0, at - this.clock.now()), timer.stop.signal).then(
			() => {
				if (this.timer === timer) this.timer = undefined;
				this.dispatch();
			},
			() => undefined,
		);
	}

	private stopTimerIfIdle(): void {
		if (this.queue.length > 0 || !this.timer) return;
		this.timer.stop.abort();
		this.timer = undefined;
	}
}

const limits = new Map<string, AdaptiveLimit>();

/**
 * The limit of one credential and Base URL in this process. The key is hashed so that the map
 * never holds it in the clear.
 */
export function limitFor(baseUrl: string, apiKey: string): AdaptiveLimit {
	const id = createHash('sha256').update(`${baseUrl}\n${apiKey}`).digest('base64');
	let limit = limits.get(id);
	if (!limit) {
		limit = new AdaptiveLimit();
		limits.set(id, limit);
	}
	return limit;
}

/** Forgets every learned limit (a fresh process), for tests that must not inherit one. */
export function forgetLimits(): void {
	limits.clear();
}
