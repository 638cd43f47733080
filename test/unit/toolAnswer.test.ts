import fc from 'fast-check';

import { parseToolAnswer } from '../../nodes/MiniToolAiChatModel/toolAnswer';
import type { ToolSpec } from '../../nodes/MiniToolAiChatModel/toolProtocol';
import * as jsonValue from '../../nodes/shared/json/jsonValue';
import { counted } from '../fixtures/countedText';
import { CALCULATOR_PARAMETERS, WEATHER_PARAMETERS } from '../fixtures/tools';

export const TOOLS: ToolSpec[] = [
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

const CALC = { id: 'call_1', name: 'calculator', arguments: { input: '2+2' } };
const WEATHER = { id: 'call_2', name: 'get_weather', arguments: { city: 'Paris' } };

describe('parseToolAnswer: accepted shapes', () => {
	it.each<[string, string]>([
		['the strict format', '{"tool_calls":[{"name":"calculator","arguments":{"input":"2+2"}}]}'],
		[
			'a fenced object',
			'```json\n{"tool_calls":[{"name":"calculator","arguments":{"input":"2+2"}}]}\n```',
		],
		[
			'OpenAI tool_calls with arguments as a string',
			'{"tool_calls":[{"id":"x","type":"function","function":{"name":"calculator","arguments":"{\\"input\\":\\"2+2\\"}"}}]}',
		],
		[
			'function_call',
			'{"function_call":{"name":"calculator","arguments":"{\\"input\\":\\"2+2\\"}"}}',
		],
		['a bare name/arguments object', '{"name": "calculator", "arguments": {"input": "2+2"}}'],
		['name/parameters', '{"name": "calculator", "parameters": {"input": "2+2"}}'],
		['tool/tool_input', '{"tool": "calculator", "tool_input": {"input": "2+2"}}'],
		[
			'tool/tool_input with a plain string for a one-text-input tool',
			'{"tool":"calculator","tool_input":"2+2"}',
		],
		['action/action_input', '{"action": "calculator", "action_input": {"input": "2+2"}}'],
		[
			'a Hermes block',
			'<tool_call>\n{"name": "calculator", "arguments": {"input": "2+2"}}\n</tool_call>',
		],
		['a JSON array of calls', '[{"name":"calculator","arguments":{"input":"2+2"}}]'],
		['arguments next to a known name', '{"name":"calculator","input":"2+2"}'],
		[
			'a name in another case',
			'{"tool_calls":[{"name":"Calculator","arguments":{"input":"2+2"}}]}',
		],
	])('reads %s', (_label, text) => {
		expect(parseToolAnswer(text, TOOLS)).toEqual({ kind: 'calls', calls: [CALC] });
	});

	it('reads several calls in one object, in several objects and in several Hermes blocks', () => {
		const expected = { kind: 'calls', calls: [CALC, WEATHER] };
		const one =
			'{"tool_calls":[{"name":"calculator","arguments":{"input":"2+2"}},{"name":"get_weather","arguments":{"city":"Paris"}}]}';
		expect(parseToolAnswer(one, TOOLS)).toEqual(expected);
		const two =
			'{"name":"calculator","arguments":{"input":"2+2"}}\n{"tool":"get_weather","tool_input":{"city":"Paris"}}';
		expect(parseToolAnswer(two, TOOLS)).toEqual(expected);
		const hermes =
			'<tool_call>{"name":"calculator","arguments":{"input":"2+2"}}</tool_call>\n<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>';
		expect(parseToolAnswer(hermes, TOOLS)).toEqual(expected);
	});

	it('reads Hermes blocks whose strings hold the closing tag, and an unclosed last block', () => {
		const text =
			'<tool_call>{"name":"calculator","arguments":{"input":"</tool_call>"}}</tool_call>\n<tool_call>\n```json\n{"name":"get_weather","arguments":{"city":"Paris"}}\n```';
		expect(parseToolAnswer(text, TOOLS)).toEqual({
			kind: 'calls',
			calls: [{ ...CALC, arguments: { input: '</tool_call>' } }, WEATHER],
		});
	});

	it('is not thrown by a "[" in the prose before the call', () => {
		const text =
			'Steps [see below\n{"tool_calls":[{"name":"calculator","arguments":{"input":"2+2"}}]}';
		expect(parseToolAnswer(text, TOOLS)).toEqual({
			kind: 'calls',
			calls: [CALC],
			prose: 'Steps [see below',
		});
	});

	it('keeps the prose around a call, without the emptied fence', () => {
		const text =
			'Let me work that out {with care}.\n```json\n{"tool_calls":[{"name":"calculator","arguments":{"input":"2+2"}}]}\n```\nOne moment.';
		expect(parseToolAnswer(text, TOOLS)).toEqual({
			kind: 'calls',
			calls: [CALC],
			prose: 'Let me work that out {with care}.\n\nOne moment.',
		});
	});

	it('uses the ids it is given, not the model ones', () => {
		const text = '{"tool_calls":[{"id":"call_1","name":"calculator","arguments":{"input":"1"}}]}';
		const answer = parseToolAnswer(text, TOOLS, { newId: (i) => `turn3_${i}` });
		expect(answer).toMatchObject({ kind: 'calls', calls: [{ id: 'turn3_0' }] });
	});
});

describe('parseToolAnswer: text answers', () => {
	it('keeps a plain answer as text', () => {
		expect(parseToolAnswer('It is 4.', TOOLS)).toEqual({ kind: 'text', text: 'It is 4.' });
	});

	it('does not take unrelated JSON for a call', () => {
		const text = 'Here is the data: {"city": "Paris", "temp": 20} and [1, 2]';
		expect(parseToolAnswer(text, TOOLS)).toEqual({ kind: 'text', text });
		const person = '{"name": "Ada", "born": 1815}';
		expect(parseToolAnswer(person, TOOLS)).toEqual({ kind: 'text', text: person });
	});

	it('does not take broken JSON in an explanation for a failed call', () => {
		const text = 'A trailing comma breaks JSON, for example {"a": 1,} is refused.';
		expect(parseToolAnswer(text, TOOLS)).toEqual({ kind: 'text', text });
		expect(parseToolAnswer('[1, 2', TOOLS)).toEqual({ kind: 'text', text: '[1, 2' });
	});

	it("reads LangChain's Final Answer as the text answer", () => {
		const text = '{"action": "Final Answer", "action_input": "It is 4."}';
		expect(parseToolAnswer(text, TOOLS)).toEqual({ kind: 'text', text: 'It is 4.' });
	});
});

describe('parseToolAnswer: invalid answers', () => {
	it.each<[string, string, string]>([
		[
			'an unknown tool, naming the known ones',
			'{"tool_calls":[{"name":"search","arguments":{}}]}',
			'there is no tool named "search" (the tools are "calculator", "get_weather")',
		],
		[
			'arguments of the wrong type, by path',
			'{"tool_calls":[{"name":"get_weather","arguments":{"city":"Paris","days":"3"}}]}',
			'the arguments for "get_weather" do not match its parameters: days: expected integer, got string',
		],
		[
			'a missing required argument',
			'{"name":"get_weather","arguments":{"unit":"celsius"}}',
			'the arguments for "get_weather" do not match its parameters: city: is required but missing',
		],
		[
			'arguments that are not an object',
			'{"name":"get_weather","arguments":[1]}',
			'the arguments for "get_weather" do not match its parameters: arguments: expected object, got array',
		],
		[
			'a trailing comma',
			'{"tool_calls":[{"name":"calculator","arguments":{"input":"2+2"}}],}',
			"the tool call is not valid JSON: Trailing comma before '}' at position 66 (JSON allows none)",
		],
		[
			'a cut-off call',
			'Calling now: {"tool_calls":[{"name":"calculator","arguments":{"input":"2+2"}}]',
			'the tool call is not valid JSON: JSON is cut off at the end',
		],
		[
			'arguments as an unreadable string',
			'{"name":"get_weather","arguments":"{city: Paris}"}',
			'the arguments for "get_weather" are not valid JSON: Unexpected token \'c\' at position 1 (expected a property name in double quotes)',
		],
		[
			'a Hermes block without JSON',
			'<tool_call>calculator(2+2)</tool_call>',
			"the <tool_call> block does not hold valid JSON: Unexpected token 'c' at position 11",
		],
		[
			'a call without a name',
			'{"tool_calls":[{"arguments":{}}]}',
			'tool_calls[0] has no tool name ("name" must be a string)',
		],
	])('reports %s', (_label, text, problem) => {
		expect(parseToolAnswer(text, TOOLS)).toEqual({ kind: 'invalid', problem });
	});

	it('reports every problem of an answer at once', () => {
		const text =
			'{"tool_calls":[{"name":"nope","arguments":{}},{"name":"calculator","arguments":{}}]}';
		const answer = parseToolAnswer(text, TOOLS);
		expect(answer.kind).toBe('invalid');
		if (answer.kind === 'invalid') {
			expect(answer.problem.split('; ')).toEqual([
				'there is no tool named "nope" (the tools are "calculator", "get_weather")',
				'the arguments for "calculator" do not match its parameters: input: is required but missing',
			]);
		}
	});
});

describe('parseToolAnswer: linear in the answer', () => {
	function readsToParse(text: string): number {
		const wrapped = counted(text);
		parseToolAnswer(wrapped.text, TOOLS);
		return wrapped.reads();
	}

	it.each([
		['Hermes blocks', '<tool_call>{"name":"calculator","arguments":{"input":"1"}}</tool_call>\n'],
		['broken Hermes blocks', 'text <tool_call>{"name": broken</tool_call>\n'],
		['unclosed Hermes blocks', '<tool_call>{"name":"calculator","arguments":{}} and more\n'],
	])('%s: twice the blocks cost twice the reads', (_name, block) => {
		const small = readsToParse(block.repeat(500));
		const large = readsToParse(block.repeat(1_000));
		expect(large / small).toBeLessThan(2.2);
	});
});

describe('parseToolAnswer: repeated calls are found without comparing every pair', () => {
	afterEach(() => jest.restoreAllMocks());

	it('compares each call at most once, however many calls the answer holds', () => {
		const compare = jest.spyOn(jsonValue, 'deepEqual');
		const calls = Array.from({ length: 2_000 }, (_, i) => ({
			name: 'calculator',
			arguments: { input: String(i) },
		}));
		const answer = parseToolAnswer(JSON.stringify({ tool_calls: calls }), TOOLS);
		expect(answer.kind === 'calls' && answer.calls.length).toBe(2_000);
		// Before: every new call was compared with every call kept (about 2 million comparisons).
		expect(compare.mock.calls.length).toBeLessThanOrEqual(calls.length);
	});

	it('finds repeats exactly as deep equality does', () => {
		const reversed = (value: unknown): unknown =>
			Array.isArray(value)
				? value.map(reversed)
				: value !== null && typeof value === 'object'
					? Object.fromEntries(
							Object.entries(value)
								.reverse()
								.map(([key, inner]) => [key, reversed(inner)]),
						)
					: value;
		fc.assert(
			fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
				expect(jsonValue.canonicalJson(a) === jsonValue.canonicalJson(b)).toBe(
					jsonValue.deepEqual(a, b),
				);
				expect(jsonValue.canonicalJson(reversed(a))).toBe(jsonValue.canonicalJson(a));
			}),
		);
	});

	it('still keeps the same call written twice once, whatever the order of its keys', () => {
		const text = `${JSON.stringify({ name: 'get_weather', arguments: { city: 'Paris', days: 2 } })}\n${JSON.stringify({ name: 'get_weather', arguments: { days: 2, city: 'Paris' } })}`;
		const answer = parseToolAnswer(text, TOOLS);
		expect(answer.kind === 'calls' && answer.calls.length).toBe(1);
	});
});
