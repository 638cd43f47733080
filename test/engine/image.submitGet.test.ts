/** Text to Image node: Submit Job returns at once; Get Job checks once; the two chained. */
import { sleep, type INode } from 'n8n-workflow';

import { MiniToolAiApi } from '../../credentials/MiniToolAiApi.credentials';
import { MiniToolAiTextToImage } from '../../nodes/MiniToolAiTextToImage/MiniToolAiTextToImage.node';
import type { EmulatorJob } from '../emulator';
import { chain, createEngine, itemsNode, manualTrigger } from '../harness';
import { TEST_KEY, imageNode, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 300 });
beforeEach(() => {
	bed.emulator.reset();
	bed.emulator.configure({ jobDelayMs: 300 });
});

const onlyJob = (): EmulatorJob => {
	expect(bed.emulator.jobs.size).toBe(1);
	return [...bed.emulator.jobs.values()][0];
};

async function waitUntilReady(job: EmulatorJob): Promise<void> {
	await sleep(Math.max(0, (job.readyAt as number) - Date.now()) + 50);
	expect(job.status).toBe('success');
}

/** Runs trigger -> items -> the given nodes in a chain, against the bed's emulator. */
async function runChain(...nodes: INode[]) {
	const engine = createEngine({
		nodeTypes: [MiniToolAiTextToImage],
		credentialTypes: [MiniToolAiApi],
		credentials: { miniToolAiApi: { apiKey: TEST_KEY, baseUrl: bed.emulator.baseUrl } },
	});
	return await engine.run(chain(manualTrigger(), itemsNode('Items', [{}]), ...nodes));
}

describe('Text to Image node: Submit Job and Get Job', () => {
	it('Submit Job returns the job ID and signature at once, with one request and no polls', async () => {
		bed.emulator.configure({ jobDelayMs: 5000 });
		const result = await bed.runNode(
			imageNode({ operation: 'submitJob', prompt: 'A boat', width: 640 }),
		);
		expect(result.status).toBe('success');
		const job = onlyJob();
		expect(result.output('Image')).toEqual([
			{
				json: {
					jobId: String(job.jobid),
					signature: job.signature,
					model: 'realvision',
					prompt: 'A boat',
					scheduler: 'DPM++ SDE',
					steps: 4,
					cfgScale: 2,
					width: 640,
					height: 1024,
					costUsd: 0.0015,
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(bed.emulator.requests).toHaveLength(1);
		expect(bed.emulator.requests[0].path).toBe('/api/texttoimage/');
		expect(job.polls).toEqual([]);
		// It did not wait for the job: it returned long before the job could be ready.
		expect(job.status).toBe('processing');
	});

	it('Get Job on a running job answers done: false with status "processing"', async () => {
		bed.emulator.configure({ jobDelayMs: 5000 });
		await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A boat' }));
		const job = onlyJob();
		const result = await bed.runNode(
			imageNode({ operation: 'getJob', jobId: String(job.jobid), signature: job.signature }),
		);
		expect(result.status).toBe('success');
		expect(result.output('Image')).toEqual([
			{
				json: {
					jobId: String(job.jobid),
					done: false,
					status: 'processing',
					message: 'Job is processing',
					imageUrl: null,
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(job.polls).toHaveLength(1);
		expect(job.finishedAt).toBeNull();
	});

	it('Get Job after the job is ready answers done: true with the image URL', async () => {
		await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A boat' }));
		const job = onlyJob();
		await waitUntilReady(job);
		const result = await bed.runNode(
			imageNode({ operation: 'getJob', jobId: String(job.jobid), signature: job.signature }),
		);
		expect(result.status).toBe('success');
		const [item] = result.output('Image');
		expect(item.json).toEqual({
			jobId: String(job.jobid),
			done: true,
			status: 'success',
			message: 'success',
			imageUrl: `${bed.emulator.imageBaseUrl}/images/${job.jobid}.png`,
		});
		expect(item.binary).toBeUndefined();
		expect(job.polls).toHaveLength(1);
		expect(job.finishedAt).toBe(job.polls[0]);
		// One status check, no image download.
		expect(bed.emulator.requests.filter((r) => r.server === 'image')).toHaveLength(0);
	});

	it('Get Job fails for a job that failed, naming the job and the message', async () => {
		bed.emulator.setFault({
			endpoint: 'submit',
			type: 'jobFailed',
			message: 'NSFW content detected',
		});
		await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A boat' }));
		const job = onlyJob();
		await sleep(Math.max(0, (job.readyAt as number) - Date.now()) + 50);
		const result = await bed.runNode(
			imageNode({ operation: 'getJob', jobId: String(job.jobid), signature: job.signature }),
		);
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			`Image job ${job.jobid} failed: failed (NSFW content detected)`,
		);
	});

	it('chains Submit Job -> Get Job with expressions', async () => {
		bed.emulator.configure({ jobDelayMs: 0 });
		const result = await runChain(
			imageNode(
				{ operation: 'submitJob', prompt: 'A lighthouse', height: 512 },
				{ id: 'submit', name: 'Submit' },
			),
			imageNode(
				{
					operation: 'getJob',
					jobId: '={{ $json.jobId }}',
					signature: '={{ $json.signature }}',
				},
				{ id: 'get', name: 'Get', position: [600, 0] },
			),
		);
		expect(result.status).toBe('success');
		const job = onlyJob();
		expect(result.output('Submit')[0].json).toMatchObject({
			jobId: String(job.jobid),
			signature: job.signature,
		});
		expect(result.output('Get')).toEqual([
			{
				json: {
					jobId: String(job.jobid),
					done: true,
					status: 'success',
					message: 'success',
					imageUrl: `${bed.emulator.imageBaseUrl}/images/${job.jobid}.png`,
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(bed.apiRequests().map((r) => r.path)).toEqual([
			'/api/texttoimage/',
			'/api/texttoimage/jobs/',
		]);
		expect(bed.apiRequests()[1].body).toEqual({
			jobid: String(job.jobid),
			signature: job.signature,
		});
	});

	it('chains Submit Job -> Get Job while the job still runs (done: false)', async () => {
		bed.emulator.configure({ jobDelayMs: 5000 });
		const result = await runChain(
			imageNode({ operation: 'submitJob', prompt: 'A lighthouse' }, { id: 's', name: 'Submit' }),
			imageNode(
				{ operation: 'getJob', jobId: '={{ $json.jobId }}', signature: '={{ $json.signature }}' },
				{ id: 'g', name: 'Get', position: [600, 0] },
			),
		);
		expect(result.status).toBe('success');
		expect(result.output('Get')[0].json).toMatchObject({ done: false, status: 'processing' });
	});
});
