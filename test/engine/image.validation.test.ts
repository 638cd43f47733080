/** Text to Image node: bad input fails with an error naming the field, and nothing is sent. */
import type { INodeParameters } from 'n8n-workflow';

import { continueOnFail, imageNode, itemError, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 200 });

const submit = (parameters: INodeParameters): INodeParameters => ({
	operation: 'submitJob',
	prompt: 'A cat',
	...parameters,
});

const cases: Array<[string, INodeParameters, RegExp]> = [
	[
		'an unknown model (expression)',
		submit({ model: '={{ "sdxl" }}' }),
		/^Model: "sdxl" is not one of the documented values/,
	],
	['an empty prompt (expression)', submit({ prompt: '={{ "" }}' }), /^Prompt: is empty/],
	['a whitespace-only prompt', submit({ prompt: ' \n\t ' }), /^Prompt: is empty/],
	[
		'a prompt over 10,000 characters',
		submit({ prompt: 'a'.repeat(10_001) }),
		/^Prompt: is 10001 characters long; the node accepts up to 10000/,
	],
	[
		'an unknown scheduler (expression)',
		submit({ scheduler: '={{ "Euler b" }}' }),
		/^Scheduler: "Euler b" is not one of the documented values/,
	],
	['steps 0', submit({ steps: 0 }), /^Steps: must be between 1 and 8, got 0/],
	['steps 9', submit({ steps: 9 }), /^Steps: must be between 1 and 8, got 9/],
	['steps 2.5', submit({ steps: 2.5 }), /^Steps: must be a whole number, got 2.5/],
	['CFG scale 0.5', submit({ cfgScale: 0.5 }), /^CFG Scale: must be between 1 and 7, got 0.5/],
	['CFG scale 7.5', submit({ cfgScale: 7.5 }), /^CFG Scale: must be between 1 and 7, got 7.5/],
	[
		'a CFG scale that is not a number (expression)',
		submit({ cfgScale: '={{ "strong" }}' }),
		/^CFG Scale: must be a number, got "strong"/,
	],
	[
		'a CFG scale of NaN (expression)',
		submit({ cfgScale: '={{ "NaN" }}' }),
		/^CFG Scale: must be a number/,
	],
	['width 255', submit({ width: 255 }), /^Width: must be between 256 and 1344, got 255/],
	['width 1345', submit({ width: 1345 }), /^Width: must be between 256 and 1344, got 1345/],
	['width 1000.5', submit({ width: 1000.5 }), /^Width: must be a whole number, got 1000.5/],
	['height 255', submit({ height: 255 }), /^Height: must be between 256 and 1344, got 255/],
	['height 1345', submit({ height: 1345 }), /^Height: must be between 256 and 1344, got 1345/],
	['height 1000.5', submit({ height: 1000.5 }), /^Height: must be a whole number, got 1000.5/],
	[
		'Generate with steps 9',
		{ operation: 'generate', prompt: 'A cat', steps: 9 },
		/^Steps: must be between 1 and 8, got 9/,
	],
	[
		'Get Job with an empty job ID (expression)',
		{ operation: 'getJob', jobId: '={{ $json.missing }}', signature: 'abc' },
		/^Job ID: is empty/,
	],
	[
		'Get Job with a whitespace job ID',
		{ operation: 'getJob', jobId: '   ', signature: 'abc' },
		/^Job ID: is empty/,
	],
	[
		'Get Job with a non-numeric job ID',
		{ operation: 'getJob', jobId: '12ab', signature: 'abc' },
		/^Job ID: "12ab" is not a job ID \(digits only\)/,
	],
	[
		'Get Job with an empty signature (expression)',
		{ operation: 'getJob', jobId: '12345678', signature: '={{ "" }}' },
		/^Signature: is empty/,
	],
	[
		'Get Job with a whitespace signature',
		{ operation: 'getJob', jobId: '12345678', signature: '  ' },
		/^Signature: is empty/,
	],
];

describe('Text to Image node: bad input', () => {
	it.each(cases)('rejects %s before any request', async (_name, parameters, message) => {
		const result = await bed.runNode(imageNode(parameters));
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(message);
		expect((result.error as { description?: string }).description).toBeTruthy();
		expect(bed.emulator.requests).toHaveLength(0);
		expect(bed.emulator.jobs.size).toBe(0);
	});

	it.each<[string, INodeParameters, string]>([
		['prompt', submit({ prompt: '' }), 'Prompt'],
		['job ID', { operation: 'getJob', jobId: '', signature: 'abc' }, 'Job ID'],
		['signature', { operation: 'getJob', jobId: '12345678', signature: '' }, 'Signature'],
	])(
		'n8n itself stops a run whose required %s is left empty, before any request',
		async (...row) => {
			const [, parameters, displayName] = row;
			await expect(bed.runNode(imageNode(parameters))).rejects.toThrow(
				`Parameter "${displayName}" is required`,
			);
			expect(bed.emulator.requests).toHaveLength(0);
		},
	);

	it('accepts the range limits 1/8 steps, 1/7 CFG scale, 256/1344 sizes', async () => {
		for (const [steps, cfgScale, width, height] of [
			[1, 1, 256, 1344],
			[8, 7, 1344, 256],
		]) {
			const result = await bed.runNode(imageNode(submit({ steps, cfgScale, width, height })));
			expect(result.status).toBe('success');
		}
		expect(bed.apiRequests().map((r) => r.status)).toEqual([200, 200]);
	});

	it('throws a NodeOperationError (n8n keeps the class under continueOnFail, re-labels it otherwise)', async () => {
		const kept = await bed.runNode(imageNode(submit({ steps: 0 }), continueOnFail));
		expect(kept.output('Image')[0].error?.name).toBe('NodeOperationError');
		const stopped = await bed.runNode(imageNode(submit({ steps: 0 })));
		// RoutingNode wraps any rejected preSend in a NodeApiError; message and description stay ours.
		expect((stopped.error as { name?: string }).name).toBe('NodeApiError');
		expect(stopped.error?.message).toMatch(/^Steps: must be between 1 and 8, got 0/);
		expect(bed.emulator.requests).toHaveLength(0);
	});

	it('with continueOnFail, fails only the bad item and submits the others', async () => {
		const result = await bed.runNode(
			imageNode(submit({ prompt: '={{ $json.p }}', steps: '={{ $json.s }}' }), continueOnFail),
			[
				{ p: 'first', s: 2 },
				{ p: 'second', s: 9 },
				{ p: 'third', s: 5 },
			],
		);
		expect(result.status).toBe('success');
		const output = result.output('Image');
		expect(output).toHaveLength(3);
		expect(output[0].json).toMatchObject({ prompt: 'first', steps: 2, jobId: expect.any(String) });
		expect(itemError(output[1])?.message).toMatch(/^Steps: must be between 1 and 8, got 9/);
		expect(output[2].json).toMatchObject({ prompt: 'third', steps: 5, jobId: expect.any(String) });
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(
			bed
				.apiRequests()
				.map((r) => (r.body as { prompt: string }).prompt)
				.sort(),
		).toEqual(['first', 'third']);
		expect(bed.emulator.jobs.size).toBe(2);
	});
});
