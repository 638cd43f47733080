import { createHash } from 'crypto';
import { sleep } from 'n8n-workflow';

import { LimitPolicy } from './limitPolicy';

/**
 * One adaptive concurrency limit per credential and Base URL, shared by every request this n8n
 * process sends with them: all three nodes, all items, all running executions. Without a 429 no
 * limit is in force and a request only counts itself in and out. After a 429 the limit follows
 * what the server accepts (limitPolicy.ts): requests beyond it wait here for a slot, in order.
 * In queue mode each worker process learns on its own, and their limits converge on shares.
 */

/** A 429 without Retry-After is waited out this long. */
export const DEFAULT_PAUSE_MS = 1_000;
/** The longest pause one 429 imposes on everyone. */
export const MAX_PAUSE_MS = 60_000;
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
	grantedAt: number;
	/** Answers so far when it was granted. */
	answeredBefore: number;
	expiresAt: number;
	held: boolean;
}

interface Waiter {
	grant: (slot: HeldSlot) => void;
}

export class AdaptiveLimit {
	inFlight = 0;
	/** Requests answered (not refused) so far. */
	answered = 0;
	/** No request starts before this time (a Retry-After that held for every request). */
	pausedUntil = 0;
	private readonly policy = new LimitPolicy();
	private seq = 0;
	private readonly held = new Set<HeldSlot>();
	private readonly queue: Waiter[] = [];
	private timer?: { at: number; stop: AbortController };

	constructor(private readonly clock: Clock = systemClock) {}

	/** Requests at once: Infinity until the first 429. */
	get limit(): number {
		return this.policy.limit;
	}

	/** The level the server last refused. */
	get ceiling(): number {
		return this.policy.ceiling;
	}

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
			grantedAt: now,
			answeredBefore: this.answered,
			expiresAt: now + SLOT_LEASE_MS,
			held: true,
			done: () => {
				if (!this.free(slot)) return;
				this.answered++;
				const now = this.clock.now();
				this.policy.succeeded(now, this.inFlight, this.queue.length, now - slot.grantedAt);
				this.dispatch();
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

	private onRefused(slot: HeldSlot, retryAfterMs?: number): void {
		const pause = Math.min(MAX_PAUSE_MS, Math.max(0, retryAfterMs ?? DEFAULT_PAUSE_MS));
		const now = this.clock.now();
		const answered = this.answered - slot.answeredBefore;
		if (this.policy.refused(now, slot.seq, this.seq, this.inFlight, pause, answered)) {
			// The server took none of ours: a quota, not a crowd. Nobody sends before it has passed.
			this.pausedUntil = Math.max(this.pausedUntil, now + pause);
		}
		this.dispatch();
	}

	/** Hands free slots to waiters in order; wakes itself when a pause or a lease ends. */
	private dispatch(): void {
		const now = this.clock.now();
		if (now < this.pausedUntil) {
			if (this.queue.length > 0) this.wakeAt(this.pausedUntil);
			return;
		}
		this.pausedUntil = 0;
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
