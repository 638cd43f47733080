import { parseToolAnswer } from '../../nodes/MiniToolAiChatModel/toolAnswer';
import {
	renderToolRepair,
	renderToolResults,
	renderToolsPrompt,
	type ToolSpec,
} from '../../nodes/MiniToolAiChatModel/toolProtocol';
import { validateJson } from '../../nodes/shared/json/jsonSchema';
import {
	parseStructuredAnswer,
	renderSchemaPrompt,
	renderSchemaRepair,
} from '../../nodes/shared/json/structuredOutput';
import {
	SCHEMA_KINDS,
	TOOL_KINDS,
	scriptedReply,
	type ScriptedMessage,
} from '../emulator/scriptedModel';
import { CALCULATOR_PARAMETERS, WEATHER_PARAMETERS } from '../fixtures/tools';

const TOOLS: ToolSpec[] = [
	{
		name: 'calculator',
		description: 'Evaluates arithmetic',
		parameters: CALCULATOR_PARAMETERS,
	},
	{
		name: 'get_weather',
		description: 'Weather for a city',
		parameters: WEATHER_PARAMETERS,
	},
];

const ORDER_SCHEMA = {
	type: 'object',
	properties: {
		customer: { type: 'string' },
		items: {
			type: 'array',
			items: {
				type: 'object',
				properties: { name: { type: 'string' }, price: { type: 'number' } },
				required: ['name', 'price'],
			},
		},
		status: { enum: ['open', 'paid'] },
	},
	required: ['customer', 'items'],
};

function toolConversation(question: string): ScriptedMessage[] {
	return [
		{ role: 'developer', content: renderToolsPrompt(TOOLS) },
		{ role: 'user', content: question },
	];
}

function schemaConversation(question: string): ScriptedMessage[] {
	return [
		{ role: 'developer', content: renderSchemaPrompt(ORDER_SCHEMA) },
		{ role: 'user', content: [{ type: 'text', text: question }] },
	];
}

const QUESTION = 'Use the calculator for 2+2, then get weather in Paris for 3 days.';

describe('scriptedReply: when it answers', () => {
	it('leaves requests without <tools> or <response_schema> to the normal reply', () => {
		expect(scriptedReply([{ role: 'user', content: 'Hi' }])).toBeUndefined();
	});

	it('calls every named tool, in the order named, with arguments from the schema and question', () => {
		const reply = scriptedReply(toolConversation(QUESTION));
		expect(reply?.imperfection).toBeNull();
		// Numbers are taken from the question in turn: 2, 2, 3 -> days gets the first.
		expect(JSON.parse(reply?.text ?? '')).toEqual({
			tool_calls: [
				{ name: 'calculator', arguments: { input: QUESTION } },
				{ name: 'get_weather', arguments: { city: QUESTION, unit: 'celsius', days: 2 } },
			],
		});
	});

	it('answers in text when no tool is named', () => {
		expect(scriptedReply(toolConversation('Tell me a joke'))?.text).toBe(
			'I can answer without a tool. You asked: Tell me a joke',
		);
	});

	it('answers in text using the tool results', () => {
		const messages = [
			...toolConversation(QUESTION),
			{ role: 'assistant', content: '{"tool_calls":[]}' },
			{
				role: 'user',
				content: renderToolResults([
					{ id: 'call_1', name: 'calculator', result: '4' },
					{ id: 'call_2', name: 'get_weather', result: { temp: 20 } },
				]),
			},
		];
		expect(scriptedReply(messages, { forced: 'fenced' })).toEqual({
			text: 'Based on the tool results: calculator returned 4; get_weather returned {"temp":20}.',
			imperfection: null,
		});
	});

	it('answers a schema with a value that matches it', () => {
		const reply = scriptedReply(schemaConversation('An order of 2 items at 9.5 each'));
		const value = JSON.parse(reply?.text ?? '');
		expect(validateJson(value, ORDER_SCHEMA)).toEqual({ ok: true });
		expect(value.items).toHaveLength(2);
		expect(value.items[0].price).toBe(2);
		expect(value.items[1].price).toBe(9.5);
	});
});

describe('scriptedReply: imperfections', () => {
	const perfect = parseToolAnswer(scriptedReply(toolConversation(QUESTION))?.text ?? '', TOOLS);
	const TOLERATED = [
		'proseAround',
		'fenced',
		'openaiShape',
		'nameArguments',
		'toolInput',
		'hermes',
	];

	it.each(TOLERATED)('%s: the parser still reads the intended calls', (kind) => {
		const reply = scriptedReply(toolConversation(QUESTION), { forced: { kind } });
		expect(reply?.imperfection).toBe(kind);
		expect(reply?.text).not.toBe(JSON.stringify({ tool_calls: [] }));
		const answer = parseToolAnswer(reply?.text ?? '', TOOLS);
		expect(answer).toMatchObject({ kind: 'calls', calls: (perfect as { calls: unknown[] }).calls });
	});

	it('multipleCalls: one object per call; a single call said twice runs once', () => {
		const two = scriptedReply(toolConversation(QUESTION), { forced: 'multipleCalls' });
		expect(two?.text.split('\n\n')).toHaveLength(2);
		expect(parseToolAnswer(two?.text ?? '', TOOLS)).toEqual(perfect);
		const one = scriptedReply(toolConversation('Use the calculator'), { forced: 'multipleCalls' });
		const answer = parseToolAnswer(one?.text ?? '', TOOLS);
		expect(answer.kind === 'calls' && answer.calls.map((c) => c.name)).toEqual(['calculator']);
	});

	it.each<[string, RegExp]>([
		['malformedJson', /^the tool call is not valid JSON: /],
		['unknownTool', /^there is no tool named "calculator_tool"/],
		[
			'invalidArguments',
			/^the arguments for "calculator" do not match its parameters: input: expected string, got integer$/,
		],
	])('%s: invalid, and valid after one repair round', (kind, problem) => {
		const messages = toolConversation(QUESTION);
		const first = scriptedReply(messages, { forced: kind, seq: 0 });
		const answer = parseToolAnswer(first?.text ?? '', TOOLS);
		expect(answer.kind).toBe('invalid');
		if (answer.kind !== 'invalid') return;
		expect(answer.problem).toMatch(problem);
		const repaired = scriptedReply(
			[
				...messages,
				{ role: 'assistant', content: first?.text ?? '' },
				{ role: 'user', content: renderToolRepair(answer.problem, TOOLS) },
			],
			{ forced: kind, seq: 1 },
		);
		expect(repaired?.imperfection).toBeNull();
		expect(parseToolAnswer(repaired?.text ?? '', TOOLS)).toEqual(perfect);
	});

	it('malformedJson alternates a trailing comma and a cut-off answer', () => {
		const problems = [0, 1].map((seq) => {
			const text = scriptedReply(toolConversation(QUESTION), {
				forced: 'malformedJson',
				seq,
			})?.text;
			const answer = parseToolAnswer(text ?? '', TOOLS);
			return answer.kind === 'invalid' ? answer.problem : answer.kind;
		});
		expect(problems[0]).toMatch(/Trailing comma/);
		expect(problems[1]).toMatch(/cut off/);
	});

	it.each(SCHEMA_KINDS)('schema %s: accepted, or valid after one repair round', (kind) => {
		const messages = schemaConversation('An order at 9.5');
		const first = scriptedReply(messages, { forced: kind, seq: 0 });
		expect(first?.imperfection).toBe(kind);
		const answer = parseStructuredAnswer(first?.text ?? '', ORDER_SCHEMA);
		if (kind === 'proseAround' || kind === 'fenced') {
			expect(answer.ok).toBe(true);
			return;
		}
		expect(answer.ok).toBe(false);
		if (answer.ok) return;
		if (kind === 'schemaViolation')
			expect(answer.problem).toBe('customer: expected string, got integer');
		const repaired = scriptedReply(
			[
				...messages,
				{ role: 'assistant', content: first?.text ?? '' },
				{ role: 'user', content: renderSchemaRepair(answer.problem) },
			],
			{ forced: kind },
		);
		expect(parseStructuredAnswer(repaired?.text ?? '', ORDER_SCHEMA).ok).toBe(true);
	});

	it('schemaViolation reaches into arrays of objects (a path like items[1].price)', () => {
		const schema = {
			type: 'object',
			properties: { items: ORDER_SCHEMA.properties.items },
			required: ['items'],
		};
		const messages: ScriptedMessage[] = [
			{ role: 'developer', content: renderSchemaPrompt(schema) },
			{ role: 'user', content: 'two items' },
		];
		const text = scriptedReply(messages, { forced: 'schemaViolation' })?.text ?? '';
		expect(parseStructuredAnswer(text, schema)).toEqual({
			ok: false,
			problem: 'items[1].name: expected string, got integer',
		});
	});

	it('ignores a forced kind that does not fit the turn', () => {
		expect(
			scriptedReply(toolConversation(QUESTION), { forced: 'schemaViolation' })?.imperfection,
		).toBeNull();
		expect(scriptedReply(schemaConversation('x'), { forced: 'hermes' })?.imperfection).toBeNull();
	});

	it('picks imperfect turns at about the rate, the same way for the same seed', () => {
		const kinds = (seed: number) =>
			Array.from(
				{ length: 1000 },
				(_, seq) =>
					scriptedReply(toolConversation(QUESTION), { seq, imperfection: { rate: 0.3, seed } })
						?.imperfection,
			);
		const first = kinds(7);
		expect(kinds(7)).toEqual(first);
		expect(kinds(8)).not.toEqual(first);
		const share = first.filter((k) => k !== null).length / first.length;
		expect(share).toBeGreaterThan(0.25);
		expect(share).toBeLessThan(0.35);
		expect(new Set(first.filter((k) => k !== null))).toEqual(new Set(TOOL_KINDS));
	});

	it('draws only from the kinds asked for', () => {
		const drawn = Array.from(
			{ length: 200 },
			(_, seq) =>
				scriptedReply(toolConversation(QUESTION), {
					seq,
					imperfection: { rate: 1, kinds: ['hermes', 'schemaViolation'] },
				})?.imperfection,
		);
		expect(new Set(drawn)).toEqual(new Set(['hermes']));
	});
});
