/**
 * Prompt-mode tool calling of the MiniToolAI Chat Model, run by n8n-core's real engine the way
 * n8n's AI Agent uses it: a consumer node gets the LangChain model from our `supplyData` (through
 * the SDK's adapter), binds tools with `bindTools` and invokes or streams it. The emulator's
 * scripted model follows the protocol (a simulation, see test/emulator/README.md); its
 * `imperfect` fault makes the first answer of a turn break the protocol in one of the ways real
 * models do.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';
import { z } from 'zod';

import { startEmulator, type Emulator } from '../emulator';
import type { RunResult } from '../harness';
import {
	consumerDescription,
	consumerInput,
	runWithChatModel,
	textOf,
	type LcMessage,
	type LcToolCall,
} from './modelHarness';

const KEY = ['emu', 'tools', 'key', '91c4ab'].join('-');
const REPAIR_PREFIX = 'Your previous answer could not be used:';

/** The weather tool's input (both fields required), as bound and as the model must be told it. */
const WEATHER_INPUT = {
	type: 'object',
	properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
	required: ['city', 'days'],
};

/** The tools the consumer binds: one described with zod (as n8n's tools are), one in JSON Schema. */
function boundTools() {
	return [
		{
			name: 'calculator',
			description: 'Evaluates an arithmetic expression',
			schema: z.object({ input: z.string().describe('The expression, e.g. 2+2') }),
		},
		{
			type: 'function',
			function: {
				name: 'get_weather',
				description: 'Weather for a city',
				parameters: WEATHER_INPUT,
			},
		},
	];
}

/** Consumer node: binds the tools, then `invoke` or `stream`s the conversation in `messages`. */
class ToolConsumer implements INodeType {
	description = consumerDescription('toolConsumer', 'Test stand-in for an AI Agent');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { model, mode, messages } = await consumerInput(this);
		const withTools = model.bindTools!(boundTools());
		let answer: LcMessage;
		const deltas: string[] = [];
		if (mode === 'stream') {
			let whole: LcMessage | undefined;
			for await (const chunk of await withTools.stream(messages)) {
				const text = textOf(chunk);
				if (text !== '') deltas.push(text);
				whole = whole ? whole.concat!(chunk) : chunk;
			}
			answer = whole!;
		} else {
			answer = await withTools.invoke(messages);
		}
		return [
			[
				{
					json: {
						text: textOf(answer),
						deltas,
						toolCalls: (answer.tool_calls ?? []).map((call) => ({
							id: call.id,
							name: call.name,
							args: call.args,
						})) as unknown as IDataObject[],
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
	emulator = await startEmulator({ keys: { [KEY]: 100 } });
});
afterAll(async () => await emulator.close());
beforeEach(() => emulator.reset());

async function run(mode: string, messages: unknown): Promise<RunResult> {
	return await runWithChatModel({
		consumer: ToolConsumer,
		credentials: { apiKey: KEY, baseUrl: emulator.baseUrl },
		mode,
		messages,
		modelParameters: { model: 'gpt-4o-mini', temperature: 0.2, maxCompletionTokens: 300 },
	});
}

type ApiMessage = { role: string; content: string };

function chatRequests() {
	return emulator.requests.filter((request) => request.path.startsWith('/api/chat-completions'));
}

function sentMessages(index: number): ApiMessage[] {
	return (chatRequests()[index].body as { messages: ApiMessage[] }).messages;
}

function output(result: RunResult) {
	expect(result.error).toBeUndefined();
	return result.output('Consumer')[0].json as {
		text: string;
		deltas: string[];
		toolCalls: LcToolCall[];
		usage: { input_tokens: number; output_tokens: number; total_tokens: number } | null;
		metadata: IDataObject;
	};
}

function words(text: string): number {
	return text.split(/\s+/).filter(Boolean).length;
}

const QUESTION = 'Use the calculator for 6*7 and get weather for Oslo for 3 days';

describe('Chat Model tool calling through the SDK adapter (bindTools, as the AI Agent does)', () => {
	it('describes the bound tools in a developer message; the calls reach the AIMessage with parsed args', async () => {
		const json = output(await run('invoke', [['human', QUESTION]]));
		expect(json.toolCalls).toEqual([
			{ id: 'call_1', name: 'calculator', args: { input: QUESTION } },
			{ id: 'call_2', name: 'get_weather', args: { city: QUESTION, days: 6 } },
		]);
		const requests = chatRequests();
		expect(requests).toHaveLength(1);
		const body = requests[0].body as IDataObject;
		// Still the documented body: the tools travel in the prompt, not in undocumented fields.
		expect(Object.keys(body).sort()).toEqual([
			'max_completion_tokens',
			'messages',
			'model',
			'temperature',
		]);
		const [tools, user] = sentMessages(0);
		expect(tools.role).toBe('developer');
		const listed = JSON.parse(/<tools>\n(.*)\n<\/tools>/.exec(tools.content)![1]) as unknown[];
		expect(listed).toEqual([
			{
				name: 'calculator',
				description: 'Evaluates an arithmetic expression',
				parameters: expect.objectContaining({
					type: 'object',
					properties: { input: { type: 'string', description: 'The expression, e.g. 2+2' } },
					required: ['input'],
				}),
			},
			{
				name: 'get_weather',
				description: 'Weather for a city',
				parameters: WEATHER_INPUT,
			},
		]);
		expect(user).toEqual({ role: 'user', content: QUESTION });
	});

	it("says in an info hint which tools a turn called, with which arguments (its output's text is empty)", async () => {
		const result = await run('invoke', [['human', QUESTION]]);
		const json = output(result);
		expect(json.text).toBe('');
		const hints = result.run.data.resultData.runData['MiniToolAI Chat Model'][0].hints ?? [];
		const calls = JSON.stringify({ input: QUESTION });
		const weather = JSON.stringify({ city: QUESTION, days: 6 });
		expect(hints.map((hint) => hint.message)).toEqual([
			expect.stringMatching(/^gpt-4o-mini-2024-07-18: \d+ tokens/),
			`Called 2 tools: calculator ${calls}; get_weather ${weather}`,
		]);
		expect(hints[1]).toMatchObject({ type: 'info', location: 'outputPane' });

		// A plain answer calls nothing: only the usage hint.
		const plain = await run('invoke', [['human', 'Say hello']]);
		const plainHints = plain.run.data.resultData.runData['MiniToolAI Chat Model'][0].hints ?? [];
		expect(plainHints.map((hint) => hint.message)).toEqual([
			expect.stringMatching(/^gpt-4o-mini-2024-07-18: /),
		]);
	});

	it('a plain answer with tools bound is text, without tool calls', async () => {
		const json = output(await run('invoke', [['human', 'Say hello']]));
		expect(json.toolCalls).toEqual([]);
		expect(json.text).toBe('I can answer without a tool. You asked: Say hello');
	});

	it('earlier calls and results are sent in the protocol forms; the answer uses the results; ids stay unique', async () => {
		const conversation = [
			{ role: 'system', content: 'You are a helpful agent.' },
			{ role: 'user', content: QUESTION },
			{
				role: 'assistant',
				content: '',
				tool_calls: [
					{ id: 'call_1', name: 'calculator', args: { input: '6*7' } },
					{ id: 'call_2', name: 'get_weather', args: { city: 'Oslo', days: 3 } },
				],
			},
			{ role: 'tool', content: '42', tool_call_id: 'call_1', name: 'calculator' },
			{ role: 'tool', content: 'sunny, 4 °C', tool_call_id: 'call_2', name: 'get_weather' },
		];
		const json = output(await run('invoke', conversation));
		expect(json.toolCalls).toEqual([]);
		expect(json.text).toBe(
			'Based on the tool results: calculator returned 42; get_weather returned sunny, 4 °C.',
		);
		const sent = sentMessages(0);
		expect(sent.map((m) => m.role)).toEqual([
			'developer',
			'developer',
			'user',
			'assistant',
			'user',
		]);
		expect(sent[0].content).toBe('You are a helpful agent.');
		expect(sent[1].content).toContain('<tools>');
		expect(JSON.parse(sent[3].content)).toEqual({
			tool_calls: [
				{ id: 'call_1', name: 'calculator', arguments: { input: '6*7' } },
				{ id: 'call_2', name: 'get_weather', arguments: { city: 'Oslo', days: 3 } },
			],
		});
		expect(sent[4].content).toBe(
			'<tool_result id="call_1" name="calculator">\n42\n</tool_result>\n' +
				'<tool_result id="call_2" name="get_weather">\nsunny, 4 °C\n</tool_result>',
		);

		// A new question in the same conversation: new calls get ids no earlier call used.
		const next = output(
			await run('invoke', [
				...conversation,
				{ role: 'assistant', content: json.text },
				{ role: 'user', content: 'Now use the calculator for 1+1' },
			]),
		);
		expect(next.toolCalls.map((call) => call.id)).toEqual(['call_3']);
	});

	it("n8n's agent returns one answer's calls one message per call: they are sent as the one answer they were", async () => {
		const json = output(
			await run('invoke', [
				{ role: 'user', content: QUESTION },
				{
					role: 'assistant',
					content: '',
					tool_calls: [{ id: 'call_1', name: 'calculator', args: { input: '6*7' } }],
				},
				{ role: 'tool', content: '42', tool_call_id: 'call_1', name: 'calculator' },
				{
					role: 'assistant',
					content: '',
					tool_calls: [{ id: 'call_2', name: 'get_weather', args: { city: 'Oslo', days: 3 } }],
				},
				{ role: 'tool', content: 'sunny', tool_call_id: 'call_2', name: 'get_weather' },
			]),
		);
		expect(json.text).toBe(
			'Based on the tool results: calculator returned 42; get_weather returned sunny.',
		);
		const sent = sentMessages(0);
		expect(sent.map((m) => m.role)).toEqual(['developer', 'user', 'assistant', 'user']);
		expect(JSON.parse(sent[2].content).tool_calls.map((c: { id: string }) => c.id)).toEqual([
			'call_1',
			'call_2',
		]);
	});

	it('stream with tools bound: the calls arrive as tool-call chunks, joined into the AIMessage', async () => {
		const json = output(await run('stream', [['human', QUESTION]]));
		expect(json.toolCalls).toEqual([
			{ id: 'call_1', name: 'calculator', args: { input: QUESTION } },
			{ id: 'call_2', name: 'get_weather', args: { city: QUESTION, days: 6 } },
		]);
		expect(json.deltas).toEqual([]);
		expect(chatRequests()).toHaveLength(1);
	});

	it('stream with tools bound and a text answer: the text still arrives', async () => {
		const json = output(await run('stream', [['human', 'Say hello']]));
		expect(json.toolCalls).toEqual([]);
		expect(json.deltas.join('')).toBe('I can answer without a tool. You asked: Say hello');
	});
});

describe('Chat Model tool calling: tolerant parsing and the one repair round', () => {
	// Shapes the parser reads on the first try: no repair round, one request.
	const TOLERATED = [
		'proseAround',
		'fenced',
		'openaiShape',
		'nameArguments',
		'toolInput',
		'hermes',
	];
	// Answers that break the protocol: one repair round, then correct.
	const REPAIRED: Array<[string, RegExp]> = [
		['malformedJson', /the tool call is not valid JSON/],
		['unknownTool', /there is no tool named "calculator_tool"/],
		[
			'invalidArguments',
			/the arguments for "calculator" do not match its parameters: input: expected string, got integer/,
		],
	];

	it.each(TOLERATED)('%s: read on the first try, one request', async (kind) => {
		emulator.setFault({ endpoint: 'chat', type: 'imperfect', kind });
		const json = output(await run('invoke', [['human', QUESTION]]));
		expect(json.toolCalls.map((call) => call.name)).toEqual(['calculator', 'get_weather']);
		expect(json.toolCalls[1].args).toEqual({ city: QUESTION, days: 6 });
		expect(chatRequests()).toHaveLength(1);
	});

	it('multipleCalls: one object per call, read as two calls', async () => {
		emulator.setFault({ endpoint: 'chat', type: 'imperfect', kind: 'multipleCalls' });
		const json = output(await run('invoke', [['human', QUESTION]]));
		expect(json.toolCalls.map((call) => call.name)).toEqual(['calculator', 'get_weather']);
		expect(chatRequests()).toHaveLength(1);
	});

	it.each(REPAIRED)(
		'%s: one repair round naming the problem, then the right calls; usage and cost add up',
		async (kind, problem) => {
			emulator.setFault({ endpoint: 'chat', type: 'imperfect', kind });
			const result = await run('invoke', [['human', QUESTION]]);
			const json = output(result);
			expect(json.toolCalls.map((call) => call.name)).toEqual(['calculator', 'get_weather']);
			const requests = chatRequests();
			expect(requests).toHaveLength(2);
			const second = sentMessages(1);
			const first = sentMessages(0);
			// The repair round: the conversation, the broken answer as the model's, then the problem.
			expect(second.slice(0, first.length)).toEqual(first);
			expect(second[first.length].role).toBe('assistant');
			const repair = second[second.length - 1];
			expect(repair.role).toBe('user');
			expect(repair.content.startsWith(REPAIR_PREFIX)).toBe(true);
			expect(repair.content).toMatch(problem);
			expect(json.metadata.repairedProblem).toMatch(problem);
			expect(json.metadata.requests).toBe(2);

			// Usage and cost: both requests. Emulator's rule: prompt = words + 3 per message.
			const promptTokens = [first, second]
				.map((sent) => sent.reduce((sum, m) => sum + words(m.content) + 3, 0))
				.reduce((a, b) => a + b);
			const usage = json.usage!;
			expect(usage.input_tokens).toBe(promptTokens);
			expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
			// gpt-4o-mini: 0.15 / 0.60 USD per million tokens; the emulator charged both requests.
			const cost = (usage.input_tokens * 0.15 + usage.output_tokens * 0.6) / 1e6;
			expect(json.metadata.costUsd).toBeCloseTo(cost, 12);
			expect(json.metadata.costUsd).toBeCloseTo(
				requests[0].chargedUsd + requests[1].chargedUsd,
				12,
			);
			// n8n's token accounting (the model node's traced output) gets the summed usage.
			const traced = result.run.data.resultData.runData['MiniToolAI Chat Model'][0].data
				?.ai_languageModel?.[0]?.[0]?.json as IDataObject;
			expect(traced.tokenUsage).toEqual({
				promptTokens: usage.input_tokens,
				completionTokens: usage.output_tokens,
				totalTokens: usage.total_tokens,
			});
			// The editor has no place for a model's cost: the node shows it in an info hint, then
			// the calls of the turn (see the test of that hint above).
			const hints = result.run.data.resultData.runData['MiniToolAI Chat Model'][0].hints;
			expect(hints).toEqual([
				expect.objectContaining({
					type: 'info',
					message: `gpt-4o-mini-2024-07-18: ${usage.total_tokens} tokens (${usage.input_tokens} prompt + ${usage.output_tokens} completion), USD ${cost.toFixed(8)}`,
				}),
				expect.objectContaining({
					type: 'info',
					message: expect.stringMatching(/^Called 2 tools: /),
				}),
			]);
		},
	);
});

describe('Chat Model tool calling: a model that breaks the protocol twice', () => {
	// A model that always calls a tool that does not exist, also after the repair round.
	const stubborn = {
		scriptedReply: (messages: Array<{ role: string; content: unknown }>) =>
			JSON.stringify(messages).includes('<tools>')
				? { text: '{"tool_calls":[{"name":"send_email","arguments":{"to":"x"}}]}' }
				: undefined,
	};
	let stubbornEmulator: Emulator;
	beforeAll(async () => {
		stubbornEmulator = await startEmulator({ keys: { [KEY]: 100 }, scriptedModel: stubborn });
	});
	afterAll(async () => await stubbornEmulator.close());

	it('fails after exactly one repair round with an error naming the problem and the answer', async () => {
		const result = await runWithChatModel({
			consumer: ToolConsumer,
			credentials: { apiKey: KEY, baseUrl: stubbornEmulator.baseUrl },
			mode: 'invoke',
			messages: [['human', QUESTION]],
		});
		expect(result.status).toBe('error');
		const error = result.error as Error & { description?: string };
		expect(error.message).toContain(
			'could not be used as a tool call, also after one repair round',
		);
		expect(error.message).toContain('there is no tool named "send_email"');
		expect(error.description).toContain('"name":"send_email"');
		const requests = stubbornEmulator.requests.filter((r) => r.path.startsWith('/api/chat'));
		expect(requests).toHaveLength(2);
		const repair = (requests[1].body as { messages: ApiMessage[] }).messages.at(-1)!;
		expect(repair.content.startsWith(REPAIR_PREFIX)).toBe(true);
		expect(result.executionData).not.toContain(KEY);
	});
});
