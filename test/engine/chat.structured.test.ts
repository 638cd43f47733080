/**
 * Chat node, Response Format JSON / JSON Schema: the schema goes out in a developer message, the
 * answer is parsed and checked, one repair round fixes an unusable answer, and a schema or answer
 * that cannot work is reported by path. The emulator's scripted model answers JSON built from
 * the schema it is sent (see test/emulator/README.md), with imperfections on demand.
 */
import type { INodeParameters } from 'n8n-workflow';

import { inferSchema } from '../../nodes/shared/json/jsonSchemaCheck';
import { REPAIR_PREFIX } from '../../nodes/shared/json/structuredOutput';
import { chatNode, continueOnFail, itemError, userMessages, useTestBed } from './setup';

const bed = useTestBed();

const ORDER_SCHEMA = {
	type: 'object',
	properties: {
		items: {
			type: 'array',
			items: {
				type: 'object',
				properties: { sku: { type: 'string' }, price: { type: 'number' } },
				required: ['sku', 'price'],
			},
		},
		customer: { type: 'string' },
	},
	required: ['items', 'customer'],
};
const QUESTION = 'Order of 2 lamps at 42.5 each';

function schemaNode(extra: INodeParameters = {}, schema: unknown = ORDER_SCHEMA) {
	return chatNode({
		messages: userMessages(QUESTION),
		responseFormat: 'jsonSchema',
		schemaType: 'manual',
		jsonSchema: JSON.stringify(schema),
		...extra,
	});
}

type Message = { role: string; content: string };
const messagesOf = (index: number) =>
	(bed.apiRequests()[index].body as { messages: Message[] }).messages;
const schemaIn = (message: Message) =>
	JSON.parse(/<response_schema>\n(.*)\n<\/response_schema>/.exec(message.content)?.[1] ?? 'null');
const charged = () => bed.apiRequests().reduce((sum, request) => sum + request.chargedUsd, 0);

describe('Chat node: Response Format JSON Schema', () => {
	it('sends the schema in a developer message and outputs the parsed object beside the text', async () => {
		const result = await bed.runNode(schemaNode());
		expect(bed.apiRequests()).toHaveLength(1);
		const messages = messagesOf(0);
		expect(messages.map((m) => m.role)).toEqual(['developer', 'user']);
		expect(schemaIn(messages[0])).toEqual(ORDER_SCHEMA);
		const [item] = result.output('Chat');
		const parsed = JSON.parse(item.json.text as string);
		expect(item.json).toMatchObject({
			output: parsed,
			repaired: false,
			finishReason: 'stop',
			usage: { completionTokens: expect.any(Number) },
		});
		expect(parsed).toEqual({
			items: [
				{ sku: QUESTION, price: 2 },
				{ sku: QUESTION, price: 42.5 },
			],
			customer: QUESTION,
		});
		expect(Object.keys(item.json).slice(0, 2)).toEqual(['text', 'output']);
		expect(item.json.costUsd).toBeCloseTo(charged(), 12);
	});

	it('places the schema message after the last developer message of the conversation', async () => {
		await bed.runNode(
			schemaNode({
				messages: {
					message: [
						{ role: 'developer', content: 'You read orders.' },
						{ role: 'user', content: 'first' },
						{ role: 'assistant', content: 'ok' },
						{ role: 'user', content: QUESTION },
					],
				},
			}),
		);
		const messages = messagesOf(0);
		expect(messages.map((m) => m.content.slice(0, 16))).toEqual([
			'You read orders.',
			'Answer with ONLY',
			'first',
			'ok',
			QUESTION.slice(0, 16),
		]);
		expect(messages.map((m) => m.role)).toEqual([
			'developer',
			'developer',
			'user',
			'assistant',
			'user',
		]);
	});

	it('repairs a schema violation with one more request naming the path; usage and cost cover both', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'imperfect', kind: 'schemaViolation' });
		const result = await bed.runNode(schemaNode());
		expect(bed.apiRequests()).toHaveLength(2);
		const [first, second] = [messagesOf(0), messagesOf(1)];
		expect(second.slice(0, first.length)).toEqual(first);
		// The repair goes out as the planned request did: same key, headers and settings.
		const [request, repairRequest] = bed.apiRequests();
		for (const header of ['authorization', 'accept', 'content-type']) {
			expect(repairRequest.headers[header]).toBe(request.headers[header]);
		}
		const body = request.body as Record<string, unknown>;
		for (const setting of ['model', 'temperature', 'max_completion_tokens']) {
			expect((repairRequest.body as Record<string, unknown>)[setting]).toBe(body[setting]);
		}
		const [assistant, repair] = second.slice(first.length);
		expect(assistant.role).toBe('assistant');
		expect(JSON.parse(assistant.content).items[1].sku).toBe(12345);
		expect(repair.role).toBe('user');
		expect(repair.content).toMatch(
			new RegExp(`^${REPAIR_PREFIX} items\\[1\\]\\.sku: expected string, got integer`),
		);

		const [item] = result.output('Chat');
		expect(item.json.repaired).toBe(true);
		expect((item.json.output as { items: Array<{ sku: unknown }> }).items[1].sku).toBe(QUESTION);
		const usage = item.json.usage as Record<string, number>;
		expect(usage.completionTokens).toBeGreaterThan(0);
		expect(usage.totalTokens).toBe(usage.promptTokens + usage.completionTokens);
		expect(bed.apiRequests().every((request) => request.chargedUsd > 0)).toBe(true);
		expect(item.json.costUsd).toBeCloseTo(charged(), 12);
	});

	it.each([
		['malformed JSON', 'malformedJson', 2, true],
		['prose around the JSON', 'proseAround', 1, false],
		['a code fence', 'fenced', 1, false],
	])('with %s: %i request(s), repaired %p', async (_name, kind, requests, repaired) => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'imperfect', kind });
		const result = await bed.runNode(schemaNode());
		expect(bed.apiRequests()).toHaveLength(requests);
		const [item] = result.output('Chat');
		expect(item.json.repaired).toBe(repaired);
		expect((item.json.output as { customer: unknown }).customer).toBe(QUESTION);
		expect(item.json.costUsd).toBeCloseTo(charged(), 12);
	});

	it('fails naming the first violation by path, with the raw answer, when the repair is unusable too', async () => {
		// The scripted model ignores `pattern`, so it breaks this schema on both attempts.
		const schema = {
			type: 'object',
			properties: {
				lines: {
					type: 'array',
					items: {
						type: 'object',
						properties: { sku: { type: 'string', pattern: '^[A-Z]{3}-\\d+$' } },
						required: ['sku'],
					},
				},
			},
			required: ['lines'],
		};
		const result = await bed.runNode(schemaNode({}, schema));
		expect(bed.apiRequests()).toHaveLength(2);
		const error = result.error as { name?: string; message?: string; description?: string };
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toContain('lines[0].sku: expected text matching /^[A-Z]{3}-\\d+$/');
		const lastAnswer = JSON.stringify({ lines: [{ sku: QUESTION }, { sku: QUESTION }] });
		expect(error.description).toContain(lastAnswer);
		expect(messagesOf(1)[messagesOf(1).length - 1].content).toContain('lines[0].sku');
	});

	it.each([
		['invalid JSON', '{"type": "object",}', /^JSON Schema: is not valid JSON/],
		[
			'an unknown type',
			JSON.stringify({ type: 'object', properties: { a: { type: 'strin' } } }),
			/^JSON Schema: #\/properties\/a\/type: unknown type "strin"/,
		],
		[
			'an unsupported keyword',
			JSON.stringify({ type: 'object', if: { required: ['a'] } }),
			/^JSON Schema: #: the keyword "if" is not supported/,
		],
	])('refuses a schema with %s before any request', async (_name, jsonSchema, message) => {
		const result = await bed.runNode(schemaNode({ jsonSchema }));
		const error = result.error as { message?: string; description?: string };
		expect(error.message).toMatch(message);
		expect(error.description).toBeTruthy();
		expect(bed.apiRequests()).toHaveLength(0);
	});

	it('infers the schema from a JSON example', async () => {
		const example = { name: 'Ada', tags: ['x'], score: 1, address: { city: 'London' } };
		const result = await bed.runNode(
			chatNode({
				messages: userMessages('Score 7 for Ada'),
				responseFormat: 'jsonSchema',
				schemaType: 'fromJson',
				jsonSchemaExample: JSON.stringify(example, null, 2),
			}),
		);
		expect(schemaIn(messagesOf(0)[0])).toEqual(inferSchema(example));
		expect(result.output('Chat')[0].json.output).toEqual({
			name: 'Score 7 for Ada',
			tags: ['Score 7 for Ada', 'Score 7 for Ada'],
			score: 7,
			address: { city: 'Score 7 for Ada' },
		});
	});

	it('refuses an example that is not JSON before any request', async () => {
		const result = await bed.runNode(
			chatNode({
				messages: userMessages('x'),
				responseFormat: 'jsonSchema',
				schemaType: 'fromJson',
				jsonSchemaExample: '{name: "Ada"}',
			}),
		);
		expect((result.error as { message?: string }).message).toMatch(
			/^JSON Example: is not valid JSON/,
		);
		expect(bed.apiRequests()).toHaveLength(0);
	});

	it('under continue-on-fail, an unusable answer is an error item for that item only', async () => {
		const schema = {
			type: 'object',
			properties: { code: { type: 'string', pattern: '^[A-Z]{3}$' } },
			required: ['code'],
		};
		const result = await bed.runNode(
			chatNode(
				{
					messages: userMessages('={{ $json.q }}'),
					responseFormat: 'jsonSchema',
					schemaType: 'manual',
					jsonSchema: JSON.stringify(schema),
				},
				continueOnFail,
			),
			[{ q: 'ABC' }, { q: 'not a code' }, { q: 'XYZ' }],
		);
		const items = result.output('Chat');
		expect(items).toHaveLength(3);
		expect(items[0].json.output).toEqual({ code: 'ABC' });
		expect(items[2].json.output).toEqual({ code: 'XYZ' });
		expect(itemError(items[1])?.message).toContain('code: expected text matching /^[A-Z]{3}$/');
		expect(bed.apiRequests()).toHaveLength(4);
	});

	it('puts the parsed object in the chosen field, and refuses a field the output already has', async () => {
		const ok = await bed.runNode(schemaNode({ outputField: 'row' }));
		expect(ok.output('Chat')[0].json.row).toMatchObject({ customer: QUESTION });
		expect(ok.output('Chat')[0].json.output).toBeUndefined();

		bed.emulator.reset();
		const refused = await bed.runNode(schemaNode({ outputField: 'costUsd' }));
		expect((refused.error as { message?: string }).message).toBe(
			'Put Output in Field: "costUsd" is already a field of the node\'s output',
		);
		expect(bed.apiRequests()).toHaveLength(0);
	});

	it('with Simplify Output off: the accepted chat.completion, the parsed object and the rejected answer', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'imperfect', kind: 'schemaViolation' });
		const result = await bed.runNode(schemaNode({ simplifyOutput: false }));
		type Usage = { prompt_tokens: number; completion_tokens: number };
		type Completion = {
			object: string;
			choices: Array<{ message: { content: string } }>;
			usage: Usage;
		};
		const json = result.output('Chat')[0].json as unknown as Completion & {
			output: unknown;
			repaired: boolean;
			rejectedAnswer: Completion;
		};
		expect(json.object).toBe('chat.completion');
		expect(JSON.parse(json.choices[0].message.content)).toEqual(json.output);
		expect(json.repaired).toBe(true);
		expect(json.rejectedAnswer.choices[0].message.content).toBe(messagesOf(1)[2].content);
		// Each completion keeps its own call's usage: priced, each is what that request was charged.
		const price = (usage: Usage) =>
			(usage.prompt_tokens * 0.15 + usage.completion_tokens * 0.6) / 1e6;
		expect(price(json.rejectedAnswer.usage)).toBeCloseTo(bed.apiRequests()[0].chargedUsd, 12);
		expect(price(json.usage)).toBeCloseTo(bed.apiRequests()[1].chargedUsd, 12);
	});
});

describe('Chat node: Response Format JSON', () => {
	it('asks for any JSON object and outputs it', async () => {
		const result = await bed.runNode(
			chatNode({ messages: userMessages('anything'), responseFormat: 'json' }),
		);
		expect(schemaIn(messagesOf(0)[0])).toEqual({ type: 'object' });
		expect(result.output('Chat')[0].json).toMatchObject({ output: {}, repaired: false });
	});

	it('Text (the default) sends no schema message and adds no field', async () => {
		const result = await bed.runNode(chatNode({ messages: userMessages('plain') }));
		expect(messagesOf(0)).toEqual([{ role: 'user', content: 'plain' }]);
		expect(result.output('Chat')[0].json).not.toHaveProperty('output');
		expect(result.output('Chat')[0].json).not.toHaveProperty('repaired');
	});
});

describe('Chat node: Response Format JSON Schema when streaming to the caller', () => {
	it('forwards only the accepted answer, once it is checked; never the rejected one', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'imperfect', kind: 'schemaViolation' });
		const chunks: Array<{ type: string; content?: string }> = [];
		const result = await bed.runNode(schemaNode(), [{}], {
			streaming: { onChunk: (chunk) => chunks.push(chunk as { type: string; content?: string }) },
		});
		expect(bed.apiRequests()).toHaveLength(2);
		expect(chunks.map((chunk) => chunk.type)).toEqual(['begin', 'item', 'end']);
		expect(chunks[1].content).toBe(result.output('Chat')[0].json.text);
		expect(JSON.parse(chunks[1].content!)).toEqual(result.output('Chat')[0].json.output);
	});
});
