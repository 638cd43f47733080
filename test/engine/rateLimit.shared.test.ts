/**
 * The shared limit of a credential and Base URL under a server that allows K requests at once
 * (429 + Retry-After beyond): the nodes settle near K together instead of each item backing off
 * on its own. Behaviour only (what the server saw), never timing.
 */
import { chatNode, imageNode, useTestBed } from './setup';

const K = 5;
const ITEMS = 60;
const bed = useTestBed({ jobDelayMs: 200 });
beforeEach(() => bed.emulator.configure({ maxConcurrent: K, latencyMs: 30, retryAfterSeconds: 1 }));
afterAll(() => bed.emulator.configure({ maxConcurrent: 0, latencyMs: 0 }));

const chatItems = Array.from({ length: ITEMS }, (_, i) => ({ prompt: `Question ${i}` }));
const chat = () =>
	chatNode(
		{
			model: 'gpt-4o-mini',
			messages: { message: [{ role: 'user', content: '={{ $json.prompt }}' }] },
		},
		{ onError: 'continueRegularOutput' },
	);
const refusals = () => bed.apiRequests().filter((r) => r.status === 429).length;

/** The most requests the server had in progress at once, from its own clock. */
function peakAccepted(): number {
	const events = bed
		.apiRequests()
		.filter((r) => r.status !== 429)
		.flatMap((r) => [
			{ at: r.startedAt, delta: 1 },
			{ at: r.endedAt ?? r.startedAt, delta: -1 },
		])
		.sort((a, b) => a.at - b.at || a.delta - b.delta);
	let now = 0;
	let peak = 0;
	for (const e of events) peak = Math.max(peak, (now += e.delta));
	return peak;
}

describe('one shared limit per credential and Base URL', () => {
	it('learns K from the first burst, and the next run starts at it: (almost) no 429s', async () => {
		const cold = await bed.runNode(chat(), chatItems);
		const texts = cold.output('Chat').map((it) => it.json.text);
		expect(texts).toEqual(chatItems.map((it) => `Echo: ${it.prompt}`));
		// The first burst beyond K is refused; after it the items go about K at a time, so most
		// items are refused at most once (each item backing off on its own refused many again).
		expect(bed.apiRequests().length).toBeLessThan(2 * ITEMS);

		bed.emulator.reset();
		const warm = await bed.runNode(chat(), chatItems);
		expect(warm.output('Chat').every((it) => String(it.json.text).startsWith('Echo:'))).toBe(true);
		expect(refusals()).toBeLessThanOrEqual(1);
		expect(peakAccepted()).toBeLessThanOrEqual(K);
	});

	it('image submits and polls share the limit the chat items taught', async () => {
		await bed.runNode(chat(), chatItems);
		bed.emulator.reset();
		const images = Array.from({ length: 10 }, (_, i) => ({ p: `Picture ${i}` }));
		const result = await bed.runNode(
			imageNode({ operation: 'generate', prompt: '={{ $json.p }}', width: 256, height: 256 }),
			images,
		);
		expect(result.status).toBe('success');
		expect(result.output('Image')).toHaveLength(10);
		expect(refusals()).toBeLessThanOrEqual(1);
	});

	it('another Base URL (another API) is not held back by this one', async () => {
		// The same server under another host name: another Base URL for the package.
		const other = bed.emulator.baseUrl.replace('127.0.0.1', 'localhost');
		bed.emulator.configure({ maxConcurrent: 0 });
		const result = await bed.runNode(chat(), chatItems, { baseUrl: other });
		expect(result.output('Chat')).toHaveLength(ITEMS);
		// All items were in flight at once: nothing queued them at K.
		expect(peakAccepted()).toBeGreaterThan(K);
	});
});
