/** Text to Image node: many items at once, and rate limits (429 with Retry-After) on the way. */
import { MAX_RATE_LIMIT_RETRIES } from '../../nodes/shared/transport/rateLimit';
import { imageNode, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 300 });
beforeEach(() => {
	bed.emulator.reset();
	bed.emulator.configure({ maxConcurrent: 0, latencyMs: 0, retryAfterSeconds: 1 });
});
afterEach(() => bed.emulator.configure({ maxConcurrent: 0, latencyMs: 0, retryAfterSeconds: 1 }));

const COUNT = 20;
const items = Array.from({ length: COUNT }, (_, i) => ({ p: `Picture number ${i}` }));
const batchNode = () =>
	imageNode({ operation: 'generate', prompt: '={{ $json.p }}', width: 256, height: 256 });
const submits = () => bed.apiRequests().filter((r) => r.path === '/api/texttoimage/');

function expectAllInOrder(output: Array<{ json: Record<string, unknown>; pairedItem?: unknown }>) {
	expect(output).toHaveLength(COUNT);
	output.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json.prompt).toBe(`Picture number ${i}`);
		const job = bed.emulator.jobs.get(String(item.json.jobId));
		expect(job?.body.prompt).toBe(`Picture number ${i}`);
		expect(item.json.imageUrl).toBe(`${bed.emulator.imageBaseUrl}/images/${job?.jobid}.png`);
	});
	expect(new Set(output.map((item) => item.json.jobId)).size).toBe(COUNT);
}

describe('Text to Image node: batches and rate limits', () => {
	it('generates 20 items at once, outputs in input order with pairedItem 0..19', async () => {
		const result = await bed.runNode(batchNode(), items);
		expect(result.status).toBe('success');
		expect(bed.emulator.jobs.size).toBe(COUNT);
		expect(submits()).toHaveLength(COUNT);
		expectAllInOrder(result.output('Image'));
		for (const job of bed.emulator.jobs.values()) expect(job.finishedAt).not.toBeNull();
	});

	it('still finishes all 20 when the API allows 5 requests at a time (429 + Retry-After)', async () => {
		bed.emulator.configure({ maxConcurrent: 5, latencyMs: 50, retryAfterSeconds: 1 });
		const result = await bed.runNode(batchNode(), items);
		expect(result.status).toBe('success');
		const limited = bed.apiRequests().filter((r) => r.status === 429);
		expect(limited.length).toBeGreaterThan(0);
		expect(bed.emulator.jobs.size).toBe(COUNT);
		expect(submits().filter((r) => r.status === 200)).toHaveLength(COUNT);
		expectAllInOrder(result.output('Image'));
	});

	it('recovers from one 429 on submit: two submit requests, one job', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'rateLimit', retryAfter: 0, times: 1 });
		const result = await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A cat' }));
		expect(result.status).toBe('success');
		expect(submits().map((r) => r.status)).toEqual([429, 200]);
		expect(submits()[1].body).toEqual(submits()[0].body);
		expect(bed.emulator.jobs.size).toBe(1);
		expect(result.output('Image')[0].json.jobId).toBe(String([...bed.emulator.jobs.keys()][0]));
	});

	it('recovers from a 429 on submit during Generate and then polls as usual', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'rateLimit', retryAfter: 0, times: 1 });
		const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }));
		expect(result.status).toBe('success');
		expect(submits().map((r) => r.status)).toEqual([429, 200]);
		expect(result.output('Image')[0].json.imageUrl).toMatch(/\/images\/\d+\.png$/);
	});

	it('fails with HTTP 429 once the retry budget is spent', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'rateLimit', retryAfter: 0 });
		const result = await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A cat' }));
		expect(result.status).toBe('error');
		expect((result.error as { name?: string }).name).toBe('NodeApiError');
		expect(result.error?.message).toMatch(/HTTP 429/);
		expect((result.error as { description?: string }).description).toBeTruthy();
		// One try and the transport's 4 retries.
		expect(submits()).toHaveLength(MAX_RATE_LIMIT_RETRIES + 1);
		expect(submits().every((r) => r.status === 429)).toBe(true);
		expect(bed.emulator.jobs.size).toBe(0);
	});
});
