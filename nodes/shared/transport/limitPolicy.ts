/**
 * How many requests of one credential may be in flight, learned from the server's answers alone
 * (the arithmetic of the shared limit; adaptiveLimit.ts holds the slots and the queue).
 *
 * Several n8n processes may share a key (queue-mode workers), each with its own limit and no way
 * to see the others: each learns from its own 429s only.
 * - The first refused burst sets the limit to what the server accepted of it.
 * - A round of answers at the limit, with requests waiting, adds one request, up to the level the
 *   server last refused. That level is tried again (a probe) one Retry-After per request of the
 *   limit after its refusal, and only while enough requests wait that a refusal delays none of
 *   them. A probe that holds for a whole round forgets the level: the room grew.
 * - A refusal gives back one request per request refused, the level becomes the one refused.
 * A process holding few requests probes often, one holding many rarely: when processes share the
 * server, room passes from the larger to the smaller ones, and their shares even out.
 * Only when the server refused every request in flight (a quota, not a crowd) does everyone wait
 * out the Retry-After; otherwise only the refused request waits.
 */

/** Never fewer than this many requests at once. */
export const MIN_LIMIT = 1;
/** Retry-After assumed before any was seen, when weighing a probe. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;
/** How much the latest hold time counts in the running average (the rest is the past). */
const HOLD_WEIGHT = 0.1;

/** From a first 429 until its slots have settled: how many of them the server refused. */
interface Overload {
	/** Slots granted up to this one were in flight (or just answered) when the 429 came. */
	lastSeq: number;
	/** Requests in flight when the first 429 came, the refused one included. */
	level: number;
	refused: number;
	/** The limit before this overload. */
	before: number;
}

export class LimitPolicy {
	/** Infinity until the first 429. */
	limit = Infinity;
	/** The level the server last refused (Infinity: none since the first burst). */
	ceiling = Infinity;
	private overload?: Overload;
	private successes = 0;
	/** When the last refusal came, and the Retry-After it asked for. */
	private refusedAt = 0;
	private retryAfterMs = DEFAULT_RETRY_AFTER_MS;
	/** How long a slot is held on average (answers only), for weighing a probe. */
	private holdMs = 0;

	/** A request was answered; `inFlight` others are held and `waiting` queue for a slot. */
	succeeded(now: number, inFlight: number, waiting: number, heldMs: number): void {
		this.holdMs = this.holdMs === 0 ? heldMs : this.holdMs + (heldMs - this.holdMs) * HOLD_WEIGHT;
		if (this.limit === Infinity || inFlight + 1 + waiting < this.limit) return;
		// Saturated: one round of answers at this limit earns one more request.
		if (++this.successes < this.limit) return;
		this.successes = 0;
		// A whole round at the level once refused: the room grew (another process left).
		if (this.limit >= this.ceiling) this.ceiling = Infinity;
		if (this.limit + 1 < this.ceiling || this.probeIsDue(now, waiting)) this.limit++;
	}

	/**
	 * A refused probe costs its request one Retry-After. It is tried one Retry-After per request
	 * of the limit after the last refusal, and only when the requests waiting behind it take longer
	 * to go through than that Retry-After: a refusal then delays none of them.
	 */
	private probeIsDue(now: number, waiting: number): boolean {
		const rested = now - this.refusedAt >= this.limit * this.retryAfterMs;
		const drainMs = (waiting / this.limit) * this.holdMs;
		return rested && drainMs >= this.retryAfterMs + this.holdMs;
	}

	/**
	 * The server refused the request of slot `seq` (the last slot granted is `lastSeq`) while
	 * `inFlight` others were held, and `answered` had come back since it was granted. Returns true
	 * when everyone should wait out the Retry-After.
	 */
	refused(
		now: number,
		seq: number,
		lastSeq: number,
		inFlight: number,
		retryAfterMs: number,
		answered = 0,
	): boolean {
		this.refusedAt = now;
		this.retryAfterMs = Math.max(1, retryAfterMs);
		let o = this.overload;
		if (!o || seq > o.lastSeq) {
			const first = this.limit === Infinity;
			// In the first burst every request went out at once: the answers already back were
			// accepted together with those still in flight.
			const level = inFlight + 1 + (first ? answered : 0);
			o = { lastSeq, level, refused: 0, before: this.limit };
			this.overload = o;
			// The first burst sets no ceiling: the limit grows from what it accepted until refused.
			if (!first) this.ceiling = o.level;
		}
		o.refused++;
		this.successes = 0;
		// What the server accepted of the requests in flight with the refused ones.
		const accepted = o.level - o.refused;
		const back = o.before === Infinity ? accepted : o.before - o.refused;
		this.limit = Math.max(MIN_LIMIT, Math.min(this.limit, back));
		return accepted <= 0;
	}
}
