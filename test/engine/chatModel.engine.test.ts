/**
 * MiniToolAI Chat Model sub-node, run by n8n-core's real engine: a consumer node (standing in for
 * n8n's Basic LLM Chain / AI Agent, which live in @n8n/n8n-nodes-langchain) asks n8n-core for its
 * `ai_languageModel` input, n8n-core calls our `supplyData` with a real SupplyDataContext, and the
 * SDK's LangChain adapter (from `supplyModel`) is invoked and streamed exactly as the chain and the
 * agent do. Requests go through n8n's `httpRequestWithAuthentication` to the emulator.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import type { RunResult } from '../harness';
import { consumerDescription, consumerInput, runWithChatModel, textOf } from './modelHarness';

const KEY = ['emu', 'chatmodel', 'key', '7c31d0'].join('-');

/** Consumer node: `mode` = invoke | stream | tools; `messages` = LangChain message-likes as JSON. */
class ModelConsumer implements INodeType {
	description = consumerDescription('modelConsumer', 'Test stand-in for a chain or agent');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { model, mode, messages } = await consumerInput(this);
		if (mode === 'stream') {
			const pieces: string[] = [];
			const times: number[] = [];
			let usage: IDataObject | null = null;
			for await (const chunk of await model.stream(messages)) {
				const text = textOf(chunk);
				if (text !== '') {
					pieces.push(text);
					times.push(Date.now());
				}
				if (chunk.usage_metadata) usage = chunk.usage_metadata as unknown as IDataObject;
			}
			return [[{ json: { pieces, times, usage } }]];
		}
		let target = model;
		if (mode === 'tools') {
			target = model.bindTools!([
				{
					type: 'function',
					function: {
						name: 'get_weather',
						description: 'Weather for a city',
						parameters: { type: 'object', properties: { city: { type: 'string' } } },
					},
				},
			]);
		}
		const answer = await target.invoke(messages);
		return [
			[
				{
					json: {
						text: textOf(answer),
						toolCalls: ((answer as { tool_calls?: unknown[] }).tool_calls ?? []) as IDataObject[],
						usage: (answer.usage_metadata ?? null) as unknown as IDataObject,
						metadata: (answer.response_metadata ?? {}) as IDataObject,
					},
				},
			],
		];
	}
}

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ keys: { [KEY]: 100 }, tokenDelayMs: 30 });
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.reset());

async function run(
	mode: string,
	messages: unknown,
	parameters: IDataObject = {},
	credentials: { apiKey?: string; baseUrl?: string } = {},
	abortAfterMs?: number,
): Promise<RunResult> {
	return await runWithChatModel({
		consumer: ModelConsumer,
		credentials: { apiKey: KEY, baseUrl: emulator.baseUrl, ...credentials },
		mode,
		messages,
		modelParameters: parameters as INode['parameters'],
		abortAfterMs,
	});
}

function subNodeDescription(result: RunResult): string {
	return String((result.error as Error & { description?: string })?.description ?? '');
}

function chatRequests() {
	return emulator.requests.filter((request) => request.path.startsWith('/api/chat-completions'));
}

describe('MiniToolAI Chat Model in the n8n engine (supplyData -> SDK adapter -> emulator)', () => {
	it('invoke: sends the documented body with the key as Bearer, returns the text and usage', async () => {
		const result = await run(
			'invoke',
			[
				['system', 'Answer briefly.'],
				['human', 'hello from the chain'],
			],
			{ model: 'gpt-4.1-nano', temperature: 0.3, maxCompletionTokens: 50 },
		);
		expect(result.error).toBeUndefined();
		const json = result.output('Consumer')[0].json;
		expect(json.text).toBe('Echo: hello from the chain');
		const requests = chatRequests();
		expect(requests).toHaveLength(1);
		expect(requests[0].method).toBe('POST');
		expect(requests[0].path).toBe('/api/chat-completions/');
		expect(requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
		expect(requests[0].body).toEqual({
			model: 'gpt-4.1-nano',
			messages: [
				{ role: 'developer', content: 'Answer briefly.' },
				{ role: 'user', content: 'hello from the chain' },
			],
			temperature: 0.3,
			max_completion_tokens: 50,
		});
		expect(requests[0].status).toBe(200);
		// Emulator: prompt = words + 3 per message = (2+3) + (4+3); completion = 5 pieces.
		expect(json.usage).toMatchObject({ input_tokens: 12, output_tokens: 5, total_tokens: 17 });
		const metadata = json.metadata as IDataObject;
		expect(metadata.provider).toBe('minitoolai');
		expect(metadata.responseModel).toBe('gpt-4.1-nano-2025-04-14');
		expect(metadata.costUsd).toBeCloseTo((12 * 0.1 + 5 * 0.4) / 1e6, 12);
		expect(metadata.costUsd).toBeCloseTo(requests[0].chargedUsd, 12);
		// n8n's LLM tracing logs the real usage on the sub-node's output.
		const modelOutput = result.run.data.resultData.runData['MiniToolAI Chat Model'][0].data
			?.ai_languageModel?.[0]?.[0]?.json as IDataObject;
		expect(modelOutput.tokenUsage).toEqual({
			promptTokens: 12,
			completionTokens: 5,
			totalTokens: 17,
		});
		expect(result.executionData).not.toContain(KEY);
	});

	it('uses the defaults: gpt-4o-mini, temperature 1, 1000 max completion tokens', async () => {
		const result = await run('invoke', [['human', 'defaults']]);
		expect(result.error).toBeUndefined();
		expect(chatRequests()[0].body).toMatchObject({
			model: 'gpt-4o-mini',
			temperature: 1,
			max_completion_tokens: 1000,
		});
	});

	it('stream: yields the pieces in order as the emulator writes them; joined = full text', async () => {
		// No word ends in the key's first letter: a piece that could begin the key waits for the
		// next one (the key is redacted as it streams), which would move the cut between pieces.
		const result = await run('stream', [['human', 'uno two thru four']]);
		expect(result.error).toBeUndefined();
		const json = result.output('Consumer')[0].json;
		expect(json.pieces).toEqual(['Echo:', ' uno', ' two', ' thru', ' four']);
		expect((json.pieces as string[]).join('')).toBe('Echo: uno two thru four');
		// Read incrementally: pieces arrive spread out as the emulator writes them (30 ms apart),
		// not all at once when the answer ends.
		const times = json.times as number[];
		expect(times[times.length - 1] - times[0]).toBeGreaterThanOrEqual(80);
		expect(json.usage).toMatchObject({ input_tokens: 7, output_tokens: 5, total_tokens: 12 });
		expect(chatRequests()).toHaveLength(1);
	});

	it('401: the error names the HTTP status, the server message and the hint; the key is not leaked', async () => {
		const wrongKey = ['wrong', 'key', '123456'].join('-');
		const result = await run('invoke', [['human', 'x']], {}, { apiKey: wrongKey });
		expect(result.status).toBe('error');
		const error = result.error as Error & { description?: string; httpCode?: string };
		expect(error.message).toContain('HTTP 401');
		expect(error.message).toContain('Invalid or missing API key');
		expect(error.description ?? '').toContain('Check the API key');
		expect(result.executionData).not.toContain(wrongKey);
	});

	it('500: the error carries the status and the server message', async () => {
		emulator.setFault({
			endpoint: 'chat',
			type: 'status',
			status: 500,
			body: { error: { message: `boom ${KEY}` } },
		});
		const result = await run('stream', [['human', 'x']]);
		expect(result.status).toBe('error');
		expect(result.error?.message).toContain('HTTP 500');
		expect(result.error?.message).toContain('boom ***');
		expect(result.executionData).not.toContain(KEY);
	});

	it('refuses a temperature out of range before sending, naming the field', async () => {
		const result = await run('invoke', [['human', 'x']], { temperature: 3 });
		expect(result.status).toBe('error');
		// n8n reports a failing sub-node as "Error in sub-node <name>" with our message as description.
		expect(result.error?.message).toBe('Error in sub-node MiniToolAI Chat Model');
		expect(subNodeDescription(result)).toContain('Sampling Temperature: must be between 0 and 2');
		expect(chatRequests()).toHaveLength(0);
	});

	it('refuses a fractional max completion tokens, naming the field', async () => {
		const result = await run('invoke', [['human', 'x']], { maxCompletionTokens: 10.5 });
		expect(result.status).toBe('error');
		expect(subNodeDescription(result)).toContain('Max Completion Tokens: must be a whole number');
		expect(chatRequests()).toHaveLength(0);
	});
});

describe('MiniToolAI Chat Model against a misbehaving server', () => {
	it.each(['invoke', 'stream'])(
		'%s: returns the complete answer when the server keeps the connection open after [DONE]',
		async (mode) => {
			emulator.setFault({ endpoint: 'chat', type: 'holdOpen' });
			const result = await run(mode, [['human', 'held open']]);
			expect(result.error).toBeUndefined();
			const json = result.output('Consumer')[0].json;
			const text = mode === 'stream' ? (json.pieces as string[]).join('') : json.text;
			expect(text).toBe('Echo: held open');
		},
	);

	it('a redirect is an error naming the target; nothing reaches the other host', async () => {
		emulator.setFault({ endpoint: 'chat', type: 'redirect' });
		const result = await run('invoke', [['human', 'x']]);
		expect(result.error?.message).toContain('HTTP 307');
		expect(subNodeDescription(result)).toContain(
			`redirected the request to ${emulator.imageBaseUrl}`,
		);
		expect(emulator.requests.filter((request) => request.server === 'image')).toHaveLength(0);
	});

	it("an unreachable Base URL is said once, in n8n's words as for the Chat node", async () => {
		const result = await run('invoke', [['human', 'x']], {}, { baseUrl: 'http://127.0.0.1:9' });
		const message = String(result.error?.message);
		expect(message).toBe('The service refused the connection - perhaps it is offline');
	});

	it('a cancel while the model waits for its answer ends the run as canceled', async () => {
		emulator.setFault({ endpoint: 'chat', type: 'hang' });
		const result = await run('invoke', [['human', 'x']], {}, {}, 500);
		expect(result.status).toBe('canceled');
		expect(String(result.error?.message ?? '')).not.toContain('Could not reach');
	});
});
