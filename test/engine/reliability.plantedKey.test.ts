/**
 * The key, planted by the server in every string it controls: chat text (split across events),
 * ids, model names, usage, error messages at the clip point, HTML titles, stream error events,
 * redirect targets, Retry-After, job answers (status, message, image URL, signature), structured
 * and tool answers. For all three nodes, no piece of it (FRAGMENT_CHARS characters) appears in an
 * output item, an error (message, description, the whole error), n8n's execution data, a chunk
 * streamed to the caller, or a request to another host.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeParameters,
	type INodeType,
} from 'n8n-workflow';
import { z } from 'zod';

import type { Fault } from '../emulator';
import { keyFragmentIn } from '../fixtures/secrets';
import type { RunResult } from '../harness';
import { consumerDescription, consumerInput, runWithChatModel, textOf } from './modelHarness';
import { chatNode, continueOnFail, imageNode, userMessages, useTestBed } from './setup';

// Upper-case letters too: a URL's host is lower-cased when parsed.
const KEY = ['mtai', 'Live', '7Qx2Vb9KpL4sWz8N'].join('-');
const bed = useTestBed({ keys: { [KEY]: 100 }, jobDelayMs: 50 });

/** Nothing of the key anywhere a user, a log or another host could see. */
function expectKeyNowhere(result: RunResult, chunks: unknown[] = []): void {
	const seen: Array<[string, string]> = [
		['execution data', result.executionData],
		['run error', JSON.stringify(result.error ?? {})],
		['run error message', String(result.error?.message ?? '')],
		['run error description', String((result.error as { description?: string })?.description)],
		['streamed chunks', JSON.stringify(chunks)],
	];
	for (const [node, outputs] of Object.entries(result.outputs)) {
		for (const item of outputs.flat()) {
			seen.push([`${node} item`, JSON.stringify(item.json)]);
			seen.push([`${node} item binary`, JSON.stringify(item.binary ?? {})]);
			if (item.error) {
				seen.push([`${node} error`, `${item.error.message}\n${item.error.description}`]);
				seen.push([`${node} error JSON`, JSON.stringify(item.error)]);
			}
		}
	}
	for (const request of bed.emulator.requests.filter((r) => r.server !== 'api')) {
		seen.push([`request to ${request.server}`, JSON.stringify(request.headers) + request.path]);
	}
	const leaks = seen
		.map(([where, text]) => [where, keyFragmentIn(text, KEY)])
		.filter(([, fragment]) => fragment !== undefined);
	expect(leaks).toEqual([]);
}

/** A documented chunk whose every string field holds the key. */
function chunk(delta: IDataObject, finish: string | null = null, usage: unknown = null) {
	return {
		id: `chatcmpl-${KEY}`,
		object: 'chat.completion.chunk',
		created: 1,
		model: `gpt-4o-mini-${KEY}`,
		service_tier: KEY,
		system_fingerprint: KEY,
		choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
		usage,
	};
}

/** An SSE answer of `pieces`, the key in its other fields too, with usage and [DONE]. */
function sseAnswer(pieces: string[]): Fault {
	const events = [
		...pieces.map((content) => chunk({ content })),
		chunk({}, `stop ${KEY}`),
		chunk({}, null, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, note: KEY }),
	];
	const body = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`;
	return {
		endpoint: 'chat',
		type: 'status',
		status: 200,
		body,
		headers: { 'Content-Type': 'text/event-stream' },
	};
}

/** The key split across three events. */
const SPLIT_KEY = [
	`Your key is ${KEY.slice(0, 6)}`,
	KEY.slice(6, 15),
	`${KEY.slice(15)}, keep it.`,
];

const chatFaults: Array<[string, Fault[]]> = [
	['an answer holding it in every field, split across events', [sseAnswer(SPLIT_KEY)]],
	[
		'a JSON chat.completion holding it',
		[
			{
				endpoint: 'chat',
				type: 'status',
				status: 200,
				body: {
					id: KEY,
					object: 'chat.completion',
					model: KEY,
					choices: [{ index: 0, message: { role: 'assistant', content: `a ${KEY} b` } }],
					usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, x: KEY },
				},
			},
		],
	],
	['an error message with the key at the clip (character 300)', [{ type: 'echoKey' }]],
	[
		'an HTML error page whose title holds it',
		[
			{
				endpoint: 'chat',
				type: 'status',
				status: 502,
				body: `<html><head><title>${'Bad gateway '.repeat(24)}${KEY}</title></head></html>`,
			},
		],
	],
	['an error object in the stream', [{ endpoint: 'chat', type: 'streamError', message: KEY }]],
	['an event: error frame', [{ endpoint: 'chat', type: 'errorEvent', message: KEY }]],
	[
		'an error body instead of a stream',
		[{ endpoint: 'chat', type: 'errorBody', body: { status: 'error', message: KEY } }],
	],
	[
		'a redirect to a host named after it',
		[{ endpoint: 'chat', type: 'redirect', target: `http://${KEY}.invalid/x` }],
	],
	[
		'a redirect to a path holding it',
		[{ endpoint: 'chat', type: 'redirect', target: `http://127.0.0.2:9/${KEY}` }],
	],
	[
		'a 429 with it in Retry-After and the body',
		[
			{
				endpoint: 'chat',
				type: 'rateLimit',
				retryAfter: 3600,
				headers: { 'X-Note': KEY },
				body: { error: { message: `${'slow down '.repeat(29)}${KEY}` } },
			},
		],
	],
	[
		'text that is neither a stream nor JSON, the key at the preview cut',
		[
			{
				endpoint: 'chat',
				type: 'status',
				status: 200,
				body: `${'x'.repeat(195)}${KEY}`,
				headers: { 'Content-Type': 'text/plain' },
			},
		],
	],
];

describe('Chat node: a server that plants the key', () => {
	it.each(chatFaults)('%s', async (_label, faults) => {
		for (const variant of [{ simplifyOutput: true }, { simplifyOutput: false }]) {
			bed.emulator.reset();
			for (const fault of faults) bed.emulator.setFault({ endpoint: 'chat', ...fault });
			const chunks: unknown[] = [];
			const node = chatNode({ messages: userMessages('hello'), ...variant }, continueOnFail);
			const result = await bed.runNode(node, [{}], {
				apiKey: KEY,
				streaming: { onChunk: (c) => chunks.push(c) },
			});
			expect(result.output('Chat')).toHaveLength(1);
			expectKeyNowhere(result, chunks);
		}
	});

	it('streams the answer with the key redacted, wherever the pieces are cut', async () => {
		bed.emulator.setFault(sseAnswer(SPLIT_KEY));
		const chunks: Array<{ type: string; content?: string }> = [];
		const result = await bed.runNode(chatNode({ messages: userMessages('hello') }), [{}], {
			apiKey: KEY,
			streaming: { onChunk: (c) => chunks.push(c as { type: string; content?: string }) },
		});
		const text = 'Your key is ***, keep it.';
		expect(result.output('Chat')[0].json.text).toBe(text);
		const streamed = chunks.filter((c) => c.type === 'item').map((c) => c.content);
		expect(streamed.join('')).toBe(text);
		expectKeyNowhere(result, chunks);
	});

	it('Response Format JSON Schema: broken answers at the clip, then a value holding it', async () => {
		const schema = { type: 'object', properties: { note: { type: 'string' } }, required: ['note'] };
		const broken = `{"note": 1, "pad": "${'p'.repeat(1970)}${KEY}"}`;
		bed.emulator.setFault({ ...sseAnswer([broken]), times: 2 });
		const first = await bed.runNode(
			chatNode(
				{
					messages: userMessages('hello'),
					responseFormat: 'jsonSchema',
					schemaType: 'manual',
					jsonSchema: JSON.stringify(schema),
				},
				continueOnFail,
			),
			[{}],
			{ apiKey: KEY },
		);
		expect(first.output('Chat')[0].json.error ?? first.output('Chat')[0].error).toBeTruthy();
		expectKeyNowhere(first);

		bed.emulator.reset();
		bed.emulator.setFault(sseAnswer([`{"note": "${KEY}"}`]));
		const accepted = await bed.runNode(
			chatNode({
				messages: userMessages('hello'),
				responseFormat: 'jsonSchema',
				schemaType: 'manual',
				jsonSchema: JSON.stringify(schema),
			}),
			[{}],
			{ apiKey: KEY },
		);
		expect(accepted.output('Chat')[0].json.output).toEqual({ note: '***' });
		expectKeyNowhere(accepted);
	});
});

const generate = (downloadImage: boolean, maxWaitSeconds = 5): INodeParameters => ({
	operation: 'generate',
	prompt: 'A cat',
	width: 256,
	height: 256,
	downloadImage,
	options: { maxWaitSeconds },
});
const submitJob: INodeParameters = { operation: 'submitJob', prompt: 'A cat' };
const getJob: INodeParameters = {
	operation: 'getJob',
	jobId: '12345678',
	signature: 'abcdefghijklmnopqrstuvwx',
	downloadImage: false,
};

const jobAnswer = (body: unknown, times?: number): Fault => ({
	endpoint: 'job',
	type: 'status',
	status: 200,
	body: body as IDataObject,
	...(times ? { times } : {}),
});

const imageFaults: Array<[string, INodeParameters, () => Fault[]]> = [
	[
		'a refused submit holding it (message, job id)',
		generate(false),
		() => [
			{
				endpoint: 'submit',
				type: 'status',
				status: 200,
				body: { status: 'error', message: KEY, jobid: KEY, signature: null },
			},
		],
	],
	[
		'an accepted submit whose signature holds it (Submit Job)',
		submitJob,
		() => [
			{
				endpoint: 'submit',
				type: 'status',
				status: 200,
				body: { status: 'success', jobid: 12345678, signature: `sig-${KEY}` },
			},
		],
	],
	[
		'a finished job whose image URL holds it (Download Image on)',
		generate(true),
		() => [
			jobAnswer({
				status: 'success',
				image_url: `${bed.emulator.imageBaseUrl}/images/${KEY}.png`,
				message: KEY,
			}),
		],
	],
	[
		'a finished job whose image URL holds it (URL only)',
		generate(false),
		() => [
			jobAnswer({ status: 'success', image_url: `http://img.invalid/${KEY}.png`, message: KEY }),
		],
	],
	[
		'a running job whose status and message hold it (Get Job)',
		getJob,
		() => [jobAnswer({ status: `processing ${KEY}`, message: KEY })],
	],
	[
		'a failed job whose message holds it',
		generate(false),
		() => [{ endpoint: 'submit', type: 'jobFailed', message: `${'no '.repeat(40)}${KEY}` }],
	],
	[
		'HTML pages whose title holds it, instead of a status',
		generate(false),
		() => [
			{
				endpoint: 'job',
				type: 'html',
				body: `<html><title>${'proxy '.repeat(19)}${KEY}</title></html>`,
			},
		],
	],
	[
		'text instead of a status, the key at the preview cut',
		generate(false),
		() => [
			{
				endpoint: 'job',
				type: 'status',
				status: 200,
				body: `${'t'.repeat(115)}${KEY}`,
				headers: { 'Content-Type': 'text/plain' },
			},
		],
	],
	[
		'a status check error body holding it',
		generate(false),
		() => [
			{
				endpoint: 'job',
				type: 'status',
				status: 403,
				body: { error: { message: `${'denied '.repeat(42)}${KEY}` } },
			},
		],
	],
	[
		'a job that never finishes, its last status holding it (Max Wait)',
		generate(false, 1),
		() => [jobAnswer({ status: 'processing', message: KEY })],
	],
];

describe('Text to Image node: a server that plants the key', () => {
	it.each(imageFaults)('%s', async (_label, parameters, faults) => {
		for (const fault of faults()) bed.emulator.setFault(fault);
		const result = await bed.runNode(imageNode(parameters, continueOnFail), [{}], {
			apiKey: KEY,
		});
		expect(result.output('Image')).toHaveLength(1);
		expectKeyNowhere(result);
	});
});

/** Stand-in for an AI Agent: binds a calculator tool when `mode` says so, invokes or streams. */
class KeyConsumer implements INodeType {
	description = consumerDescription('keyConsumer', 'Test stand-in for a chain or an agent');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { model, mode, messages } = await consumerInput(this);
		const calculator = {
			name: 'calculator',
			description: 'Evaluates arithmetic',
			schema: z.object({ input: z.string() }),
		};
		const bound = mode === 'tools' ? model.bindTools!([calculator]) : model;
		const deltas: string[] = [];
		let answer;
		if (mode === 'stream') {
			for await (const piece of await bound.stream(messages)) {
				deltas.push(textOf(piece));
				answer = answer ? answer.concat!(piece) : piece;
			}
		} else {
			answer = await bound.invoke(messages);
		}
		return [[{ json: JSON.parse(JSON.stringify({ answer, deltas })) as IDataObject }]];
	}
}

const toolCall = (input: string) =>
	JSON.stringify({ tool_calls: [{ name: 'calculator', arguments: { input } }] });
const notACall = `${JSON.stringify({ tool_calls: [{ name: 'nope', arguments: { q: 'x'.repeat(1943) } }] }).slice(0, -5)}${KEY}"}}]}`;

const modelCases: Array<[string, string, Fault[]]> = [
	['an answer holding it (invoke)', 'invoke', [sseAnswer(SPLIT_KEY)]],
	['an answer holding it (stream)', 'stream', [sseAnswer(SPLIT_KEY)]],
	['a tool call whose arguments hold it', 'tools', [sseAnswer([toolCall(`2+${KEY}`)])]],
	[
		'two answers that are not tool calls, the key at the 2,000-character cut',
		'tools',
		[{ ...sseAnswer([notACall]), times: 2 }],
	],
	['an error message with the key at the clip', 'invoke', [{ endpoint: 'chat', type: 'echoKey' }]],
	[
		'an error object in the stream',
		'stream',
		[{ endpoint: 'chat', type: 'streamError', message: KEY }],
	],
];

describe('Chat Model: a server that plants the key', () => {
	it.each(modelCases)('%s', async (_label, mode, faults) => {
		for (const fault of faults) bed.emulator.setFault(fault);
		const result = await runWithChatModel({
			consumer: KeyConsumer,
			credentials: { apiKey: KEY, baseUrl: bed.emulator.baseUrl },
			mode,
			messages: [{ role: 'user', content: 'What is 2+2?' }],
			modelParameters: { model: 'gpt-4o-mini' },
		});
		expectKeyNowhere(result);
		expect(bed.apiRequests().length).toBeGreaterThan(0);
	});
});
