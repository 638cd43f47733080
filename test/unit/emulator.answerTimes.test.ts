/**
 * The emulator's answer-time simulation (`answerTimes`) and its record of what each chat stream
 * sent (`streamed`): load measurements compare every caller's text with that record, so both must
 * be exact. Over real HTTP with the global fetch.
 */
import { sleep } from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';

const KEY = 'test-key';
const TIMES = { seed: 7, firstTokenMs: [40, 80], tokens: [20, 30], tokenGapMs: [0, 2] } as const;

let emu: Emulator;
beforeAll(async () => {
	emu = await startEmulator({ keys: { [KEY]: 5 } });
});
afterAll(async () => await emu.close());
beforeEach(() => {
	emu.reset();
	emu.configure({ answerTimes: null, tokenDelayMs: 0 });
});

const body = (text: string) => ({
	model: 'gpt-4o-mini',
	messages: [{ role: 'user', content: text }],
});

/** POSTs a chat body; returns the content pieces and when the first one arrived after the headers. */
async function chat(text: string) {
	const res = await fetch(`${emu.baseUrl}/api/chat-completions/`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
		body: JSON.stringify(body(text)),
	});
	const headersAt = Date.now();
	const reader = res.body!.getReader();
	const decoder = new TextDecoder();
	let raw = '';
	let firstAt = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		raw += decoder.decode(value, { stream: true });
		if (!firstAt && raw.includes('"content"')) firstAt = Date.now();
	}
	const pieces = raw
		.split('\n')
		.filter((l) => l.startsWith('data: {'))
		.map((l) => JSON.parse(l.slice(6)) as { choices: Array<{ delta: { content?: string } }> })
		.map((c) => c.choices[0]?.delta.content)
		.filter((p): p is string => typeof p === 'string');
	return { pieces, text: pieces.join(''), firstTokenAfterMs: firstAt - headersAt };
}

describe('answerTimes: a drawn first-token delay, length and pace per request', () => {
	it('lengthens the echo to the drawn token count, within the range, the echo kept first', async () => {
		emu.configure({ answerTimes: { ...TIMES, firstTokenMs: [0, 0] } });
		const a = await chat('conversation 1 asks about sourdough');
		expect(a.pieces.length).toBeGreaterThanOrEqual(TIMES.tokens[0]);
		expect(a.pieces.length).toBeLessThanOrEqual(TIMES.tokens[1]);
		expect(a.text.startsWith('Echo: conversation 1 asks about sourdough ')).toBe(true);
		expect(a.text).not.toMatch(/ {2}/);
		const [rec] = emu.requests;
		expect(rec.body).toEqual(body('conversation 1 asks about sourdough'));
	});

	it('is deterministic per body and seed, whatever the order of arrival', async () => {
		emu.configure({ answerTimes: { ...TIMES, firstTokenMs: [0, 0] } });
		const texts = ['first question', 'second question', 'third question'];
		const once = await Promise.all(texts.map((t) => chat(t)));
		const again = await Promise.all([...texts].reverse().map((t) => chat(t)));
		expect(again.reverse().map((r) => r.text)).toEqual(once.map((r) => r.text));
		emu.configure({ answerTimes: { ...TIMES, seed: 8, firstTokenMs: [0, 0], tokens: [20, 60] } });
		const lengths = new Set<number>();
		for (let i = 0; i < 12; i++) lengths.add((await chat(`question ${i}`)).pieces.length);
		expect(lengths.size).toBeGreaterThan(1);
	});

	it('holds the first token back at least the drawn delay after the headers', async () => {
		emu.configure({ answerTimes: TIMES });
		const r = await chat('how long until the first word?');
		expect(r.firstTokenAfterMs).toBeGreaterThanOrEqual(TIMES.firstTokenMs[0] - 5);
	});

	it('without it, replies are the plain echo as before', async () => {
		expect((await chat('short one')).text).toBe('Echo: short one');
	});

	it('rejects ranges that are not [min, max] integers', () => {
		expect(() => emu.configure({ answerTimes: { tokens: [5, 1] } })).toThrow(/answerTimes.tokens/);
		expect(() =>
			emu.configure({ answerTimes: { firstTokenMs: [1.5, 2] as unknown as [number, number] } }),
		).toThrow(/firstTokenMs/);
		expect(() => emu.configure({ answerTimes: { tokens: [0, 0] } })).toThrow(/at least 1/);
	});
});

describe('streamed: what the emulator wrote for each chat request', () => {
	it('holds exactly the content text the caller received, every event written', async () => {
		emu.configure({ answerTimes: { ...TIMES, firstTokenMs: [0, 0] } });
		const r = await chat('record me');
		const [rec] = emu.requests;
		expect(rec.streamed).toEqual({
			text: r.text,
			events: r.pieces.length + 3,
			of: r.pieces.length + 3,
			firstAt: expect.any(Number),
		});
		expect(rec.streamed!.firstAt).toBeGreaterThanOrEqual(rec.startedAt);
	});

	it('stops counting when the caller goes away mid stream', async () => {
		emu.configure({ tokenDelayMs: 50 });
		const controller = new AbortController();
		const res = await fetch(`${emu.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
			body: JSON.stringify(body('one two three four five six seven eight nine ten')),
			signal: controller.signal,
		});
		const reader = res.body!.getReader();
		await reader.read();
		controller.abort();
		await reader.read().catch(() => undefined);
		for (let i = 0; i < 200 && emu.requests[0].endedAt === null; i++) await sleep(10);
		const [rec] = emu.requests;
		// 11 content events, finish, usage and [DONE]
		expect(rec.streamed!.of).toBe(14);
		expect(rec.streamed!.events).toBeLessThan(rec.streamed!.of);
		expect(rec.aborted).toBe(true);
	});
});
