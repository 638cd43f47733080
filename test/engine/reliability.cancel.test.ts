/**
 * Cancel: stopping an execution ends the image polling as 'canceled', and no request for that job
 * follows (the emulator's log is checked again ~2 s later); stopping it mid chat stream ends as
 * 'canceled' too, and the emulator sees the stream's connection closed by the client before its
 * last event. No wall-clock race: what would have kept the run going (a job that never finishes,
 * a stream of many seconds, a Retry-After of 30 s) is far longer than any loaded machine's delay,
 * so a run that ends 'canceled' before it was ended by the cancel.
 */
import { sleep, type IDataObject } from 'n8n-workflow';

import type { RecordedRequest } from '../emulator';
import { expectNoSecretsLeaked } from './reliability.cases';
import { TEST_KEY, chatNode, imageNode, userMessages, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 50 });
beforeEach(() => {
	bed.emulator.reset();
	bed.emulator.configure({ tokenDelayMs: 0 });
});
afterEach(() => bed.emulator.configure({ tokenDelayMs: 0 }));

const ABORT_AFTER_MS = 900;
/** The Retry-After of the rate-limited cases: the run would wait this long without the cancel. */
const RETRY_AFTER_S = 30;
/** How long the log must stay silent after the run ended. */
const SILENCE_MS = 2000;

const generate = (extra: Record<string, unknown> = {}) =>
	imageNode({ operation: 'generate', prompt: '={{ $json.q }}', width: 256, height: 256, ...extra });
const snapshot = (requests: RecordedRequest[]) => requests.map((r) => `${r.seq} ${r.path}`);

async function runAndCancel(
	node: ReturnType<typeof imageNode>,
	items: IDataObject[] = [{ q: 'A cat' }],
	abortAfterMs = ABORT_AFTER_MS,
) {
	const started = Date.now();
	const result = await bed.runNode(node, items, { abortAfterMs });
	const elapsed = Date.now() - started;
	return { result, elapsed };
}

/** How long a test waits for the emulator to see the polls it cancels between. */
const POLLS_SEEN_WITHIN_MS = 15_000;
/** How long the chat test waits for the stream to begin before it cancels. */
const STREAM_SEEN_WITHIN_MS = 15_000;

/**
 * Cancels once every job has been polled at least once (so the cancel falls between polls, however
 * slow the machine is) and measures from the cancel, not from the start.
 */
async function runAndCancelAfterFirstPolls(items: IDataObject[]) {
	const controller = new AbortController();
	const running = bed.runNode(generate(), items, { abortSignal: controller.signal });
	const polled = () =>
		bed.emulator.jobs.size === items.length &&
		[...bed.emulator.jobs.values()].every((job) => job.polls.length >= 1);
	for (const started = Date.now(); !polled() && Date.now() - started < POLLS_SEEN_WITHIN_MS; ) {
		await sleep(20);
	}
	controller.abort();
	return { result: await running };
}

/** After the run: nothing more reaches the emulator for SILENCE_MS. */
async function expectSilence(): Promise<void> {
	const before = snapshot(bed.emulator.requests);
	const polls = [...bed.emulator.jobs.values()].map((job) => job.polls.length);
	await sleep(SILENCE_MS);
	expect(snapshot(bed.emulator.requests)).toEqual(before);
	expect([...bed.emulator.jobs.values()].map((job) => job.polls.length)).toEqual(polls);
}

describe('Cancel while an image is being polled', () => {
	it('between polls: canceled, no further requests for the job', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		const { result } = await runAndCancelAfterFirstPolls([{ q: 'A cat' }]);
		// The job never finishes: only the cancel can have ended the run.
		expect(result.status).toBe('canceled');
		expect(result.output('Image')).toEqual([]);
		const [job] = [...bed.emulator.jobs.values()];
		expect(job.polls.length).toBeGreaterThanOrEqual(1);
		await expectSilence();
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});

	it('during a poll request: that request is aborted, nothing follows', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		bed.emulator.setFault({ endpoint: 'job', type: 'slowFirstByte', ms: 60_000 });
		const { result } = await runAndCancel(generate());
		expect(result.status).toBe('canceled');
		await sleep(100);
		const polls = bed.apiRequests().filter((r) => r.path.startsWith('/api/texttoimage/jobs'));
		expect(polls).toHaveLength(1);
		// Closed by the client while the server still held its answer back.
		expect(polls[0].aborted).toBe(true);
		expect(polls[0].status).toBeNull();
		await expectSilence();
	});

	it('three items polling at once: all stop', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		const { result } = await runAndCancelAfterFirstPolls([{ q: 'a' }, { q: 'b' }, { q: 'c' }]);
		expect(result.status).toBe('canceled');
		expect(bed.emulator.jobs.size).toBe(3);
		await expectSilence();
	});

	it('while waiting out a Retry-After before the submit: no submit follows', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'rateLimit', retryAfter: RETRY_AFTER_S });
		const { result, elapsed } = await runAndCancel(generate(), [{ q: 'A cat' }], 400);
		expect(result.status).toBe('canceled');
		// Ended by the cancel, not by the end of the wait.
		expect(elapsed).toBeLessThan(RETRY_AFTER_S * 1000);
		expect(bed.apiRequests()).toHaveLength(1);
		expect(bed.emulator.jobs.size).toBe(0);
		await expectSilence();
	});
});

describe('Cancel mid chat stream', () => {
	it('ends as canceled, the emulator sees the connection aborted before the last event', async () => {
		// 40 words at 400 ms: a stream of about 17 s that only a cancel ends in time.
		const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
		bed.emulator.configure({ tokenDelayMs: 400 });
		const controller = new AbortController();
		const running = bed.runNode(chatNode({ messages: userMessages(words) }), [{}], {
			abortSignal: controller.signal,
		});
		// Cancel once the stream has begun, however slow the machine is.
		const streaming = () => (bed.apiRequests()[0]?.streamed?.events ?? 0) >= 2;
		for (
			const started = Date.now();
			!streaming() && Date.now() - started < STREAM_SEEN_WITHIN_MS;

		) {
			await sleep(20);
		}
		controller.abort();
		const result = await running;
		expect(result.status).toBe('canceled');
		expect(result.output('Chat')).toEqual([]);
		await sleep(100);
		const [chat, ...more] = bed.apiRequests();
		expect(more).toHaveLength(0);
		expect(chat.aborted).toBe(true);
		// The client went away mid stream: the emulator wrote part of the answer, never its end.
		const { events, of } = chat.streamed!;
		expect(events).toBeGreaterThanOrEqual(2);
		expect(events).toBeLessThan(of);
		await expectSilence();
		expect(chat.streamed!.events).toBe(events);
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});

	it('while waiting out a Retry-After: canceled, no second request', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'rateLimit', retryAfter: RETRY_AFTER_S });
		const started = Date.now();
		const result = await bed.runNode(chatNode({ messages: userMessages('x') }), [{}], {
			abortAfterMs: 400,
		});
		expect(result.status).toBe('canceled');
		// Ended by the cancel, not by the end of the wait.
		expect(Date.now() - started).toBeLessThan(RETRY_AFTER_S * 1000);
		expect(bed.apiRequests()).toHaveLength(1);
		await expectSilence();
	});
});
