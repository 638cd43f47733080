/** Text to Image node: every parameter reaches the wire with its documented name and type. */
import { IMAGE_MODELS, SCHEDULERS } from '../emulator';
import { TEST_KEY, imageNode, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 200 });

const submits = () => bed.apiRequests().filter((r) => r.path === '/api/texttoimage/');
const polls = () => bed.apiRequests().filter((r) => r.path === '/api/texttoimage/jobs/');

describe('Text to Image node: the request on the wire', () => {
	it('posts every field with its documented wire name and Bearer auth to /api/texttoimage/', async () => {
		const result = await bed.runNode(
			imageNode({
				operation: 'generate',
				model: 'dreamshaper',
				prompt: 'A lighthouse at dusk',
				negativePrompt: 'blurry, text',
				scheduler: 'DPM++ 2M Karras',
				steps: 6,
				cfgScale: 3.5,
				width: 768,
				height: 512,
			}),
		);
		expect(result.status).toBe('success');
		expect(submits()).toHaveLength(1);
		const [request] = submits();
		expect(request.method).toBe('POST');
		expect(request.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
		expect(request.headers['content-type']).toContain('application/json');
		expect(request.body).toEqual({
			model: 'dreamshaper',
			prompt: 'A lighthouse at dusk',
			negativePrompt: 'blurry, text',
			scheduler: 'DPM++ 2M Karras',
			steps: 6,
			cfgScale: 3.5,
			width: 768,
			height: 512,
		});
	});

	it('sends the documented defaults when the fields are untouched, and no empty negative prompt', async () => {
		const result = await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A cat' }));
		expect(result.status).toBe('success');
		expect(submits()[0].body).toEqual({
			model: 'realvision',
			prompt: 'A cat',
			scheduler: 'DPM++ SDE',
			steps: 4,
			cfgScale: 2,
			width: 1024,
			height: 1024,
		});
	});

	it.each([
		['empty', ''],
		['whitespace only', '   '],
	])('omits a negative prompt that is %s', async (_name, negativePrompt) => {
		await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A cat', negativePrompt }));
		expect(submits()).toHaveLength(1);
		expect(submits()[0].body).not.toHaveProperty('negativePrompt');
	});

	it.each([...IMAGE_MODELS])('accepts model %s', async (model) => {
		const result = await bed.runNode(imageNode({ operation: 'submitJob', model, prompt: 'A cat' }));
		expect(result.status).toBe('success');
		expect(submits()).toHaveLength(1);
		expect(submits()[0].status).toBe(200);
		expect((submits()[0].body as { model: string }).model).toBe(model);
	});

	it.each([...SCHEDULERS])('accepts scheduler %s', async (scheduler) => {
		const result = await bed.runNode(
			imageNode({ operation: 'submitJob', scheduler, prompt: 'A cat' }),
		);
		expect(result.status).toBe('success');
		expect(submits()).toHaveLength(1);
		expect(submits()[0].status).toBe(200);
		expect((submits()[0].body as { scheduler: string }).scheduler).toBe(scheduler);
	});

	it('covers exactly the 15 documented models and 18 schedulers', () => {
		expect(IMAGE_MODELS).toHaveLength(15);
		expect(SCHEDULERS).toHaveLength(18);
	});

	it('sends values from expressions as JSON numbers, numeric strings included', async () => {
		const result = await bed.runNode(
			imageNode({
				operation: 'submitJob',
				model: '={{ $json.model }}',
				prompt: '={{ $json.prompt }}',
				scheduler: '={{ $json.scheduler }}',
				steps: '={{ $json.steps }}',
				cfgScale: '={{ $json.cfg }}',
				width: '={{ $json.w }}',
				height: '={{ $json.h }}',
			}),
			[
				{
					model: 'juggernaut',
					prompt: 'A dog',
					scheduler: 'Euler a',
					steps: 8,
					cfg: '6.5',
					w: 1344,
					h: '256',
				},
			],
		);
		expect(result.status).toBe('success');
		expect(submits()[0].body).toEqual({
			model: 'juggernaut',
			prompt: 'A dog',
			scheduler: 'Euler a',
			steps: 8,
			cfgScale: 6.5,
			width: 1344,
			height: 256,
		});
		expect(submits()[0].rawBody).toContain('"height":256');
		expect(submits()[0].rawBody).toContain('"cfgScale":6.5');
	});

	it('polls the job endpoint with {jobid, signature} and Bearer auth', async () => {
		const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'A cat' }));
		expect(result.status).toBe('success');
		const [job] = [...bed.emulator.jobs.values()];
		expect(polls().length).toBeGreaterThanOrEqual(1);
		for (const poll of polls()) {
			expect(poll.method).toBe('POST');
			expect(poll.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
			expect(poll.headers['content-type']).toContain('application/json');
			expect(poll.body).toEqual({ jobid: String(job.jobid), signature: job.signature });
		}
	});

	it('sends Get Job parameters as {jobid, signature}, trimmed', async () => {
		await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A cat' }));
		const [job] = [...bed.emulator.jobs.values()];
		const result = await bed.runNode(
			imageNode({
				operation: 'getJob',
				jobId: ` ${job.jobid} `,
				signature: `${job.signature} `,
			}),
		);
		expect(result.status).toBe('success');
		expect(polls()).toHaveLength(1);
		expect(polls()[0].body).toEqual({ jobid: String(job.jobid), signature: job.signature });
		expect(polls()[0].headers.authorization).toBe(`Bearer ${TEST_KEY}`);
	});
});
