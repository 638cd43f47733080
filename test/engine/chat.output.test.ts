/** Chat node: the output items a workflow gets. */
import { CHAT_MODELS } from '../emulator';
import { chatNode, userMessages, useTestBed } from './setup';

const bed = useTestBed();

describe('Chat node: output', () => {
	it('simplifies to text, finish reason, model, usage and cost', async () => {
		const result = await bed.runNode(
			chatNode({ model: 'gpt-4o-mini', messages: userMessages('héllo 🌍 world') }),
		);
		const [item] = result.output('Chat');
		const charged = bed.apiRequests()[0].chargedUsd;
		expect(item.json).toEqual({
			text: 'Echo: héllo 🌍 world',
			finishReason: 'stop',
			model: CHAT_MODELS['gpt-4o-mini'].dated,
			usage: {
				promptTokens: expect.any(Number),
				completionTokens: 4,
				totalTokens: expect.any(Number),
			},
			costUsd: expect.any(Number),
		});
		expect(item.json.costUsd).toBeCloseTo(charged, 12);
		expect(charged).toBeGreaterThan(0);
	});

	it.each(Object.keys(CHAT_MODELS))(
		'prices %s exactly as the emulator charged it',
		async (model) => {
			const result = await bed.runNode(
				chatNode({ model, messages: userMessages('a b c d e f g') }),
			);
			expect(result.output('Chat')[0].json.costUsd).toBeCloseTo(
				bed.apiRequests()[0].chargedUsd,
				12,
			);
		},
	);

	it('reports finish reason "length" when max completion tokens cut the answer', async () => {
		const result = await bed.runNode(
			chatNode({ messages: userMessages('one two three four five'), maxCompletionTokens: 2 }),
		);
		expect(result.output('Chat')[0].json).toMatchObject({
			text: 'Echo: one',
			finishReason: 'length',
			usage: { completionTokens: 2 },
		});
	});

	it('gives the whole chat.completion object when Simplify Output is off', async () => {
		const result = await bed.runNode(
			chatNode({ messages: userMessages('Hi'), simplifyOutput: false }),
		);
		const json = result.output('Chat')[0].json as Record<string, unknown>;
		expect(json).toMatchObject({
			object: 'chat.completion',
			model: CHAT_MODELS['gpt-4o-mini'].dated,
			choices: [
				{ index: 0, message: { role: 'assistant', content: 'Echo: Hi' }, finish_reason: 'stop' },
			],
			usage: {
				prompt_tokens: expect.any(Number),
				completion_tokens: 2,
				total_tokens: expect.any(Number),
			},
		});
		expect(String(json.id)).toMatch(/^chatcmpl-/);
	});

	it.each([
		['single newlines, as the docs print it', '\n'],
		['CRLF blank lines', '\r\n\r\n'],
	])('reads a stream separated by %s', async (_name, sseSeparator) => {
		bed.emulator.configure({ sseSeparator });
		const result = await bed.runNode(chatNode({ messages: userMessages('sep test') }));
		bed.emulator.configure({ sseSeparator: '\n\n' });
		expect(result.output('Chat')[0].json.text).toBe('Echo: sep test');
	});

	it('accepts a plain JSON chat.completion answer instead of a stream', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'json' });
		const result = await bed.runNode(chatNode({ messages: userMessages('json please') }));
		expect(result.output('Chat')[0].json).toMatchObject({
			text: 'Echo: json please',
			finishReason: 'stop',
		});
		expect(result.output('Chat')[0].json.costUsd).toBeCloseTo(bed.apiRequests()[0].chargedUsd, 12);
	});

	it('keeps the answer when garbage lines are mixed into the stream', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'malformed' });
		const result = await bed.runNode(chatNode({ messages: userMessages('still fine') }));
		expect(result.output('Chat')[0].json.text).toBe('Echo: still fine');
	});

	it('outputs null usage and cost when the stream has no usage chunk', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'noUsage' });
		const result = await bed.runNode(chatNode({ messages: userMessages('no usage') }));
		expect(result.output('Chat')[0].json).toMatchObject({
			text: 'Echo: no usage',
			finishReason: 'stop',
			usage: null,
			costUsd: null,
		});
	});
});
