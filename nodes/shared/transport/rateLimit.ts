/** 429s are retried this many times before the error reaches the user. */
export const MAX_RATE_LIMIT_RETRIES = 8;
/** Without a Retry-After header the base wait doubles from 1 s, up to 8 s. */
export const RATE_LIMIT_BASE_DELAY_MS = 1_000;
export const MAX_RATE_LIMIT_BASE_DELAY_MS = 8_000;
/** All waits for one request's 429s together stay below this. */
export const RATE_LIMIT_BUDGET_MS = 120_000;
/** A Retry-After longer than this is not waited out inside one node run. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Milliseconds to wait before retrying a 429: the server's Retry-After (seconds or an HTTP date)
 * when it sends one, else exponential backoff, stretched by a random factor whose range widens
 * with each attempt. Items that were limited together (n8n starts all items at once) would
 * otherwise come back together and be limited again; spread over a growing window, about as many
 * get through each round as the server allows.
 */
export function retryDelayMs(
	retryAfter: unknown,
	attempt: number,
	now = Date.now(),
	random = Math.random(),
): number {
	const base =
		requestedWaitMs(retryAfter, now) ??
		Math.min(MAX_RATE_LIMIT_BASE_DELAY_MS, RATE_LIMIT_BASE_DELAY_MS * 2 ** attempt);
	const spread = 1 + random * (attempt + 1);
	return Math.min(MAX_RETRY_AFTER_MS, Math.round(base * spread));
}

/** The wait a Retry-After header asks for (seconds or an HTTP date), in ms; undefined if none. */
export function requestedWaitMs(retryAfter: unknown, now = Date.now()): number | undefined {
	const header = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
	if (typeof header !== 'string' && typeof header !== 'number') return undefined;
	const text = String(header).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
