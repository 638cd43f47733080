/** Chat node: text is forwarded to a streaming caller as it arrives (Chat Trigger / streaming Webhook). */
import { chatNode, userMessages, useTestBed } from './setup';

const bed = useTestBed({ tokenDelayMs: 40 });

interface Chunk {
	type: string;
	content?: string;
	metadata?: { nodeName: string; itemIndex: number };
}

/**
 * Runs the node with a chunk handler in place. `streaming: false` keeps the handler but marks the
 * execution as not streaming (as under `n8n execute`), so chunks the node sends anyway are seen.
 */
async function runStreaming(parameters: Parameters<typeof chatNode>[0], streaming = true) {
	const chunks: Array<Chunk & { at: number }> = [];
	const result = await bed.runNode(chatNode(parameters), [{}], {
		streaming: {
			onChunk: (chunk) => chunks.push({ ...(chunk as Chunk), at: Date.now() }),
			enabled: streaming,
		},
	});
	return { result, chunks };
}

describe('Chat node: streaming to the caller', () => {
	it('sends begin, one item per piece of text as it arrives, then end; the output item is unchanged', async () => {
		const { result, chunks } = await runStreaming({
			messages: userMessages('alpha beta gamma delta'),
		});
		const text = result.output('Chat')[0].json.text;
		expect(text).toBe('Echo: alpha beta gamma delta');
		expect(chunks[0].type).toBe('begin');
		expect(chunks[chunks.length - 1].type).toBe('end');
		const items = chunks.filter((chunk) => chunk.type === 'item');
		expect(items.map((chunk) => chunk.content).join('')).toBe(text);
		expect(items.length).toBe(5);
		expect(items[0].metadata).toMatchObject({ nodeName: 'Chat', itemIndex: 0 });
		// Pieces arrive spread over time, as the emulator writes them, not all at the end.
		expect(items[items.length - 1].at - items[0].at).toBeGreaterThanOrEqual(100);
	});

	it('sends nothing when Stream Response is off', async () => {
		const { result, chunks } = await runStreaming({
			messages: userMessages('quiet'),
			options: { streamResponse: false },
		});
		expect(result.output('Chat')[0].json.text).toBe('Echo: quiet');
		expect(chunks.filter((chunk) => chunk.type !== 'error')).toEqual([]);
	});

	it('sends nothing when the execution is not streaming', async () => {
		const { result, chunks } = await runStreaming({ messages: userMessages('plain') }, false);
		expect(result.output('Chat')[0].json.text).toBe('Echo: plain');
		expect(chunks).toEqual([]);
	});

	it('keeps streaming after a data line that is not JSON, in the documented form without blank lines', async () => {
		// The emulator puts a garbage line after every event ("data: {not json" first).
		bed.emulator.configure({ sseSeparator: '\n' });
		bed.emulator.setFault({ endpoint: 'chat', type: 'malformed' });
		try {
			// No word ends in the key's first letter: a piece that could begin the key waits for the
			// next one (the key is redacted as it streams), the last one for the end of the stream.
			const { result, chunks } = await runStreaming({
				messages: userMessages('uno two tres four six'),
			});
			const text = result.output('Chat')[0].json.text;
			expect(text).toBe('Echo: uno two tres four six');
			const items = chunks.filter((chunk) => chunk.type === 'item');
			expect(items.map((chunk) => chunk.content).join('')).toBe(text);
			// Every piece reached the caller before the emulator had written [DONE] (same clock).
			const [request] = bed.apiRequests();
			expect(request.endedAt).not.toBeNull();
			for (const item of items) expect(item.at).toBeLessThan(request.endedAt!);
		} finally {
			bed.emulator.configure({ sseSeparator: '\n\n' });
		}
	});
});
