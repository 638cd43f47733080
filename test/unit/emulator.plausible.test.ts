/**
 * The emulator's answers meant for people (`replies: 'canned'`, what the sandbox runs): they must
 * fit the demos' prompts the way a real model's answer would. The scripted model reads fields and
 * tool arguments from the question, tool results get a prose answer, the canned text uses the
 * conversation (a name given earlier, the pictures the emulator drew).
 */
import {
	renderToolResults,
	renderToolsPrompt,
	type ToolSpec,
} from '../../nodes/MiniToolAiChatModel/toolProtocol';
import { validateJson, type JsonSchema } from '../../nodes/shared/json/jsonSchema';
import { renderSchemaPrompt } from '../../nodes/shared/json/structuredOutput';
import { startEmulator, type Emulator } from '../emulator';
import { scriptedReply, type ScriptedMessage } from '../emulator/scriptedModel';
import { CALCULATOR_PARAMETERS, WEATHER_PARAMETERS } from '../fixtures/tools';

const ORDER_SCHEMA: JsonSchema = {
	type: 'object',
	properties: {
		customer: { type: 'string' },
		email: { type: 'string' },
		product: { type: 'string' },
		quantity: { type: 'integer', minimum: 1 },
		unitPrice: { type: 'number', minimum: 0 },
	},
	required: ['customer', 'email', 'product', 'quantity', 'unitPrice'],
};
const STRING_INPUT = (name: string): JsonSchema => ({
	type: 'object',
	properties: { [name]: { type: 'string' } },
	required: [name],
});
const AGENT_TOOLS: ToolSpec[] = [
	{ name: 'multiply', parameters: STRING_INPUT('input') },
	{ name: 'Generate_Image', parameters: STRING_INPUT('prompt') },
];
const FORMAT_TOOL: ToolSpec = {
	name: 'format_final_json_response',
	parameters: {
		type: 'object',
		properties: {
			output: {
				type: 'object',
				properties: {
					result: { type: 'number' },
					imageUrl: { type: 'string' },
					summary: { type: 'string' },
				},
				required: ['result', 'imageUrl', 'summary'],
			},
		},
		required: ['output'],
	},
};
const AGENT_QUESTION = 'Multiply 17 by 23, then generate an image of a lighthouse at dusk.';
const IMAGE_URL = 'http://127.0.0.2:8788/images/12345678.png';

const plausible = (messages: ScriptedMessage[]) =>
	JSON.parse(scriptedReply(messages, { plausible: true })?.text ?? 'null') as Record<
		string,
		unknown
	>;
const asked = (tools: ToolSpec[], question: string): ScriptedMessage[] => [
	{ role: 'developer', content: renderToolsPrompt(tools) },
	{ role: 'user', content: question },
];

/** The agent's second request: its calls, then both results (n8n's Code Tool wraps its value). */
function withResults(tools: ToolSpec[]): ScriptedMessage[] {
	const calls = {
		tool_calls: [
			{ id: 'call_1', name: 'multiply', arguments: { input: '17 by 23' } },
			{ id: 'call_2', name: 'Generate_Image', arguments: { prompt: 'a lighthouse at dusk' } },
		],
	};
	return [
		...asked(tools, AGENT_QUESTION),
		{ role: 'assistant', content: JSON.stringify(calls) },
		{
			role: 'user',
			content: renderToolResults([
				{ id: 'call_1', name: 'multiply', result: '[{"response":"391"}]' },
				{
					id: 'call_2',
					name: 'Generate_Image',
					result: JSON.stringify([{ imageUrl: IMAGE_URL, jobId: 12345678, costUsd: 0.0015 }]),
				},
			]),
		},
	];
}

describe('scripted model, read plausibly', () => {
	it.each([
		[
			'Hello, please send me 3 desk lamps at 42.5 EUR each. Thanks, Ada Lovelace (ada@example.com)',
			['Ada Lovelace', 'ada@example.com', 'desk lamp', 3, 42.5],
		],
		[
			'Hi team, I would like to order 12 notebooks for 3.20 EUR each. Best regards, Grace Hopper, grace.hopper@example.org',
			['Grace Hopper', 'grace.hopper@example.org', 'notebook', 12, 3.2],
		],
		[
			'Good morning! Could you ship 1 office chair (189 EUR) to our Berlin office? Kind regards, Alan Turing - alan@example.net',
			['Alan Turing', 'alan@example.net', 'office chair', 1, 189],
		],
	])(
		'fills an order schema from the e-mail: %s',
		(email, [customer, mail, product, qty, price]) => {
			const value = plausible([
				{ role: 'developer', content: renderSchemaPrompt(ORDER_SCHEMA) },
				{ role: 'user', content: email },
			]);
			expect(value).toEqual({ customer, email: mail, product, quantity: qty, unitPrice: price });
			expect(validateJson(value, ORDER_SCHEMA)).toEqual({ ok: true });
		},
	);

	it('gives each named tool the part of the question meant for it (a few words may split a name)', () => {
		expect(plausible(asked(AGENT_TOOLS, AGENT_QUESTION))).toEqual({
			tool_calls: [
				{ name: 'multiply', arguments: { input: '17 by 23' } },
				{ name: 'Generate_Image', arguments: { prompt: 'a lighthouse at dusk' } },
			],
		});
		const weather: ToolSpec[] = [
			{ name: 'calculator', parameters: CALCULATOR_PARAMETERS },
			{ name: 'get_weather', parameters: WEATHER_PARAMETERS },
		];
		const question = 'Use the calculator for 2+2, then get weather in Paris for 3 days.';
		expect(plausible(asked(weather, question))).toEqual({
			tool_calls: [
				{ name: 'calculator', arguments: { input: '2+2' } },
				{ name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius', days: 3 } },
			],
		});
	});

	it('answers tool results in prose, every result told, nothing cut off', () => {
		expect(scriptedReply(withResults(AGENT_TOOLS), { plausible: true })?.text).toBe(
			`Multiply (17 by 23) gives 391. Here is the image of a lighthouse at dusk: ${IMAGE_URL}`,
		);
	});

	it("with n8n's output parser, calls its format tool with fields read from the results", () => {
		const value = plausible(withResults([...AGENT_TOOLS, FORMAT_TOOL]));
		expect(value).toEqual({
			tool_calls: [
				{
					name: 'format_final_json_response',
					arguments: {
						output: {
							result: 391,
							imageUrl: IMAGE_URL,
							summary: `Multiply (17 by 23) gives 391. Here is the image of a lighthouse at dusk: ${IMAGE_URL}`,
						},
					},
				},
			],
		});
	});

	it('leaves a question that names no tool to the canned text, unless the format tool waits', () => {
		expect(scriptedReply(asked(AGENT_TOOLS, 'Hi there'), { plausible: true })).toBeUndefined();
		const cityFormat: ToolSpec = {
			name: 'format_final_json_response',
			parameters: {
				type: 'object',
				properties: {
					output: {
						type: 'object',
						properties: { city: { type: 'string' }, population: { type: 'integer' } },
					},
				},
			},
		};
		expect(plausible(asked([cityFormat], 'How many people live in Oslo? About 709000.'))).toEqual({
			tool_calls: [
				{
					name: 'format_final_json_response',
					arguments: { output: { city: 'Oslo', population: 709000 } },
				},
			],
		});
	});
});

describe('canned replies that use the conversation', () => {
	let emu: Emulator;
	beforeAll(async () => {
		emu = await startEmulator({ replies: 'canned', jobDelayMs: 0 });
	});
	afterAll(async () => await emu.close());

	async function reply(messages: unknown[]): Promise<string> {
		const res = await fetch(`${emu.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			headers: { Authorization: 'Bearer emulator-key' },
			body: JSON.stringify({ model: 'gpt-4o-mini', messages }),
		});
		const text = await res.text();
		return text
			.split('\n')
			.filter((l) => l.startsWith('data: {'))
			.map((l) => JSON.parse(l.slice(6)) as { choices: Array<{ delta: { content?: string } }> })
			.map((c) => c.choices[0]?.delta.content ?? '')
			.join('');
	}
	const askImage = (url: string) => [
		{
			role: 'user',
			content: [
				{ type: 'text', text: 'What is in this image? Answer in one sentence.' },
				{ type: 'image_url', image_url: { url } },
			],
		},
	];

	it('describes the demo picture it serves, and the gradient of a finished job', async () => {
		expect(await reply(askImage(`${emu.imageBaseUrl}/images/demo.png`))).toBe(
			'The image shows a yellow sun setting over a calm dark blue sea under an orange evening sky.',
		);
		const picture = await fetch(`${emu.imageBaseUrl}/images/demo.png`);
		expect(picture.headers.get('content-type')).toBe('image/png');
		const png = Buffer.from(await picture.arrayBuffer());
		expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([640, 400]);

		const submit = await fetch(`${emu.baseUrl}/api/texttoimage/`, {
			method: 'POST',
			headers: { Authorization: 'Bearer emulator-key' },
			body: JSON.stringify({ model: 'realvision', prompt: 'a lighthouse at dusk' }),
		});
		const { jobid } = (await submit.json()) as { jobid: number };
		expect(await reply(askImage(`${emu.imageBaseUrl}/images/${jobid}.png`))).toMatch(
			/^The image shows a smooth, abstract colour gradient from [a-z ]+ in the top left to [a-z ]+ in the bottom right, with no objects in it\.$/,
		);
		expect(await reply(askImage('https://example.com/cat.png'))).toMatch(
			/^I cannot make out this image\. \(The MiniToolAI emulator describes only the pictures it drew itself/,
		);
	});

	it('remembers a name given earlier in the conversation', async () => {
		expect(await reply([{ role: 'user', content: 'Hi, my name is Ada.' }])).toBe(
			'Nice to meet you, Ada! How can I help you today?',
		);
		const history = [
			{ role: 'user', content: 'Hi, my name is Ada.' },
			{ role: 'assistant', content: 'Nice to meet you, Ada! How can I help you today?' },
			{ role: 'user', content: 'What is my name?' },
		];
		expect(await reply(history)).toBe('Your name is Ada: you told me earlier in our conversation.');
		expect(await reply(history.slice(2))).toMatch(/^You have not told me your name yet/);
	});

	it('writes a social media post when asked for one, and a one-sentence summary', async () => {
		const post = await reply([
			{ role: 'developer', content: 'You write short, upbeat social media posts.' },
			{ role: 'user', content: 'Write a post about autumn hiking in the Alps.' },
		]);
		expect(post).toMatch(/^Ready for autumn hiking in the Alps\? /);
		expect(post).toMatch(/#autumn #hiking #Alps$/);
		const summary = await reply([
			{
				role: 'user',
				content:
					'Summarise in one sentence: n8n is a workflow automation tool. MiniToolAI offers GPT-4o models over one API key.',
			},
		]);
		expect(summary).toBe(
			'n8n is a workflow automation tool, and MiniToolAI offers GPT-4o models over one API key.',
		);
	});
});
