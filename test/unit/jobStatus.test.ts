/** jobStatus.ts: how job answers are read, the poll schedule, and the status shown in errors. */
import { MAX_WAIT_SECONDS } from '../../nodes/shared/constants';
import {
	FIRST_POLL_DELAY_MS,
	MAX_CONSECUTIVE_POLL_FAILURES,
	MAX_POLL_INTERVAL_MS,
	classifyJob,
	describeStatus,
	expectedJobDuration,
	jobKind,
	MAX_DENSE_POLL_INTERVAL_MS,
	MAX_JOB_KINDS,
	nextPollDelayMs,
	pollDelayMs,
	recordJobDuration,
	type JobDurationEstimate,
} from '../../nodes/MiniToolAiTextToImage/jobStatus';

const URL = 'https://img.example.com/images/1.png';

describe('classifyJob', () => {
	it('reads the documented finished answer as done', () => {
		expect(classifyJob({ status: 'success', image_url: URL, message: 'success' })).toEqual({
			state: 'done',
			imageUrl: URL,
			status: 'success',
			message: 'success',
		});
	});

	it('accepts any case of "success" and trims the status and the URL', () => {
		expect(classifyJob({ status: ' SUCCESS ', image_url: ` ${URL}\n` })).toEqual({
			state: 'done',
			imageUrl: URL,
			status: 'SUCCESS',
			message: undefined,
		});
	});

	it.each([
		['no image_url', { status: 'success' }],
		['a null image_url', { status: 'success', image_url: null }],
		['an empty image_url', { status: 'success', image_url: '  ' }],
		['a non-string image_url', { status: 'success', image_url: 42 }],
	])('treats success with %s as still running', (_name, body) => {
		expect(classifyJob(body)).toMatchObject({ state: 'running', status: 'success' });
	});

	it.each([
		'error',
		'failed',
		'FAILED',
		'Failure',
		'fail',
		'errored',
		'cancelled',
		'canceled',
		'rejected',
		'expired',
		'timeout',
		'timed out',
		'timed_out',
	])('treats status %s as failed', (status) => {
		expect(classifyJob({ status, message: 'why' })).toEqual({
			state: 'failed',
			status,
			message: 'why',
		});
	});

	it('keeps the message of a failed job, even with an image_url', () => {
		expect(classifyJob({ status: 'error', message: 'Job not found', image_url: null })).toEqual({
			state: 'failed',
			status: 'error',
			message: 'Job not found',
		});
		expect(classifyJob({ status: 'failed', image_url: URL }).state).toBe('failed');
	});

	it.each([
		['processing', { status: 'processing', message: 'Job is processing' }, 'processing'],
		['queued', { status: 'queued' }, 'queued'],
		['an unknown status', { status: 'rendering' }, 'rendering'],
		['an error-like word inside a longer status', { status: 'no error yet' }, 'no error yet'],
		['a missing status', { message: 'hm' }, 'unknown'],
		['a null status', { status: null }, 'unknown'],
		['a numeric status', { status: 1 }, '1'],
		['an empty object', {}, 'unknown'],
	])('treats %s as still running', (_name, body, status) => {
		expect(classifyJob(body)).toMatchObject({ state: 'running', status });
	});

	it.each([
		['null', null, 'null instead of JSON'],
		['undefined', undefined, 'undefined instead of JSON'],
		['a string', 'success', 'text instead of JSON: success'],
		['a number', 200, '200 instead of JSON'],
		[
			'an HTML page',
			'<!doctype html><html><head><title>Login required</title></head></html>',
			'an HTML page (Login required) instead of JSON',
		],
	])('reports a body that is %s as not a job status', (_name, body, status) => {
		expect(classifyJob(body)).toEqual({ state: 'invalid', status });
	});

	it('redacts a secret before it clips a text answer', () => {
		const secret = 'sk-secret-abcdefghijklmnop';
		const body = `${'x'.repeat(110)} ${secret} ${'y'.repeat(50)}`;
		const { status } = classifyJob(body, secret);
		expect(status).not.toContain(secret.slice(0, 6));
		expect(status).toContain('***');
	});

	it('drops an empty or non-string message', () => {
		expect(classifyJob({ status: 'processing', message: '' }).message).toBeUndefined();
		expect(classifyJob({ status: 'processing', message: 5 }).message).toBeUndefined();
	});
});

describe('pollDelayMs', () => {
	it('starts at 500 ms and grows by half each poll up to a 4 s ceiling', () => {
		expect(Array.from({ length: 9 }, (_, i) => pollDelayMs(i))).toEqual([
			500, 750, 1125, 1688, 2531, 3797, 4000, 4000, 4000,
		]);
	});

	it('never exceeds the ceiling, never shrinks', () => {
		let previous = 0;
		for (let poll = 0; poll < 100; poll++) {
			const delay = pollDelayMs(poll);
			expect(delay).toBeGreaterThanOrEqual(previous);
			expect(delay).toBeLessThanOrEqual(MAX_POLL_INTERVAL_MS);
			previous = delay;
		}
		expect(pollDelayMs(1000)).toBe(MAX_POLL_INTERVAL_MS);
	});

	it('uses few polls for a long job: about 80 within the default 300 s wait', () => {
		let elapsed = 0;
		let polls = 0;
		while (elapsed + pollDelayMs(polls) <= MAX_WAIT_SECONDS.default * 1000) {
			elapsed += pollDelayMs(polls);
			polls++;
		}
		expect(polls).toBeLessThanOrEqual(80);
		expect(polls).toBeGreaterThan(70);
	});

	it('exports the documented constants', () => {
		expect(FIRST_POLL_DELAY_MS).toBe(500);
		expect(MAX_POLL_INTERVAL_MS).toBe(4000);
		expect(MAX_WAIT_SECONDS.default).toBe(300);
		expect(MAX_CONSECUTIVE_POLL_FAILURES).toBe(3);
	});
});

describe('describeStatus', () => {
	it('shows the status with its message in parentheses', () => {
		expect(describeStatus({ status: 'processing', message: 'Job is processing' })).toBe(
			'processing (Job is processing)',
		);
		expect(describeStatus({ status: 'failed', message: 'NSFW content detected' })).toBe(
			'failed (NSFW content detected)',
		);
	});

	it('shows the status alone without a message, or when the message repeats it', () => {
		expect(describeStatus({ status: 'processing' })).toBe('processing');
		expect(describeStatus({ status: 'success', message: 'success' })).toBe('success');
		expect(describeStatus({ status: 'queued', message: '' })).toBe('queued');
	});
});

/** Simulates one job of `durationMs` under the schedule; checks take `latencyMs` to answer. */
function simulate(durationMs: number, expected?: JobDurationEstimate, latencyMs = 50) {
	let elapsed = 0;
	let runningAt = 0;
	for (let polls = 0; polls < 1000; polls++) {
		elapsed += nextPollDelayMs(elapsed, polls, expected);
		const sentAt = elapsed;
		elapsed += latencyMs;
		if (sentAt + latencyMs / 2 >= durationMs) {
			return {
				polls: polls + 1,
				delayMs: sentAt + latencyMs / 2 - durationMs,
				runningAt,
				doneAt: elapsed,
			};
		}
		runningAt = sentAt;
	}
	throw new Error('never done');
}

describe('learned poll schedule', () => {
	let n = 0;
	const freshKind = () =>
		jobKind('http://api.test', { model: 'm', width: 512, height: 512, steps: ++n });

	it('without history is exactly the fixed back-off', () => {
		for (let poll = 0; poll < 20; poll++) {
			expect(nextPollDelayMs(poll * 1000, poll, undefined)).toBe(pollDelayMs(poll));
		}
		expect(expectedJobDuration(freshKind())).toBeUndefined();
	});

	// A short job spends at least MIN_DENSE_CHECKS near its end: a 2 s job, 1.5 checks per second.
	it.each([
		[2_000, 1.5],
		[10_000, 1],
		[30_000, 1],
		[60_000, 1],
	])(
		'a %i ms kind: later jobs are noticed sooner, with at most %d checks per second',
		(durationMs, checksPerSecond) => {
			const kind = freshKind();
			const first = simulate(durationMs, expectedJobDuration(kind));
			recordJobDuration(kind, first.runningAt, first.doneAt);
			let later = first;
			for (let job = 0; job < 3; job++) {
				later = simulate(durationMs, expectedJobDuration(kind));
				recordJobDuration(kind, later.runningAt, later.doneAt);
			}
			expect(later.delayMs).toBeLessThanOrEqual(300);
			expect(later.delayMs).toBeLessThanOrEqual(first.delayMs);
			expect(later.polls / (durationMs / 1000)).toBeLessThanOrEqual(checksPerSecond);
		},
	);

	it.each([10_000, 30_000, 60_000])(
		'a %i ms kind seen once (a coarse observation): the next jobs are noticed within 0.3 s',
		(durationMs) => {
			const kind = freshKind();
			const first = simulate(durationMs, expectedJobDuration(kind));
			recordJobDuration(kind, first.runningAt, first.doneAt);
			// The fixed back-off brackets a long job's end by seconds: the range starts wide.
			const range = expectedJobDuration(kind)!;
			expect(range.toMs - range.fromMs).toBeGreaterThan(1_000);
			// The next jobs: each noticed within 0.3 s, at most one check per second on average.
			const next = [1, 2, 3].map(() => {
				const job = simulate(durationMs, expectedJobDuration(kind));
				recordJobDuration(kind, job.runningAt, job.doneAt);
				return job;
			});
			for (const job of next) expect(job.delayMs).toBeLessThanOrEqual(300);
			const polls = next.reduce((sum, job) => sum + job.polls, 0);
			expect(polls / next.length / (durationMs / 1000)).toBeLessThanOrEqual(1);
		},
	);

	it.each([1_900, 1_950, 2_000, 2_050, 2_100])(
		'a %i ms kind: later jobs take at most 3.5 checks on average, each noticed within 0.3 s',
		(durationMs) => {
			const kind = freshKind();
			// A first run of three jobs at once: three equal coarse observations.
			const first = simulate(durationMs, expectedJobDuration(kind));
			for (let job = 0; job < 3; job++) recordJobDuration(kind, first.runningAt, first.doneAt);
			const later = Array.from({ length: 6 }, () => {
				const job = simulate(durationMs, expectedJobDuration(kind));
				recordJobDuration(kind, job.runningAt, job.doneAt);
				return job;
			});
			for (const job of later) expect(job.delayMs).toBeLessThanOrEqual(300);
			const polls = later.reduce((sum, job) => sum + job.polls, 0) / later.length;
			expect(polls).toBeLessThanOrEqual(3.5);
		},
	);

	it('jobs checked together count once: a 60 s job ending low in their bracket is noticed within 0.3 s', () => {
		const kind = freshKind();
		// Three jobs of a first run, checked in lockstep every 4 s: the same bracket three times.
		for (let job = 0; job < 3; job++) recordJobDuration(kind, 56_650, 60_750);
		expect(expectedJobDuration(kind)).toEqual({ fromMs: 56_650, toMs: 60_750, typicalMs: 58_700 });
		const next = simulate(56_800, expectedJobDuration(kind));
		expect(next.delayMs).toBeLessThanOrEqual(300);
	});

	it('a job that runs later than the range: a check a second for the range width, then the fixed back-off', () => {
		const expected = { fromMs: 4_900, toMs: 5_100, typicalMs: 5_000 };
		// The range's last dense check is at most one dense interval past its end.
		const lateFrom = 5_100 + 200;
		expect(nextPollDelayMs(lateFrom, 30, expected)).toBe(1_000);
		expect(nextPollDelayMs(lateFrom + 199, 31, expected)).toBe(1_000);
		const backOffFrom = lateFrom + 200;
		expect(nextPollDelayMs(backOffFrom, 32, expected)).toBe(pollDelayMs(0));
		expect(nextPollDelayMs(backOffFrom + 500, 33, expected)).toBe(pollDelayMs(1));
		expect(nextPollDelayMs(backOffFrom + 60_000, 99, expected)).toBe(pollDelayMs(100));
	});

	it('checks sparsely before the range, steadily through it', () => {
		const narrow = { fromMs: 59_900, toMs: 60_100, typicalMs: 60_000 };
		expect(nextPollDelayMs(0, 0, narrow)).toBe(MAX_POLL_INTERVAL_MS);
		expect(nextPollDelayMs(59_850, 15, narrow)).toBe(50);
		expect(nextPollDelayMs(59_900, 16, narrow)).toBe(200);
		// Through a wide range, the budget the sparse checks leave, spent on the way to the typical
		// end: 60 checks, 12 sparse ones, 48 over the 12 s from 48 s to 60 s.
		const wide = { fromMs: 48_000, toMs: 72_000, typicalMs: 60_000 };
		expect(nextPollDelayMs(50_000, 13, wide)).toBe(250);
		// Never more than 0.5 s apart, never less than 0.2 s.
		const wider = { fromMs: 20_000, toMs: 100_000, typicalMs: 60_000 };
		expect(nextPollDelayMs(30_000, 6, wider)).toBe(MAX_DENSE_POLL_INTERVAL_MS);
		expect(MAX_DENSE_POLL_INTERVAL_MS).toBe(500);
		const tight = { fromMs: 59_000, toMs: 61_000, typicalMs: 60_000 };
		expect(nextPollDelayMs(59_500, 15, tight)).toBe(200);
	});

	it('leaves a rare slow job out of the range once the kind has a history', () => {
		const kind = freshKind();
		for (let job = 0; job < 19; job++) {
			recordJobDuration(kind, 9_000 + (job % 2) * 200, 9_250 + (job % 2) * 200);
		}
		recordJobDuration(kind, 19_800, 20_050);
		expect(expectedJobDuration(kind)).toEqual({ fromMs: 9_000, toMs: 9_450, typicalMs: 9_325 });
	});

	it('forgets the oldest kinds beyond its size', () => {
		const first = freshKind();
		recordJobDuration(first, 1_000, 1_200);
		for (let i = 0; i < MAX_JOB_KINDS; i++) recordJobDuration(freshKind(), 1_000, 1_200);
		expect(expectedJobDuration(first)).toBeUndefined();
	});
});
