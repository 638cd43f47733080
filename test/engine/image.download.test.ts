/** Text to Image node: "Download Image" puts the real PNG in a binary property, fetched without the key. */
import { sleep, type INodeExecutionData } from 'n8n-workflow';

import type { EmulatorJob } from '../emulator';
import { readBinary } from '../harness';
import { expectNoKeyIn, imageNode, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 200 });

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from a PNG's IHDR chunk, after checking the signature and chunk type. */
function pngSize(bytes: Buffer): { width: number; height: number } {
	expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
	expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
	return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

const onlyJob = (): EmulatorJob => {
	expect(bed.emulator.jobs.size).toBe(1);
	return [...bed.emulator.jobs.values()][0];
};
const imageRequests = () => bed.emulator.requests.filter((r) => r.server === 'image');

async function expectPng(item: INodeExecutionData, property: string, job: EmulatorJob) {
	const binary = item.binary?.[property];
	expect(binary).toBeDefined();
	expect(binary?.mimeType).toBe('image/png');
	expect(binary?.fileName).toBe(`minitoolai-${job.jobid}.png`);
	const bytes = await readBinary(item, property);
	expect(pngSize(bytes)).toEqual({ width: job.body.width, height: job.body.height });
	expect(bytes.subarray(-8, -4).toString('latin1')).toBe('IEND');
	return bytes;
}

describe('Text to Image node: Download Image', () => {
	it('Generate puts the PNG in "data" by default, fetched from the image host without Authorization', async () => {
		const result = await bed.runNode(
			imageNode({
				operation: 'generate',
				prompt: 'A red kite',
				width: 320,
				height: 256,
				downloadImage: true,
			}),
		);
		expect(result.status).toBe('success');
		const job = onlyJob();
		const [item] = result.output('Image');
		expect(item.json.imageUrl).toBe(`${bed.emulator.imageBaseUrl}/images/${job.jobid}.png`);
		expect(Object.keys(item.binary ?? {})).toEqual(['data']);
		const bytes = await expectPng(item, 'data', job);
		expect(pngSize(bytes)).toEqual({ width: 320, height: 256 });

		expect(imageRequests()).toHaveLength(1);
		const [download] = imageRequests();
		expect(download.method).toBe('GET');
		expect(download.path).toBe(`/images/${job.jobid}.png`);
		expect(download.status).toBe(200);
		expect(download.headers.authorization).toBeUndefined();
		expect(JSON.stringify(download.headers)).not.toContain('Bearer');
		expectNoKeyIn(result);
	});

	it('uses a custom binary property name', async () => {
		const result = await bed.runNode(
			imageNode({
				operation: 'generate',
				prompt: 'A red kite',
				width: 256,
				height: 384,
				downloadImage: true,
				binaryPropertyName: 'picture',
			}),
		);
		expect(result.status).toBe('success');
		const [item] = result.output('Image');
		expect(Object.keys(item.binary ?? {})).toEqual(['picture']);
		await expectPng(item, 'picture', onlyJob());
	});

	it('Get Job downloads the image of a finished job', async () => {
		await bed.runNode(
			imageNode({ operation: 'submitJob', prompt: 'A red kite', width: 288, height: 256 }),
		);
		const job = onlyJob();
		// Submit Job does not download.
		expect(imageRequests()).toHaveLength(0);
		await sleep(Math.max(0, (job.readyAt as number) - Date.now()) + 50);
		const result = await bed.runNode(
			imageNode({
				operation: 'getJob',
				jobId: String(job.jobid),
				signature: job.signature,
				downloadImage: true,
			}),
		);
		expect(result.status).toBe('success');
		const [item] = result.output('Image');
		expect(item.json.done).toBe(true);
		await expectPng(item, 'data', job);
		const download = imageRequests().find((r) => r.path === `/images/${job.jobid}.png`);
		expect(download?.headers.authorization).toBeUndefined();
	});

	it('Get Job on a running job downloads nothing', async () => {
		bed.emulator.configure({ jobDelayMs: 5000 });
		try {
			await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A red kite' }));
			const job = onlyJob();
			const result = await bed.runNode(
				imageNode({
					operation: 'getJob',
					jobId: String(job.jobid),
					signature: job.signature,
					downloadImage: true,
				}),
			);
			expect(result.output('Image')[0].json.done).toBe(false);
			expect(result.output('Image')[0].binary).toBeUndefined();
			expect(imageRequests()).toHaveLength(0);
		} finally {
			bed.emulator.configure({ jobDelayMs: 200 });
		}
	});

	/** Generate with Download Image on, small so the fault cases stay quick. */
	const smallDownload = () =>
		imageNode({
			operation: 'generate',
			prompt: 'A red kite',
			width: 256,
			height: 256,
			downloadImage: true,
		});

	it('fails clearly when the image host answers 404', async () => {
		bed.emulator.setFault({ endpoint: 'image', type: 'status', status: 404 });
		const result = await bed.runNode(smallDownload());
		expect(result.status).toBe('error');
		const job = onlyJob();
		expect(result.error?.message).toBe(
			`Could not download the image of job ${job.jobid}: the image host answered HTTP 404`,
		);
		// The hint carries the URL, so the finished image is not lost.
		expect((result.error as { description?: string }).description).toContain(
			`/images/${job.jobid}.png`,
		);
		expect(imageRequests()).toHaveLength(1);
	});

	it('fails clearly when the image host sends something that is not an image', async () => {
		bed.emulator.setFault({ endpoint: 'image', type: 'notImage' });
		const result = await bed.runNode(smallDownload());
		expect(result.status).toBe('error');
		const job = onlyJob();
		expect(result.error?.message).toBe(
			`Could not download the image of job ${job.jobid}: the image host sent text/html, not an image`,
		);
	});
});
