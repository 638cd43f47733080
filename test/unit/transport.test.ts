import { normalizeBaseUrl } from '../../nodes/shared/transport/credentials';
import {
	MAX_RATE_LIMIT_BASE_DELAY_MS,
	MAX_RETRY_AFTER_MS,
	RATE_LIMIT_BASE_DELAY_MS,
	retryDelayMs,
} from '../../nodes/shared/transport/rateLimit';

describe('retry delay after a 429', () => {
	const now = Date.parse('2026-11-21T12:00:00Z');

	it('follows Retry-After in seconds, stretched by a random factor that widens per attempt', () => {
		expect(retryDelayMs('2', 0, now, 0)).toBe(2000);
		expect(retryDelayMs('2', 0, now, 1)).toBe(4000);
		expect(retryDelayMs('2', 3, now, 0.5)).toBe(6000);
		expect(retryDelayMs('2', 3, now, 1)).toBe(10000);
		expect(retryDelayMs(['3'], 5, now, 0)).toBe(3000);
		expect(retryDelayMs('0', 0, now, 0)).toBe(0);
	});

	it('follows Retry-After as an HTTP date', () => {
		expect(retryDelayMs('Sat, 21 Nov 2026 12:00:05 GMT', 0, now, 0)).toBe(5000);
		expect(retryDelayMs('Sat, 21 Nov 2026 11:00:00 GMT', 0, now, 0)).toBe(0);
	});

	it('backs off exponentially without a usable header, up to a ceiling', () => {
		expect([0, 1, 2, 3, 4, 7].map((attempt) => retryDelayMs(undefined, attempt, now, 0))).toEqual([
			RATE_LIMIT_BASE_DELAY_MS,
			RATE_LIMIT_BASE_DELAY_MS * 2,
			RATE_LIMIT_BASE_DELAY_MS * 4,
			MAX_RATE_LIMIT_BASE_DELAY_MS,
			MAX_RATE_LIMIT_BASE_DELAY_MS,
			MAX_RATE_LIMIT_BASE_DELAY_MS,
		]);
		expect(retryDelayMs('soon', 1, now, 0)).toBe(RATE_LIMIT_BASE_DELAY_MS * 2);
	});

	it('never waits longer than the ceiling', () => {
		expect(retryDelayMs('3600', 0, now, 0)).toBe(MAX_RETRY_AFTER_MS);
		expect(retryDelayMs(undefined, 30, now, 1)).toBe(MAX_RETRY_AFTER_MS);
	});
});

describe('base URL', () => {
	it.each([
		['https://minitoolai.com/', 'https://minitoolai.com'],
		['https://minitoolai.com///', 'https://minitoolai.com'],
		[' http://127.0.0.1:8787 ', 'http://127.0.0.1:8787'],
		['', 'https://minitoolai.com'],
		[undefined, 'https://minitoolai.com'],
	])('normalises %p to %p', (input, expected) => {
		expect(normalizeBaseUrl(input)).toBe(expected);
	});
});
