/**
 * Tool input schemas get the same guarantees as Response Format: the answer reader never runs an
 * unsafe part of one. A tool's schema cannot be refused (it comes from the tool, not from a form),
 * so the unsafe and unsupported parts are not enforced and are listed for the Chat Model's hint;
 * the rest is still enforced.
 */
import type { Tool } from '@n8n/ai-node-sdk';

import { parseToolAnswer } from '../../nodes/MiniToolAiChatModel/toolAnswer';
import { toToolSpecs } from '../../nodes/MiniToolAiChatModel/toolSpecs';

const functionTool = (name: string, inputSchema: unknown) =>
	({ type: 'function', name, description: `The ${name} tool`, inputSchema }) as Tool;

const LOOKUP = {
	type: 'object',
	properties: {
		code: { type: 'string', pattern: '^(a+)+$' },
		count: { type: 'integer', multipleOf: 5 },
		loop: { $ref: '#/properties/loop' },
	},
	required: ['code'],
};

describe('toToolSpecs: unsafe and unsupported parts of a tool schema', () => {
	const [spec] = toToolSpecs([functionTool('lookup', LOOKUP)]);

	it('lists what is not enforced, with where it is', () => {
		expect(spec.notEnforced).toEqual([
			expect.stringMatching(
				/^#\/properties\/code\/pattern: the pattern \^\(a\+\)\+\$ could take time growing exponentially/,
			),
			'#/properties/count: the keyword "multipleOf" is not supported',
			expect.stringMatching(/^#\/properties\/loop\/\$ref: refers back to #\/properties\/loop /),
		]);
	});

	it('still describes the whole schema to the model', () => {
		expect(spec.parameters).toEqual(LOOKUP);
	});

	it('has nothing to report for a schema the validator fully enforces', () => {
		const [plain] = toToolSpecs([
			functionTool('weather', {
				type: 'object',
				properties: { city: { type: 'string', pattern: '^[A-Z][a-z]+$' } },
				required: ['city'],
			}),
		]);
		expect(plain.notEnforced).toBeUndefined();
	});
});

describe('parseToolAnswer with a tool schema that has unsafe parts', () => {
	const tools = toToolSpecs([functionTool('lookup', LOOKUP)]);
	const call = (args: unknown) =>
		JSON.stringify({ tool_calls: [{ name: 'lookup', arguments: args }] });

	it('does not run the catastrophic pattern on the model text (before: 2^30 steps)', () => {
		const code = `${'a'.repeat(30)}!`;
		expect(parseToolAnswer(call({ code, loop: 1 }), tools)).toEqual({
			kind: 'calls',
			calls: [{ id: 'call_1', name: 'lookup', arguments: { code, loop: 1 } }],
		});
	});

	it('still enforces the safe parts', () => {
		expect(parseToolAnswer(call({ count: 'x' }), tools)).toEqual({
			kind: 'invalid',
			problem:
				'the arguments for "lookup" do not match its parameters: code: is required but missing',
		});
		expect(parseToolAnswer(call({ code: 'a', count: 1.5 }), tools)).toEqual({
			kind: 'invalid',
			problem:
				'the arguments for "lookup" do not match its parameters: count: expected integer, got number',
		});
	});
});
