import { redact } from '../shared/errors';

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

export function classifyJob(body: unknown, secret?: string): JobState {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return { state: 'invalid', status: describeBody(body, secret) };
	}
	const data = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
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
