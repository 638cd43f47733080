/**
 * Text to Image node, Generate: submit, poll until done, report; failures. Cancelling while a job
 * is polled is covered in reliability.cancel.test.ts.
 */
import { IMAGE_PRICE_USD, type EmulatorJob } from '../emulator';
import { forgetJobDurations } from '../../nodes/MiniToolAiTextToImage/jobStatus';
import { expectGaveUpAtMaxWait, imageNode, timed, useTestBed } from './setup';

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

	describe('poll schedule', () => {
		/** Job length -> the most polls it may take. */
		const DELAYS: Array<[number, number]> = [
			[300, 2],
			[1500, 5],
			[3000, 5],
		];
		interface Measured {
			jobDelayMs: number;
			status: string;
			jobs: number;
			job: EmulatorJob;
			pollRequests: number;
		}
		// One run per job length, all before the tests, so every test below (the summary included)
		// sees the same complete measurements whatever order or subset of tests runs.
		const measured = new Map<number, Measured>();
		beforeAll(async () => {
			for (const [jobDelayMs] of DELAYS) {
				bed.emulator.reset();
				bed.emulator.configure({ jobDelayMs });
				// The schedule of a first job of its kind (no learned duration).
				forgetJobDurations();
				const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }));
				const [job] = [...bed.emulator.jobs.values()];
				measured.set(jobDelayMs, {
					jobDelayMs,
					status: result.status,
					jobs: bed.emulator.jobs.size,
					job,
					pollRequests: job ? pollsOf(job).length : 0,
				});
			}
		});

		const detectionMs = ({ job }: Measured) => (job.finishedAt as number) - (job.readyAt as number);

		it.each(DELAYS)(
			'notices a job of %i ms soon after it is ready (at most %i polls)',
			(jobDelayMs, maxPolls) => {
				const m = measured.get(jobDelayMs) as Measured;
				expect(m.status).toBe('success');
				expect(m.jobs).toBe(1);
				const { job } = m;
				expect(job.readyAt).not.toBeNull();
				expect(job.finishedAt).not.toBeNull();
				const readyAt = job.readyAt as number;
				const finishedAt = job.finishedAt as number;
				// Every poll before the ready time said "processing"; the first one after it finished.
				const firstAfterReady = job.polls.find((t) => t >= readyAt);
				expect(firstAfterReady).toBe(finishedAt);
				expect(job.polls[job.polls.length - 1]).toBe(finishedAt);
				expect(detectionMs(m)).toBeGreaterThanOrEqual(0);
				expect(detectionMs(m)).toBeLessThan(POLL_CEILING_MS);
				expect(job.polls.length).toBeLessThanOrEqual(maxPolls);
				expect(m.pollRequests).toBe(job.polls.length);
			},
		);

		it('reports the measured detection delays; a longer job never takes fewer polls', () => {
			const rows = DELAYS.map(([jobDelayMs]) => measured.get(jobDelayMs) as Measured);
			// eslint-disable-next-line no-console
			console.log(
				`Image job detection (finishedAt - readyAt) and polls:\n${rows
					.map(
						(m) =>
							`  jobDelayMs ${m.jobDelayMs}: ${detectionMs(m)} ms after ready, ${m.job.polls.length} polls`,
					)
					.join('\n')}`,
			);
			expect(rows.map((m) => m.status)).toEqual(['success', 'success', 'success']);
			const polls = rows.map((m) => m.job.polls.length);
			// The schedule only ever waits longer between polls, so polls grow with the job's length.
			expect(polls).toEqual([...polls].sort((a, b) => a - b));
			expect(polls[polls.length - 1]).toBeGreaterThan(polls[0]);
		});
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
		const run = await timed(() =>
			bed.runNode(
				imageNode({ operation: 'generate', prompt: 'A cat', options: { maxWaitSeconds: 2 } }),
			),
		);
		const { result } = run;
		expect(result.status).toBe('error');
		const job = onlyJob();
		expectGaveUpAtMaxWait(run, job.submittedAt, 2000);
		expect(result.error?.message).toMatch(
			new RegExp(`^Image job ${job.jobid} did not finish within 2 s \\(last status: processing`),
		);
		expect(job.polls.length).toBeGreaterThanOrEqual(2);
		// The last poll came no later than the wait allows (2 s after the submit, plus slack).
		expect(job.polls[job.polls.length - 1] - job.submittedAt).toBeLessThan(2000 + 500);
		expect(job.finishedAt).toBeNull();
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
