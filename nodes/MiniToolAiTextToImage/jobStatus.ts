import { redact, redactValue } from '../shared/errors';

/**
 * The job endpoint's answers, read tolerantly. Documented: `success` with an `image_url` means done.
 * Undocumented: what a running or failed job looks like. So an error-like status means failed, and
 * anything else (including `success` without a URL) means still running.
 */

export type JobState =
	| { state: 'done'; imageUrl: string; status: string; message?: string }
	| { state: 'failed'; status: string; message?: string }
	| { state: 'running'; status: string; message?: string }
	/** Not a JSON object at all (an HTML page from a proxy, say). */
	| { state: 'invalid'; status: string; message?: string };

const FAILED_STATUS =
	/^(error|errored|fail|failed|failure|cancel+ed|rejected|expired|timeout|timed[ _-]?out)$/i;

/** What a status answer says; the secret is redacted from all of it (the image URL included). */
export function classifyJob(body: unknown, secret?: string): JobState {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return { state: 'invalid', status: describeBody(body, secret) };
	}
	const data = redactValue(body as Record<string, unknown>, secret);
	const status =
		typeof data.status === 'string' ? data.status.trim() : String(data.status ?? 'unknown');
	const message =
		typeof data.message === 'string' && data.message !== '' ? data.message : undefined;
	const imageUrl = typeof data.image_url === 'string' ? data.image_url.trim() : '';
	if (/^success$/i.test(status) && imageUrl !== '')
		return { state: 'done', imageUrl, status, message };
	if (FAILED_STATUS.test(status)) return { state: 'failed', status, message };
	return { state: 'running', status, message };
}

/** "processing (Job is processing)": the last status as a user reads it in an error. */
export function describeStatus(job: { status: string; message?: string }): string {
	return job.message && job.message !== job.status ? `${job.status} (${job.message})` : job.status;
}

/**
 * Poll schedule: the first check comes soon (short jobs finish in a few seconds), then the wait
 * grows by half each time up to a ceiling, so a long job costs few requests while a finished
 * job is noticed within at most the ceiling.
 */
export const FIRST_POLL_DELAY_MS = 500;
export const POLL_BACKOFF_FACTOR = 1.5;
export const MAX_POLL_INTERVAL_MS = 4_000;
/** Transient failures (5xx, network) tolerated in a row before polling gives up. */
export const MAX_CONSECUTIVE_POLL_FAILURES = 3;

export function pollDelayMs(pollNumber: number): number {
	return Math.min(
		MAX_POLL_INTERVAL_MS,
		Math.round(FIRST_POLL_DELAY_MS * POLL_BACKOFF_FACTOR ** pollNumber),
	);
}

/**
 * Learned schedule. Jobs of one model, size and step count take similar, not equal, times, so the
 * poller learns how long they take here (this process, this Base URL): the range most of them
 * end in, from the last observations. It checks sparsely until that range, at a steady pace
 * through it, and on today's schedule again once a job runs later than the range. A kind without
 * history polls on today's schedule.
 */
/** Far from the range, one check this often (a failed job is still noticed). */
export const SPARSE_POLL_INTERVAL_MS = MAX_POLL_INTERVAL_MS;
/** In the range, checks at least this far apart... */
export const DENSE_POLL_INTERVAL_MS = 200;
/** ...and at most this far apart, however wide the range: the most a job there waits unnoticed. */
export const MAX_DENSE_POLL_INTERVAL_MS = 500;
/** The check budget: one check per this much of the typical duration, spent in the range first. */
export const AVERAGE_POLL_INTERVAL_MS = 1_000;
/** A short job may take this many checks up to its typical end, whatever the budget says. */
export const MIN_DENSE_CHECKS = 3;
/** Observations kept per kind (the newest); the range comes from them. */
export const MAX_OBSERVATIONS = 20;
/** The slowest share of the observed durations is left out of the range: rare slow jobs do not stretch it for all. */
export const SLOW_TAIL = 0.2;
/** Observations closer than this to the last one are the same one (jobs checked together). */
export const SAME_OBSERVATION_MS = 100;
/** Kinds of job remembered (oldest forgotten first). */
export const MAX_JOB_KINDS = 100;

export interface JobDurationEstimate {
	/** The kind's jobs were still running this long after the accepted submit... */
	fromMs: number;
	/** ...and most were done this long after it. */
	toMs: number;
	/** The middle of the durations seen: the check budget is counted from it. */
	typicalMs: number;
}

/** One finished job: still running when checked at `runningAtMs`, done when checked at `doneAtMs`. */
interface Observation {
	runningAtMs: number;
	doneAtMs: number;
}

const observations = new Map<string, Observation[]>();

/** One kind of job: what makes durations alike. */
export function jobKind(
	baseUrl: string,
	body: { model?: unknown; width?: unknown; height?: unknown; steps?: unknown } = {},
): string {
	return [baseUrl, body.model, body.width, body.height, body.steps].join('|');
}

/**
 * The range the kind's jobs end in. Each observation says a job took about the middle of its
 * bracket; the range runs from the fastest of those durations to the slowest but SLOW_TAIL,
 * widened by the accuracy of the best observation (a coarse first bracket is kept whole until a
 * finer one comes).
 */
export function expectedJobDuration(kind: string): JobDurationEstimate | undefined {
	const seen = observations.get(kind);
	if (!seen) return undefined;
	const durations = seen.map((o) => (o.runningAtMs + o.doneAtMs) / 2).sort((a, b) => a - b);
	const accuracy = Math.min(...seen.map((o) => (o.doneAtMs - o.runningAtMs) / 2));
	const last = durations.length - 1;
	return {
		fromMs: durations[0] - accuracy,
		toMs: durations[Math.ceil((1 - SLOW_TAIL) * last)] + accuracy,
		typicalMs: durations[Math.round(last / 2)],
	};
}

/**
 * Learns from a finished job: it was still running at `runningAtMs` (the last check that said so
 * was sent then) and done at `doneAtMs` (the check that said so was answered then). Jobs submitted
 * together are checked together and report the same bracket: that is one observation, not
 * several (kept again, it would crowd out what other jobs showed).
 */
export function recordJobDuration(kind: string, runningAtMs: number, doneAtMs: number): void {
	const seen = observations.get(kind) ?? [];
	const previous = seen[seen.length - 1];
	if (
		previous &&
		Math.abs(previous.runningAtMs - runningAtMs) < SAME_OBSERVATION_MS &&
		Math.abs(previous.doneAtMs - doneAtMs) < SAME_OBSERVATION_MS
	) {
		return;
	}
	seen.push({ runningAtMs, doneAtMs });
	if (seen.length > MAX_OBSERVATIONS) seen.shift();
	observations.delete(kind);
	observations.set(kind, seen);
	if (observations.size > MAX_JOB_KINDS) observations.delete(observations.keys().next().value!);
}

/** Forgets every learned duration (a fresh process), for tests that must not inherit one. */
export function forgetJobDurations(): void {
	observations.clear();
}

/**
 * The wait before the next status check, `elapsedMs` after the submit was accepted, after `polls`
 * checks. Without an estimate: today's schedule. With one: sparse checks until the range, steady
 * ones through it, one a second for the range's width again, then today's schedule from its
 * start. The steady pace spends the check budget
 * the sparse ones leave (at least MIN_DENSE_CHECKS) on the way to the typical end, within
 * DENSE_POLL_INTERVAL_MS..MAX_DENSE_POLL_INTERVAL_MS.
 */
export function nextPollDelayMs(
	elapsedMs: number,
	polls: number,
	expected?: JobDurationEstimate,
): number {
	if (!expected) return pollDelayMs(polls);
	const { fromMs, toMs } = expected;
	const budget = expected.typicalMs / AVERAGE_POLL_INTERVAL_MS;
	const sparseChecks = Math.ceil(fromMs / SPARSE_POLL_INTERVAL_MS);
	const denseChecks = Math.max(MIN_DENSE_CHECKS, budget - sparseChecks);
	const dense = Math.round(
		Math.min(
			MAX_DENSE_POLL_INTERVAL_MS,
			Math.max(DENSE_POLL_INTERVAL_MS, (expected.typicalMs - fromMs) / denseChecks),
		),
	);
	if (elapsedMs < fromMs) return Math.min(fromMs - elapsedMs, SPARSE_POLL_INTERVAL_MS);
	// One dense check past the range's end too: the end is only known to a check's accuracy.
	const lateFrom = toMs + dense;
	if (elapsedMs < lateFrom) return Math.min(dense, lateFrom - elapsedMs);
	// A little late (within the range's width again): still one check per second, so a job a bit
	// slower than any seen is noticed within a second, not up to the back-off's 4 s.
	const lateBy = elapsedMs - lateFrom;
	if (lateBy < toMs - fromMs) return AVERAGE_POLL_INTERVAL_MS;
	// Late: today's schedule, as if polling had started when the job became late.
	let late = 0;
	for (let waited = pollDelayMs(0); waited <= lateBy - (toMs - fromMs); late++) {
		waited += pollDelayMs(late + 1);
	}
	return pollDelayMs(late);
}

const PREVIEW_CHARS = 120;

/**
 * "an HTML page (502 Bad Gateway) instead of JSON": what came instead of a JSON object. The secret
 * is redacted before the text is clipped.
 */
export function describeBody(body: unknown, secret?: string): string {
	if (typeof body !== 'string') {
		return `${Array.isArray(body) ? 'a list' : String(body)} instead of JSON`;
	}
	const text = redact(body, secret).trim();
	if (/^<(!doctype|html)/i.test(text)) {
		const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim();
		return `an HTML page${title ? ` (${title})` : ''} instead of JSON`;
	}
	if (text === '') return 'an empty answer instead of JSON';
	const flat = text.replace(/\s+/g, ' ');
	return `text instead of JSON: ${flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS)}…` : flat}`;
}
