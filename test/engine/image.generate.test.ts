/** Text to Image node, Generate: submit, poll until done, report; failures and cancellation. */
import { sleep } from 'n8n-workflow';

import { IMAGE_PRICE_USD, type EmulatorJob } from '../emulator';
import { imageNode, useTestBed } from './setup';

/** The poll schedule's ceiling (jobStatus.ts MAX_POLL_INTERVAL_MS), as the node documents it. */
const POLL_CEILING_MS = 4000;

const bed = useTestBed({ jobDelayMs: 300 });
beforeEach(() => {
	bed.emulator.reset();
	bed.emulator.configure({ jobDelayMs: 300 });
});

const onlyJob = (): EmulatorJob => {
	expect(bed.emulator.jobs.size).toBe(1);
	return [...bed.emulator.jobs.values()][0];
};
const pollsOf = (job: EmulatorJob) =>
	bed
		.apiRequests()
		.filter(
			(r) =>
				r.path === '/api/texttoimage/jobs/' &&
				String((r.body as { jobid?: unknown } | null)?.jobid) === String(job.jobid),
		);

describe('Text to Image node: Generate', () => {
	it('outputs the image URL on the image host, the job ID, the parameters used and the cost', async () => {
		const result = await bed.runNode(
			imageNode({
				operation: 'generate',
				model: 'juggernaut',
				prompt: 'A red fox in snow',
				negativePrompt: 'text',
				width: 512,
				height: 768,
			}),
		);
		expect(result.status).toBe('success');
		const job = onlyJob();
		const [item] = result.output('Image');
		expect(item.json).toEqual({
			imageUrl: `${bed.emulator.imageBaseUrl}/images/${job.jobid}.png`,
			jobId: String(job.jobid),
			model: 'juggernaut',
			prompt: 'A red fox in snow',
			negativePrompt: 'text',
			scheduler: 'DPM++ SDE',
			steps: 4,
			cfgScale: 2,
			width: 512,
			height: 768,
			costUsd: 0.0015,
		});
		expect(item.json.costUsd).toBe(IMAGE_PRICE_USD);
		expect(item.binary).toBeUndefined();
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(job.chargedUsd).toBeCloseTo(0.0015, 12);
		expect(new URL(String(item.json.imageUrl)).host).not.toBe(new URL(bed.emulator.baseUrl).host);
	});

	const measured: Array<{ jobDelayMs: number; detectionMs: number; polls: number }> = [];

	it.each([
		[300, 2],
		[1500, 5],
		[3000, 5],
	])(
		'notices a job of %i ms soon after it is ready (at most %i polls)',
		async (jobDelayMs, maxPolls) => {
			bed.emulator.configure({ jobDelayMs });
			const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }));
			expect(result.status).toBe('success');
			const job = onlyJob();
			expect(job.readyAt).not.toBeNull();
			expect(job.finishedAt).not.toBeNull();
			const readyAt = job.readyAt as number;
			const finishedAt = job.finishedAt as number;
			// Every poll before the ready time said "processing"; the first one after it finished.
			const firstAfterReady = job.polls.find((t) => t >= readyAt);
			expect(firstAfterReady).toBe(finishedAt);
			expect(job.polls[job.polls.length - 1]).toBe(finishedAt);
			const detectionMs = finishedAt - readyAt;
			expect(detectionMs).toBeGreaterThanOrEqual(0);
			expect(detectionMs).toBeLessThan(POLL_CEILING_MS);
			expect(job.polls.length).toBeLessThanOrEqual(maxPolls);
			expect(pollsOf(job)).toHaveLength(job.polls.length);
			measured.push({ jobDelayMs, detectionMs, polls: job.polls.length });
		},
	);

	it('reports the measured detection delays', () => {
		// eslint-disable-next-line no-console
		console.log(
			`Image job detection (finishedAt - readyAt) and polls:\n${measured
				.map(
					(m) => `  jobDelayMs ${m.jobDelayMs}: ${m.detectionMs} ms after ready, ${m.polls} polls`,
				)
				.join('\n')}`,
		);
		expect(measured).toHaveLength(3);
	});

	it('fails with the job ID and the status and message of a failed job', async () => {
		bed.emulator.setFault({
			endpoint: 'submit',
			type: 'jobFailed',
			message: 'NSFW content detected',
		});
		const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }));
		expect(result.status).toBe('error');
		const job = onlyJob();
		expect(result.error?.message).toBe(
			`Image job ${job.jobid} failed: failed (NSFW content detected)`,
		);
		expect((result.error as { description?: string }).description).toBeTruthy();
		expect(result.output('Image')).toEqual([]);
		// Polling stopped at the failed answer.
		expect(job.finishedAt).toBe(job.polls[job.polls.length - 1]);
	});

	it('fails clearly when the API refuses the job (documented error answer)', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'submitError' });
		const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }));
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/did not accept the image job \(status "error"\)/);
		expect((result.error as { description?: string }).description).toBeTruthy();
		expect(bed.emulator.jobs.size).toBe(0);
		expect(bed.apiRequests()).toHaveLength(1);
	});

	it('gives up after Max Wait, naming the job ID and the last status "processing"', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		const result = await bed.runNode(
			imageNode({ operation: 'generate', prompt: 'A cat', options: { maxWaitSeconds: 2 } }),
		);
		expect(result.status).toBe('error');
		const job = onlyJob();
		expect(result.error?.message).toMatch(
			new RegExp(`^Image job ${job.jobid} did not finish within 2 s \\(last status: processing`),
		);
		expect(job.polls.length).toBeGreaterThanOrEqual(2);
		// The last poll came no later than the wait allows (2 s after the submit, plus slack).
		expect(job.polls[job.polls.length - 1] - job.submittedAt).toBeLessThan(2000 + 500);
		expect(job.finishedAt).toBeNull();
	});

	it('sends no further polls once the execution is cancelled between polls', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }), [{}], {
			abortAfterMs: 900,
		});
		expect(result.status).not.toBe('success');
		expect(result.output('Image')).toEqual([]);
		const job = onlyJob();
		const pollsAtCancel = pollsOf(job).length;
		expect(pollsAtCancel).toBeGreaterThanOrEqual(1);
		// Without the cancel, the schedule (0.5 s, then +0.75 s, +1.1 s) would poll again in this time.
		await sleep(2500);
		expect(pollsOf(job)).toHaveLength(pollsAtCancel);
		expect(job.polls).toHaveLength(pollsAtCancel);
	});

	// BUG (imageJob.ts pollUntilDone): a cancel during the sleep between polls rejects `sleep` with
	// the signal's bare abort reason, which reaches n8n unchanged. Its message ("This operation was
	// aborted", or "Error that was not an instance of Error was thrown" across realms) does not
	// contain "canceled", so WorkflowExecute records the run as 'error' instead of 'canceled'.
	it('ends the run as canceled when cancelled between polls', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }), [{}], {
			abortAfterMs: 900,
		});
		expect(result.status).toBe('canceled');
	});

	it('ends the run as canceled when cancelled during a poll request, and polls no more', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		bed.emulator.setFault({ endpoint: 'job', type: 'slowFirstByte', ms: 3000 });
		const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }), [{}], {
			abortAfterMs: 900,
		});
		expect(result.status).toBe('canceled');
		const pollsAtCancel = pollsOf(onlyJob()).length;
		expect(pollsAtCancel).toBe(1);
		await sleep(2500);
		const after = pollsOf(onlyJob());
		expect(after).toHaveLength(pollsAtCancel);
		expect(after[0].aborted).toBe(true);
	});

	it.each([
		['an unknown job', () => ({ jobId: '12345', signature: 'whatever' }), /Job not found/],
		[
			'a wrong signature',
			(job: EmulatorJob) => ({ jobId: String(job.jobid), signature: `${job.signature}x` }),
			/Invalid signature/,
		],
	])(
		'Get Job fails for %s',
		async (_name, params: (job: EmulatorJob) => Record<string, string>, message) => {
			await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A cat' }));
			const job = onlyJob();
			const { jobId, signature } = params(job);
			const result = await bed.runNode(imageNode({ operation: 'getJob', jobId, signature }));
			expect(result.status).toBe('error');
			expect(result.error?.message).toMatch(new RegExp(`^Image job ${jobId} failed: error \\(`));
			expect(result.error?.message).toMatch(message);
		},
	);
});
