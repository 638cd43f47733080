/**
 * The SDK model class (MiniToolAiLanguageModel) on its own against the real emulator, with a
 * transport that does real HTTP through fetch: generate(), stream(), the answer shapes the docs
 * leave open (plain JSON, errors inside the stream, cut streams) and HTTP errors.
 */
import type { Message } from '@n8n/ai-node-sdk';
import type { INode } from 'n8n-workflow';
import { z } from 'zod';

import {
	MiniToolAiLanguageModel,
	type ChatTransport,
	type MiniToolAiModelOptions,
} from '../../nodes/MiniToolAiChatModel/model';
import { startEmulator, type Emulator } from '../emulator';

const KEY = ['emu', 'direct', 'key', '5be81f'].join('-');
const NODE: INode = {
	id: 'model',
	name: 'MiniToolAI Chat Model',
	type: 'n8n-nodes-minitoolai.miniToolAiChatModel',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ keys: { [KEY]: 100 }, tokenDelayMs: 25 });
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.reset());

function fetchTransport(key = KEY): ChatTransport {
	return async (body, signal) => {
		const response = await fetch(`${emulator.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
			signal,
		});
		return { statusCode: response.status, body: response.body };
	};
}

function model(
	modelId = 'gpt-4o-mini',
	options: Partial<MiniToolAiModelOptions> = {},
	config = { temperature: 0.5, maxTokens: 200 },
) {
	return new MiniToolAiLanguageModel(
		modelId,
		{
			transport: fetchTransport(),
			node: NODE,
			apiKey: KEY,
			...options,
		},
		config,
	);
}

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const system = (text: string): Message => ({ role: 'system', content: [{ type: 'text', text }] });

async function collect(iterable: AsyncIterable<unknown>) {
	const chunks: Array<{ chunk: Record<string, unknown>; at: number }> = [];
	for await (const chunk of iterable)
		chunks.push({ chunk: chunk as Record<string, unknown>, at: Date.now() });
	return chunks;
}

describe('MiniToolAiLanguageModel against the emulator', () => {
	it('generate(): documented body, text, finish reason, usage with cost', async () => {
		const result = await model('gpt-4o').generate([system('Be kind.'), user('good morning')]);
		expect(emulator.requests[0].body).toEqual({
			model: 'gpt-4o',
			messages: [
				{ role: 'developer', content: 'Be kind.' },
				{ role: 'user', content: 'good morning' },
			],
			temperature: 0.5,
			max_completion_tokens: 200,
		});
		expect(result.message).toEqual({
			role: 'assistant',
			id: expect.stringMatching(/^chatcmpl-/),
			content: [{ type: 'text', text: 'Echo: good morning' }],
		});
		expect(result.finishReason).toBe('stop');
		// prompt: (2+3) + (2+3) = 10; completion: 3 pieces.
		expect(result.usage).toMatchObject({ promptTokens: 10, completionTokens: 3, totalTokens: 13 });
		const cost = (10 * 2.5 + 3 * 10) / 1e6;
		expect(result.usage?.additionalMetadata).toEqual({ costUsd: cost });
		expect(result.providerMetadata).toMatchObject({
			responseModel: 'gpt-4o-2024-08-06',
			apiFinishReason: 'stop',
			costUsd: cost,
			format: 'sse',
		});
		expect(emulator.requests[0].chargedUsd).toBeCloseTo(cost, 12);
	});

	it('per-call config overrides the node settings (maxTokens -> max_completion_tokens)', async () => {
		const result = await model().generate([user('a b c d e f')], {
			temperature: 0,
			maxTokens: 2,
		});
		expect(emulator.requests[0].body).toMatchObject({ temperature: 0, max_completion_tokens: 2 });
		expect(result.message.content).toEqual([{ type: 'text', text: 'Echo: a' }]);
		expect(result.finishReason).toBe('length');
	});

	it('stream(): text deltas in order and as they arrive, then finish with usage; joined = generate() text', async () => {
		// No word ends in the key's first letter: a piece that could begin the key waits for the
		// next one (the key is redacted as it streams), which would move the cut between pieces.
		const chunks = await collect(model().stream([user('red green teal yellow')]));
		const deltas = chunks.filter(({ chunk }) => chunk.type === 'text-delta');
		expect(deltas.map(({ chunk }) => chunk.delta)).toEqual([
			'Echo:',
			' red',
			' green',
			' teal',
			' yellow',
		]);
		expect(deltas[deltas.length - 1].at - deltas[0].at).toBeGreaterThanOrEqual(60);
		const last = chunks[chunks.length - 1].chunk;
		expect(last).toMatchObject({
			type: 'finish',
			finishReason: 'stop',
			usage: { promptTokens: 7, completionTokens: 5, totalTokens: 12 },
		});
		const whole = await model().generate([user('red green teal yellow')]);
		expect(deltas.map(({ chunk }) => chunk.delta).join('')).toBe(
			(whole.message.content[0] as { text: string }).text,
		);
	});

	it('accepts a plain JSON chat.completion answer', async () => {
		emulator.setFault({ endpoint: 'chat', type: 'json' });
		const result = await model().generate([user('json please')]);
		expect(result.message.content).toEqual([{ type: 'text', text: 'Echo: json please' }]);
		expect(result.usage).toMatchObject({ promptTokens: 5, completionTokens: 3 });
		expect(result.providerMetadata).toMatchObject({ format: 'json' });
	});

	it('a stream without usage still answers (usage undefined)', async () => {
		emulator.setFault({ endpoint: 'chat', type: 'noUsage' });
		const result = await model().generate([user('no usage')]);
		expect(result.message.content).toEqual([{ type: 'text', text: 'Echo: no usage' }]);
		expect(result.usage).toBeUndefined();
	});

	it('401: error with HTTP status, server message and hint', async () => {
		const bad = model('gpt-4o-mini', { transport: fetchTransport('not-a-key') });
		await expect(bad.generate([user('x')])).rejects.toMatchObject({
			message: 'MiniToolAI chat request failed (HTTP 401): Invalid or missing API key',
			httpCode: '401',
			description: expect.stringContaining('Check the API key'),
		});
	});

	it('500 in stream(): error with status and redacted server message', async () => {
		emulator.setFault({
			endpoint: 'chat',
			type: 'status',
			status: 500,
			body: { error: { message: `internal for ${KEY}` } },
		});
		await expect(collect(model().stream([user('x')]))).rejects.toMatchObject({
			message: 'MiniToolAI chat request failed (HTTP 500): internal for ***',
			httpCode: '500',
			description: expect.stringContaining('problem on its side'),
		});
	});

	it('an error inside the stream is raised, not returned as text', async () => {
		emulator.setFault({ endpoint: 'chat', type: 'streamError', message: 'model overloaded' });
		await expect(model().generate([user('x')])).rejects.toThrow(
			'MiniToolAI reported an error: model overloaded',
		);
	});

	it('a dropped connection is raised in stream() after the pieces that did arrive', async () => {
		emulator.setFault({ endpoint: 'chat', type: 'drop', afterChunks: 2 });
		const seen: string[] = [];
		await expect(
			(async () => {
				for await (const chunk of model().stream([user('one two three four five')])) {
					if (chunk.type === 'text-delta') seen.push(chunk.delta);
				}
			})(),
		).rejects.toThrow(/MiniToolAI/);
		// All the text that arrived (a last piece that could begin the key is released at the drop).
		expect(seen.join('')).toBe('Echo: one');
	});

	it('a caller abort signal cancels the request', async () => {
		emulator.setFault({ endpoint: 'chat', type: 'hang' });
		const controller = new AbortController();
		const pending = model().generate([user('x')], {
			temperature: 1,
			maxTokens: 10,
			abortSignal: controller.signal,
		});
		controller.abort();
		await expect(pending).rejects.toThrow(/Could not reach MiniToolAI/);
	});

	it('tools bound: described in the prompt, the call comes back as tool-call content; the original instance is unchanged', async () => {
		const base = model('gpt-4o-mini');
		const withTools = base.withTools([
			{
				type: 'function',
				name: 'lookup',
				description: 'Finds a word',
				inputSchema: { type: 'object', properties: { word: { type: 'string' } } },
			},
		]);
		const result = await withTools.generate([user('use lookup for apple')]);
		expect(result.finishReason).toBe('tool-calls');
		expect(result.message.content).toEqual([
			{
				type: 'tool-call',
				toolCallId: 'call_1',
				toolName: 'lookup',
				input: JSON.stringify({ word: 'use lookup for apple' }),
			},
		]);
		expect(Object.keys(emulator.requests[0].body as object).sort()).toEqual([
			'max_completion_tokens',
			'messages',
			'model',
			'temperature',
		]);
		// withTools returns a copy: the node's own instance still sends no tools.
		const plain = await base.generate([user('no tools')]);
		expect(plain.message.content).toEqual([{ type: 'text', text: 'Echo: no tools' }]);
		const sent = (emulator.requests[1].body as { messages: Array<{ content: string }> }).messages;
		expect(sent.map((m) => m.content)).toEqual(['no tools']);
	});

	it("a zod schema from another copy of zod (not the SDK's) is still described", async () => {
		const real = z.object({
			word: z.string().describe('the word'),
			count: z.number().int().optional(),
		});
		// What a second zod copy's schema looks like to the SDK: the same definition, another class.
		const foreign = { _def: real._def, safeParse: () => undefined };
		const withTools = model().withTools([
			{ type: 'function', name: 'lookup', inputSchema: foreign as never },
		]);
		await withTools.generate([user('hello')]);
		const sent = (emulator.requests[0].body as { messages: Array<{ content: string }> }).messages;
		const listed = JSON.parse(/<tools>\n(.*)\n<\/tools>/.exec(sent[0].content)![1]) as unknown;
		expect(listed).toEqual([
			{
				name: 'lookup',
				description: '',
				parameters: {
					type: 'object',
					properties: {
						word: { type: 'string', description: 'the word' },
						count: { type: 'integer' },
					},
					required: ['word'],
				},
			},
		]);
	});

	it('an agent conversation with earlier tool traffic is sent as text the API accepts', async () => {
		const result = await model().generate([
			user('weather?'),
			{
				role: 'assistant',
				content: [
					{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: '{"city":"Oslo"}' },
				],
			},
			{
				role: 'tool',
				name: 'weather',
				content: [{ type: 'tool-result', toolCallId: 'c1', result: { temp: 3 } }],
			},
			user('and now?'),
		]);
		expect(emulator.requests[0].status).toBe(200);
		expect((emulator.requests[0].body as { messages: unknown }).messages).toEqual([
			{ role: 'user', content: 'weather?' },
			{ role: 'assistant', content: '[tool call weather: {"city":"Oslo"}]' },
			{ role: 'user', content: '[tool result weather]: {"temp":3}' },
			{ role: 'user', content: 'and now?' },
		]);
		expect(result.message.content).toEqual([{ type: 'text', text: 'Echo: and now?' }]);
	});
});
