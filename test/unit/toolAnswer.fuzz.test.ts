import fc from 'fast-check';

import { parseToolAnswer } from '../../nodes/MiniToolAiChatModel/toolAnswer';
import type { ToolSpec } from '../../nodes/MiniToolAiChatModel/toolProtocol';
import { CALCULATOR_PARAMETERS, WEATHER_PARAMETERS } from '../fixtures/tools';

/**
 * Property: a tool call written in any accepted shape, fenced or not, pretty or compact, with any
 * prose around it (braces, brackets, quotes, backticks and angle brackets included), parses back to
 * the same calls in the same order.
 */

const TOOLS: ToolSpec[] = [
	{
		name: 'calculator',
		parameters: CALCULATOR_PARAMETERS,
	},
	{
		name: 'get_weather',
		parameters: WEATHER_PARAMETERS,
	},
	{
		name: 'lookup-order',
		parameters: {
			type: 'object',
			properties: {
				order: {
					type: 'object',
					properties: {
						id: { type: 'integer' },
						tags: { type: 'array', items: { type: 'string' } },
						note: { type: ['string', 'null'] },
					},
					required: ['id'],
				},
			},
			required: ['order'],
		},
	},
	{ name: 'ping', parameters: { type: 'object', properties: {} } },
];

type Call = { name: string; arguments: Record<string, unknown> };

/** The same call twice in one answer runs once. */
function unique(calls: Call[]): Call[] {
	return calls.filter(
		(c, i) => calls.findIndex((d) => JSON.stringify(d) === JSON.stringify(c)) === i,
	);
}

/** Strings with the characters that trouble naive parsers. */
const tricky = fc.string({
	unit: fc.constantFrom(...'ab {}[]"\'\\:,`<>/\n\té😀'.split(''), '</tool_call>', '```', '\\"'),
	maxLength: 20,
});

const call: fc.Arbitrary<Call> = fc.oneof(
	tricky.map((input) => ({ name: 'calculator', arguments: { input } })),
	fc
		.record(
			{
				city: tricky,
				unit: fc.constantFrom('celsius', 'fahrenheit'),
				days: fc.integer({ min: 1, max: 7 }),
			},
			{ requiredKeys: ['city'] },
		)
		.map((args) => ({ name: 'get_weather', arguments: args })),
	fc
		.record({
			id: fc.integer(),
			tags: fc.array(tricky, { maxLength: 3 }),
			note: fc.option(tricky, { nil: null }),
		})
		.map((order) => ({ name: 'lookup-order', arguments: { order } })),
	fc.constant({ name: 'ping', arguments: {} }),
);

const PER_CALL = [
	'strict',
	'openai',
	'functionCall',
	'nameArguments',
	'nameParameters',
	'toolInput',
	'action',
	'inline',
	'hermes',
] as const;
const WHOLE = ['strictAll', 'openaiAll', 'array'] as const;

function perCall(shape: (typeof PER_CALL)[number], c: Call): unknown {
	switch (shape) {
		case 'strict':
			return { tool_calls: [c] };
		case 'openai':
			return {
				type: 'function',
				function: { name: c.name, arguments: JSON.stringify(c.arguments) },
			};
		case 'functionCall':
			return { function_call: { name: c.name, arguments: JSON.stringify(c.arguments) } };
		case 'nameArguments':
			return { name: c.name, arguments: c.arguments };
		case 'nameParameters':
			return { name: c.name, parameters: c.arguments };
		case 'toolInput':
			return { tool: c.name, tool_input: c.arguments };
		case 'action':
			return { action: c.name, action_input: c.arguments };
		case 'inline':
			return { name: c.name, ...c.arguments };
		default:
			return c; // hermes: wrapped below
	}
}

function whole(shape: (typeof WHOLE)[number], calls: Call[]): unknown {
	if (shape === 'strictAll') return { tool_calls: calls };
	if (shape === 'array') return calls;
	return {
		tool_calls: calls.map((c, i) => ({
			id: `call_${i}`,
			type: 'function',
			function: { name: c.name, arguments: JSON.stringify(c.arguments) },
		})),
	};
}

/** Prose: anything but `{"` (prose that opens a JSON string would swallow what follows). */
const prose = fc
	.string({
		unit: fc.constantFrom(...'Ok, see {this} [1] "quoted" it\'s <b> `x` ] } : \n'.split('')),
		maxLength: 30,
	})
	.filter((text) => !/\{\s*"/.test(text));

const piece = fc.record({ fenced: fc.boolean(), pretty: fc.boolean() });

function json(value: unknown, style: { fenced: boolean; pretty: boolean }): string {
	const text = JSON.stringify(value, null, style.pretty ? 2 : undefined);
	return style.fenced ? '```json\n' + text + '\n```' : text;
}

describe('parseToolAnswer (property)', () => {
	it('reads calls written one per piece, in mixed shapes, with prose around', () => {
		fc.assert(
			fc.property(
				fc.array(fc.tuple(call, fc.constantFrom(...PER_CALL), piece, prose), {
					minLength: 1,
					maxLength: 3,
				}),
				prose,
				(pieces, before) => {
					let text = before;
					for (const [c, shape, style, after] of pieces) {
						const body =
							shape === 'hermes'
								? `<tool_call>${json(c, style)}</tool_call>`
								: json(perCall(shape, c), style);
						text += `\n${body}\n${after}`;
					}
					const answer = parseToolAnswer(text, TOOLS);
					expect(answer.kind).toBe('calls');
					if (answer.kind !== 'calls') return;
					expect(
						answer.calls.map(({ name, arguments: args }) => ({ name, arguments: args })),
					).toEqual(unique(pieces.map(([c]) => c)));
				},
			),
			{ seed: 1313, numRuns: 2000 },
		);
	});

	it('reads several calls in one object or array, with prose around', () => {
		fc.assert(
			fc.property(
				fc.array(call, { minLength: 1, maxLength: 4 }),
				fc.constantFrom(...WHOLE),
				piece,
				prose,
				prose,
				(calls, shape, style, before, after) => {
					const text = `${before}\n${json(whole(shape, calls), style)}\n${after}`;
					const answer = parseToolAnswer(text, TOOLS);
					expect(answer.kind).toBe('calls');
					if (answer.kind !== 'calls') return;
					expect(
						answer.calls.map(({ name, arguments: args }) => ({ name, arguments: args })),
					).toEqual(unique(calls));
					expect(answer.calls.map((c) => c.id)).toEqual(
						unique(calls).map((_, i) => `call_${i + 1}`),
					);
				},
			),
			{ seed: 1313, numRuns: 1500 },
		);
	});

	it('never takes prose alone for a call', () => {
		fc.assert(
			fc.property(prose, (text) => {
				expect(parseToolAnswer(text, TOOLS)).toEqual({ kind: 'text', text });
			}),
			{ seed: 1313, numRuns: 1000 },
		);
	});
});
