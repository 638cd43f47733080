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
 * Learned schedule. Jobs of one model, size and step count take similar times, so the poller
 * learns how long they take here (this process, this Base URL) and checks sparsely until about
 * then, densely around it, and on today's schedule again once the job runs late. A kind without
 * history polls on today's schedule.
 */
/** Far from the expected end, one check this often (a failed job is still noticed). */
export const SPARSE_POLL_INTERVAL_MS = MAX_POLL_INTERVAL_MS;
/** Around the expected end, checks this often at least... */
export const DENSE_POLL_INTERVAL_MS = 200;
/** ...and the dense window never narrower than this on either side. */
export const MIN_SPREAD_MS = 100;
/** Past the expected end by this much (or 3 spreads), the job is late: today's schedule again. */
export const LATE_AFTER_MS = 1_000;
/** The check budget: one check per this much of the expected duration, on average. */
export const AVERAGE_POLL_INTERVAL_MS = 1_000;
/** Fewer dense checks than this in the budget make a job short (about 4 s or less). */
export const SHORT_JOB_DENSE_CHECKS = 3;
/** A short job's checks near its end are at most this far apart (the delay a job may wait). */
export const SHORT_JOB_POLL_INTERVAL_MS = 250;
/** Kinds of job remembered (oldest forgotten first). */
export const MAX_JOB_KINDS = 100;
/** How much a new observation's surprise widens the spread. */
const SURPRISE_WEIGHT = 0.3;

export interface JobDurationEstimate {
	/** Expected time from the accepted submit to the job being done. */
	expectedMs: number;
	/** How far off that tends to be. */
	spreadMs: number;
}

/** The estimate, and the last observation that went into it. */
interface KindHistory extends JobDurationEstimate {
	last: { runningAtMs: number; doneAtMs: number };
}

const estimates = new Map<string, KindHistory>();

/** One kind of job: what makes durations alike. */
export function jobKind(
	baseUrl: string,
	body: { model?: unknown; width?: unknown; height?: unknown; steps?: unknown } = {},
): string {
	return [baseUrl, body.model, body.width, body.height, body.steps].join('|');
}

export function expectedJobDuration(kind: string): JobDurationEstimate | undefined {
	const known = estimates.get(kind);
	return known && { expectedMs: known.expectedMs, spreadMs: known.spreadMs };
}

/**
 * Learns from a finished job: it was still running at `runningAtMs` (the last check that said so
 * was sent then) and done at `doneAtMs` (the check that said so was answered then). Precise
 * observations count more than coarse ones. Jobs submitted together are checked together and
 * report the same bracket: that is one observation, not several (counted again, it would narrow
 * the estimate to less than what is known, and the next job would be checked too late).
 */
export function recordJobDuration(kind: string, runningAtMs: number, doneAtMs: number): void {
	const known = estimates.get(kind);
	if (
		known &&
		Math.abs(known.last.runningAtMs - runningAtMs) < MIN_SPREAD_MS &&
		Math.abs(known.last.doneAtMs - doneAtMs) < MIN_SPREAD_MS
	) {
		return;
	}
	const sample = (runningAtMs + doneAtMs) / 2;
	const halfWidth = Math.max(MIN_SPREAD_MS, (doneAtMs - runningAtMs) / 2);
	const last = { runningAtMs, doneAtMs };
	estimates.delete(kind);
	if (!known) {
		estimates.set(kind, { expectedMs: sample, spreadMs: halfWidth, last });
	} else {
		const surprise = sample - known.expectedMs;
		const weight = known.spreadMs ** 2 / (known.spreadMs ** 2 + halfWidth ** 2);
		estimates.set(kind, {
			expectedMs: known.expectedMs + weight * surprise,
			spreadMs: Math.max(
				MIN_SPREAD_MS,
				Math.sqrt((1 - weight) * known.spreadMs ** 2 + SURPRISE_WEIGHT * surprise ** 2),
			),
			last,
		});
	}
	if (estimates.size > MAX_JOB_KINDS) estimates.delete(estimates.keys().next().value!);
}

/** Forgets every learned duration (a fresh process), for tests that must not inherit one. */
export function forgetJobDurations(): void {
	estimates.clear();
}

/**
 * The wait before the next status check, `elapsedMs` after the submit was accepted, after `polls`
 * checks. Without an estimate: today's schedule. With one: sparse checks until one spread before
 * the expected end, then dense ones until the job is late, then today's schedule from its start.
 */
export function nextPollDelayMs(
	elapsedMs: number,
	polls: number,
	expected?: JobDurationEstimate,
): number {
	if (!expected) return pollDelayMs(polls);
	const spread = Math.max(MIN_SPREAD_MS, expected.spreadMs);
	// The check budget (one per second of the expected duration) sets the dense checks: what the
	// sparse ones leave covers the window up to the expected end (jobs end by then on average), so
	// a wide window after a coarse first observation is still checked finely, where checking every
	// half spread would notice the job up to a second late. A short job leaves room for about two:
	// they straddle the expected end, no further apart than a job may wait to be noticed.
	const budget = expected.expectedMs / AVERAGE_POLL_INTERVAL_MS;
	const sparseChecks = Math.ceil(
		Math.max(0, expected.expectedMs - spread) / SPARSE_POLL_INTERVAL_MS,
	);
	const denseChecks = Math.max(1, budget - sparseChecks);
	const short = denseChecks < SHORT_JOB_DENSE_CHECKS;
	const dense = short
		? Math.min(SHORT_JOB_POLL_INTERVAL_MS, Math.max(DENSE_POLL_INTERVAL_MS, spread))
		: Math.max(DENSE_POLL_INTERVAL_MS, Math.round(Math.min(spread / 2, spread / denseChecks)));
	const denseFrom = expected.expectedMs - (short ? dense / 2 : spread);
	const lateFrom = expected.expectedMs + Math.max(LATE_AFTER_MS, 3 * spread);
	if (elapsedMs < denseFrom) return Math.min(denseFrom - elapsedMs, SPARSE_POLL_INTERVAL_MS);
	if (elapsedMs < lateFrom) return Math.min(dense, lateFrom - elapsedMs);
	// Late: today's schedule, as if polling had started when the job became late.
	let late = 0;
	for (let waited = pollDelayMs(0); waited <= elapsedMs - lateFrom; late++) {
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
