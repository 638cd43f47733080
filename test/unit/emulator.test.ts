/**
 * The MiniToolAI emulator must speak the documented API faithfully, since every other test trusts
 * it. These tests talk to it over real HTTP with the global fetch.
 */
import { sleep } from 'n8n-workflow';

import { startEmulator, type Emulator, type Fault } from '../emulator';
import { crc32 } from '../emulator/png';
import { jobDurationMs } from '../emulator/jobTimes';

const KEY = 'test-key';
const PRICES = {
	'gpt-4o-mini': { input: 0.15, output: 0.6 },
	'gpt-4o': { input: 2.5, output: 10 },
};

interface Chunk {
	id: string;
	object: string;
	created: number;
	model: string;
	service_tier: string;
	system_fingerprint: string;
	choices: Array<{
		index: number;
		delta: { content?: string };
		logprobs: null;
		finish_reason: string | null;
	}>;
	usage: null | {
		prompt_tokens: number;
		completion_tokens: number;
		total_tokens: number;
		prompt_tokens_details: Record<string, number>;
		completion_tokens_details: Record<string, number>;
	};
}

let emu: Emulator;

beforeAll(async () => {
	emu = await startEmulator({ keys: { [KEY]: 5, broke: 0 }, jobDelayMs: 200 });
});
afterAll(async () => {
	await emu.close();
});
beforeEach(() => {
	emu.reset();
	emu.configure({ jobDelayMs: 200, tokenDelayMs: 0, latencyMs: 0, maxConcurrent: 0 });
	emu.configure({ sseSeparator: '\n\n' });
});

async function post(path: string, body: unknown, key: string | null = KEY): Promise<Response> {
	const headers: Record<string, string> = { 'Content-Type': 'application/json' };
	if (key !== null) headers.Authorization = `Bearer ${key}`;
	return await fetch(emu.baseUrl + path, {
		method: 'POST',
		headers,
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
}

function chatBody(text: string, extra: Record<string, unknown> = {}) {
	return {
		model: 'gpt-4o-mini',
		messages: [
			{ role: 'developer', content: 'Be brief.' },
			{ role: 'user', content: text },
		],
		...extra,
	};
}

/** The payloads of the `data:` lines, in order. */
function dataLines(text: string): string[] {
	return text
		.split(/\r?\n/)
		.filter((line) => line.startsWith('data: '))
		.map((line) => line.slice('data: '.length));
}

function chunksOf(text: string): Chunk[] {
	return dataLines(text)
		.filter((d) => d !== '[DONE]')
		.map((d) => JSON.parse(d) as Chunk);
}

const contentOf = (chunks: Chunk[]) =>
	chunks
		.filter((c) => c.choices.length > 0 && c.choices[0].delta.content !== undefined)
		.map((c) => c.choices[0].delta.content as string);

async function inflate(data: Uint8Array): Promise<Uint8Array> {
	const stream = new Blob([new Uint8Array(data)])
		.stream()
		.pipeThrough(new DecompressionStream('deflate'));
	return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Checks signature and CRCs, returns IHDR size and the inflated scanline length. */
async function decodePng(bytes: Uint8Array) {
	expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const types: string[] = [];
	const idat: Uint8Array[] = [];
	let width = 0;
	let height = 0;
	let off = 8;
	while (off < bytes.length) {
		const len = view.getUint32(off);
		const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
		const data = bytes.subarray(off + 8, off + 8 + len);
		expect(view.getUint32(off + 8 + len)).toBe(crc32(bytes.subarray(off + 4, off + 8 + len)));
		if (type === 'IHDR') {
			width = view.getUint32(off + 8);
			height = view.getUint32(off + 12);
			expect(Array.from(data.subarray(8))).toEqual([8, 2, 0, 0, 0]);
		}
		if (type === 'IDAT') idat.push(data);
		types.push(type);
		off += 12 + len;
	}
	expect(types[0]).toBe('IHDR');
	expect(types[types.length - 1]).toBe('IEND');
	const joined = new Uint8Array(idat.reduce((n, d) => n + d.length, 0));
	let at = 0;
	for (const d of idat) {
		joined.set(d, at);
		at += d.length;
	}
	const raw = await inflate(joined);
	return { width, height, rawLength: raw.length };
}

async function submitAndWait(body: Record<string, unknown> = {}) {
	const res = await post('/api/texttoimage/', { model: 'realvision', prompt: 'a fox', ...body });
	const sub = (await res.json()) as { status: string; jobid: number; signature: string };
	return sub;
}

describe('auth and balance', () => {
	it('answers 401 without or with an unknown key, on every endpoint, and records it', async () => {
		for (const path of ['/api/chat-completions/', '/api/texttoimage/', '/api/texttoimage/jobs/']) {
			const res = await post(path, {}, null);
			expect(res.status).toBe(401);
			expect(await res.json()).toEqual({
				error: { message: 'Invalid or missing API key', type: 'authentication_error' },
			});
		}
		expect((await post('/api/chat-completions/', chatBody('hi'), 'wrong')).status).toBe(401);
		expect(emu.requests.map((r) => r.status)).toEqual([401, 401, 401, 401]);
	});

	it('answers 402 for an empty balance', async () => {
		const res = await post('/api/chat-completions/', chatBody('hi'), 'broke');
		expect(res.status).toBe(402);
		expect(((await res.json()) as { error: { type: string } }).error.type).toBe(
			'insufficient_credit',
		);
		expect((await post('/api/texttoimage/', { model: 'amigo', prompt: 'p' }, 'broke')).status).toBe(
			402,
		);
	});

	it('validates fields with 400 naming the field', async () => {
		const cases: Array<[unknown, string]> = [
			['{not json', 'JSON'],
			[{ ...chatBody('x'), model: 'gpt-5' }, 'model'],
			[{ model: 'gpt-4o', messages: [] }, 'messages'],
			[{ model: 'gpt-4o', messages: [{ role: 'system', content: 'x' }] }, 'role'],
			[chatBody('x', { temperature: 2.5 }), 'temperature'],
			[chatBody('x', { max_completion_tokens: 0 }), 'max_completion_tokens'],
		];
		for (const [body, field] of cases) {
			const res = await post('/api/chat-completions/', body);
			expect(res.status).toBe(400);
			expect(((await res.json()) as { error: { message: string } }).error.message).toContain(field);
		}
		const image: Array<[Record<string, unknown>, string]> = [
			[{ model: 'sdxl', prompt: 'p' }, 'model'],
			[{ model: 'amigo', prompt: '' }, 'prompt'],
			[{ model: 'amigo', prompt: 'p', scheduler: 'DDIM' }, 'scheduler'],
			[{ model: 'amigo', prompt: 'p', steps: 9 }, 'steps'],
			[{ model: 'amigo', prompt: 'p', cfgScale: 8 }, 'cfgScale'],
			[{ model: 'amigo', prompt: 'p', width: 255 }, 'width'],
			[{ model: 'amigo', prompt: 'p', height: 1345 }, 'height'],
		];
		for (const [body, field] of image) {
			const res = await post('/api/texttoimage/', body);
			expect(res.status).toBe(400);
			expect(((await res.json()) as { error: { message: string } }).error.message).toContain(field);
		}
		expect(emu.balance(KEY)).toBe(5);
	});
});

describe('chat completions', () => {
	it('streams the documented SSE chunks, echoes the text, reports usage and charges the key', async () => {
		const res = await post('/api/chat-completions/', chatBody('héllo 🌍 world'));
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('text/event-stream');
		const text = await res.text();
		expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
		const chunks = chunksOf(text);
		expect(contentOf(chunks)).toEqual(['Echo:', ' héllo', ' 🌍', ' world']);
		for (const c of chunks) {
			expect(Object.keys(c)).toEqual([
				'id',
				'object',
				'created',
				'model',
				'service_tier',
				'system_fingerprint',
				'choices',
				'usage',
			]);
			expect(c.id).toBe(chunks[0].id);
			expect(c.object).toBe('chat.completion.chunk');
			expect(c.model).toBe('gpt-4o-mini-2024-07-18');
		}
		expect(chunks[0].id).toMatch(/^chatcmpl-/);
		expect(chunks[0].choices[0]).toEqual({
			index: 0,
			delta: { content: 'Echo:' },
			logprobs: null,
			finish_reason: null,
		});
		const finish = chunks[chunks.length - 2];
		expect(finish.choices[0]).toEqual({
			index: 0,
			delta: {},
			logprobs: null,
			finish_reason: 'stop',
		});
		expect(finish.usage).toBeNull();
		const last = chunks[chunks.length - 1];
		expect(last.choices).toEqual([]);
		// 2 + 3 words, plus 3 per message
		expect(last.usage).toEqual({
			prompt_tokens: 11,
			completion_tokens: 4,
			total_tokens: 15,
			prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
			completion_tokens_details: {
				reasoning_tokens: 0,
				audio_tokens: 0,
				accepted_prediction_tokens: 0,
				rejected_prediction_tokens: 0,
			},
		});
		const price = PRICES['gpt-4o-mini'];
		const cost = (11 * price.input + 4 * price.output) / 1e6;
		expect(emu.balance(KEY)).toBeCloseTo(5 - cost, 12);
		expect(emu.requests[0].chargedUsd).toBeCloseTo(cost, 15);
		expect(emu.requests[0].body).toEqual(chatBody('héllo 🌍 world'));
	});

	it('cuts the reply at max_completion_tokens with finish_reason length', async () => {
		const res = await post(
			'/api/chat-completions',
			chatBody('one two three', { max_completion_tokens: 2 }),
		);
		const chunks = chunksOf(await res.text());
		expect(contentOf(chunks).join('')).toBe('Echo: one');
		expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('length');
		expect(chunks[chunks.length - 1].usage?.completion_tokens).toBe(2);
	});

	it('mentions image parts in the echo and prices per model', async () => {
		const res = await post('/api/chat-completions/', {
			model: 'gpt-4o',
			messages: [
				{
					role: 'user',
					content: [
						{ type: 'text', text: 'What is this?' },
						{ type: 'image_url', image_url: { url: 'https://example.com/a.jpg', detail: 'low' } },
						{ type: 'image_url', image_url: { url: 'data:image/png;base64,AAAAAAAA' } },
					],
				},
			],
		});
		const chunks = chunksOf(await res.text());
		expect(contentOf(chunks).join('')).toBe(
			'Echo: What is this? [image: https://example.com/a.jpg] [image: data URL, 6 bytes]',
		);
		const usage = chunks[chunks.length - 1].usage;
		expect(usage?.prompt_tokens).toBe(6);
		const cost = (6 * PRICES['gpt-4o'].input + 11 * PRICES['gpt-4o'].output) / 1e6;
		expect(usage?.completion_tokens).toBe(11);
		expect(emu.requests[0].chargedUsd).toBeCloseTo(cost, 15);
	});

	it('uses the configured SSE separator', async () => {
		for (const sep of ['\n', '\r\n\r\n']) {
			emu.configure({ sseSeparator: sep });
			const text = await (await post('/api/chat-completions/', chatBody('a b'))).text();
			expect(text.endsWith(`data: [DONE]${sep}`)).toBe(true);
			expect(text.split(sep).filter((e) => e !== '')).toHaveLength(6);
		}
	});
});

describe('text to image', () => {
	it('runs a job: processing, then success with an image on the second host', async () => {
		const sub = await submitAndWait({ width: 512, height: 320 });
		expect(sub.status).toBe('success');
		expect(typeof sub.jobid).toBe('number');
		expect(typeof sub.signature).toBe('string');
		expect(emu.balance(KEY)).toBeCloseTo(5 - 0.0015, 12);

		const poll = async (body: unknown) => await (await post('/api/texttoimage/jobs/', body)).json();
		expect(await poll({ jobid: String(sub.jobid), signature: sub.signature })).toEqual({
			status: 'processing',
			message: 'Job is processing',
		});
		expect(await poll({ jobid: sub.jobid, signature: 'nope' })).toEqual({
			status: 'error',
			message: 'Invalid signature',
			image_url: null,
		});
		expect(await poll({ jobid: '1', signature: 'nope' })).toEqual({
			status: 'error',
			message: 'Job not found',
			image_url: null,
		});
		await sleep(250);
		const done = (await poll({ jobid: sub.jobid, signature: sub.signature })) as {
			status: string;
			image_url: string;
			message: string;
		};
		expect(done).toEqual({
			status: 'success',
			image_url: `${emu.imageBaseUrl}/images/${sub.jobid}.png`,
			message: 'success',
		});
		expect(emu.imageBaseUrl).not.toBe(emu.baseUrl);

		const job = emu.jobs.get(String(sub.jobid));
		expect(job?.polls).toHaveLength(2);
		expect(job?.finishedAt).toBe(job?.polls[1]);
		expect(job?.status).toBe('success');

		const img = await fetch(done.image_url);
		expect(img.status).toBe(200);
		expect(img.headers.get('content-type')).toBe('image/png');
		const bytes = new Uint8Array(await img.arrayBuffer());
		expect(Number(img.headers.get('content-length'))).toBe(bytes.length);
		const png = await decodePng(bytes);
		expect(png).toEqual({ width: 512, height: 320, rawLength: 320 * (1 + 3 * 512) });
		const imageReq = emu.requests.find((r) => r.server === 'image');
		expect(imageReq?.headers.authorization).toBeUndefined();
		expect((await fetch(`${emu.imageBaseUrl}/images/123.png`)).status).toBe(404);
	});

	it('defaults to 1024x1024', async () => {
		emu.configure({ jobDelayMs: 0 });
		const sub = await submitAndWait();
		const done = (await (await post('/api/texttoimage/jobs/', sub)).json()) as {
			image_url: string;
		};
		const png = await decodePng(new Uint8Array(await (await fetch(done.image_url)).arrayBuffer()));
		expect([png.width, png.height]).toEqual([1024, 1024]);
	});
});

describe('job times (the jobTimes option)', () => {
	afterEach(() => emu.configure({ jobTimes: null }));

	it('vary around jobDelayMs as the seeded draws say, the same again after reset()', async () => {
		const times = { spread: 0.15, slowShare: 0.1, slowFactor: 2, seed: 7 };
		emu.configure({ jobDelayMs: 10_000, jobTimes: times });
		const durations = async () => {
			const out: number[] = [];
			for (let n = 0; n < 4; n++) {
				const { jobid } = await submitAndWait();
				const job = emu.jobs.get(String(jobid))!;
				out.push(job.readyAt! - job.submittedAt);
			}
			return out;
		};
		const first = await durations();
		expect(first).toEqual([0, 1, 2, 3].map((n) => jobDurationMs(10_000, times, n)));
		expect(new Set(first).size).toBe(4);
		emu.reset();
		expect(await durations()).toEqual(first);
	});

	it('without jobTimes every job takes jobDelayMs; a bad value is refused', async () => {
		emu.configure({ jobDelayMs: 10_000 });
		const { jobid } = await submitAndWait();
		const job = emu.jobs.get(String(jobid))!;
		expect(job.readyAt! - job.submittedAt).toBe(10_000);
		expect(() => emu.configure({ jobTimes: { spread: -1 } })).toThrow(/jobTimes/);
	});

	it('draw a log-normal spread and about one slow job in ten', () => {
		const draws = Array.from({ length: 5000 }, (_, n) => jobDurationMs(1000, {}, n)).sort(
			(a, b) => a - b,
		);
		expect(draws[2500]).toBeGreaterThan(950);
		expect(draws[2500]).toBeLessThan(1050);
		const slow = draws.filter((d) => d >= 1600).length / draws.length;
		expect(slow).toBeGreaterThan(0.07);
		expect(slow).toBeLessThan(0.13);
	});
});

describe('faults', () => {
	const readAll = async (res: Response) => {
		// read what arrives until the stream ends or breaks
		const reader = (res.body as ReadableStream<Uint8Array>).getReader();
		const decoder = new TextDecoder();
		let text = '';
		try {
			for (;;) {
				const { done, value } = await reader.read();
				if (done) return { text, broken: false };
				text += decoder.decode(value, { stream: true });
			}
		} catch {
			return { text, broken: true };
		}
	};

	it('status: default JSON body, string body as-is, no charge', async () => {
		emu.setFault({ endpoint: 'chat', type: 'status', status: 500, times: 1 });
		let res = await post('/api/chat-completions/', chatBody('x'));
		expect(res.status).toBe(500);
		expect(await res.json()).toEqual({ error: { message: 'Internal Server Error (emulated)' } });
		emu.setFault({
			endpoint: 'any',
			type: 'status',
			status: 502,
			body: '<html>bad</html>',
			times: 1,
		});
		res = await post('/api/texttoimage/', { model: 'amigo', prompt: 'p' });
		expect(res.status).toBe(502);
		expect(res.headers.get('content-type')).toContain('text/html');
		expect(await res.text()).toBe('<html>bad</html>');
		expect(emu.balance(KEY)).toBe(5);
		expect((await post('/api/chat-completions/', chatBody('x'))).status).toBe(200);
	});

	it('rateLimit: 429 with Retry-After, or without when null', async () => {
		emu.setFault({ endpoint: 'chat', type: 'rateLimit', retryAfter: 3, times: 1 });
		emu.setFault({ endpoint: 'chat', type: 'rateLimit', retryAfter: null, times: 1 });
		const a = await post('/api/chat-completions/', chatBody('x'));
		expect(a.status).toBe(429);
		expect(a.headers.get('retry-after')).toBe('3');
		const b = await post('/api/chat-completions/', chatBody('x'));
		expect(b.status).toBe(429);
		expect(b.headers.get('retry-after')).toBeNull();
	});

	it('only matches the given key', async () => {
		emu.setFault({ endpoint: 'chat', type: 'status', status: 503, key: 'someone-else' });
		expect((await post('/api/chat-completions/', chatBody('x'))).status).toBe(200);
	});

	it('drop: N events then a broken connection, no charge', async () => {
		emu.setFault({ endpoint: 'chat', type: 'drop', afterChunks: 2 });
		const { text, broken } = await readAll(await post('/api/chat-completions/', chatBody('a b c')));
		expect(broken).toBe(true);
		expect(dataLines(text)).toHaveLength(2);
		expect(emu.balance(KEY)).toBe(5);
		expect(emu.requests[0].aborted).toBe(true);
	});

	it('malformed: garbage lines between valid events', async () => {
		emu.setFault({ endpoint: 'chat', type: 'malformed' });
		const text = await (await post('/api/chat-completions/', chatBody('a b'))).text();
		expect(text).toContain('data: {not json');
		expect(text).toContain('\n: ');
		const valid = dataLines(text).filter((d) => d.startsWith('{"'));
		expect(valid.map((d) => JSON.parse(d) as Chunk).flatMap((c) => contentOf([c]))).toEqual([
			'Echo:',
			' a',
			' b',
		]);
		expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
	});

	it('streamError: an error event after one chunk, then [DONE]', async () => {
		emu.setFault({ endpoint: 'chat', type: 'streamError', message: 'overloaded' });
		const data = dataLines(await (await post('/api/chat-completions/', chatBody('a b'))).text());
		expect(data).toHaveLength(3);
		expect(JSON.parse(data[1])).toEqual({ error: { message: 'overloaded', type: 'server_error' } });
		expect(data[2]).toBe('[DONE]');
		expect(emu.balance(KEY)).toBe(5);
	});

	it('noUsage: no usage chunk and no [DONE]', async () => {
		emu.setFault({ endpoint: 'chat', type: 'noUsage' });
		const data = dataLines(await (await post('/api/chat-completions/', chatBody('a'))).text());
		expect(data).not.toContain('[DONE]');
		const chunks = data.map((d) => JSON.parse(d) as Chunk);
		expect(chunks.every((c) => c.usage === null)).toBe(true);
		expect(chunks[chunks.length - 1].choices[0].finish_reason).toBe('stop');
	});

	it('json: one chat.completion object', async () => {
		emu.setFault({ endpoint: 'chat', type: 'json' });
		const res = await post('/api/chat-completions/', chatBody('a b'));
		expect(res.headers.get('content-type')).toBe('application/json');
		const body = (await res.json()) as {
			object: string;
			choices: Array<{ message: { content: string }; finish_reason: string }>;
			usage: { completion_tokens: number };
		};
		expect(body.object).toBe('chat.completion');
		expect(body.choices[0].message.content).toBe('Echo: a b');
		expect(body.choices[0].finish_reason).toBe('stop');
		expect(body.usage.completion_tokens).toBe(3);
	});

	it('slowFirstByte: waits before answering', async () => {
		emu.setFault({ endpoint: 'chat', type: 'slowFirstByte', ms: 150, times: 1 });
		const t0 = Date.now();
		const res = await post('/api/chat-completions/', chatBody('a'));
		expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
		expect(res.status).toBe(200);
		await res.text();
	});

	it('hang: never answers, and an aborted client is recorded', async () => {
		emu.setFault({ endpoint: 'job', type: 'hang' });
		const ctl = new AbortController();
		const pending = fetch(`${emu.baseUrl}/api/texttoimage/jobs/`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}` },
			body: '{"jobid":1,"signature":"x"}',
			signal: ctl.signal,
		}).then(
			() => 'answered',
			() => 'aborted',
		);
		await sleep(150);
		expect(emu.requests[0].status).toBeNull();
		ctl.abort();
		expect(await pending).toBe('aborted');
	});

	it('close() returns promptly with a hung request open', async () => {
		const other = await startEmulator({ keys: { k: 1 } });
		other.setFault({ type: 'hang' });
		const pending = fetch(`${other.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			body: '{}',
		}).then(
			() => 'answered',
			() => 'failed',
		);
		await sleep(100);
		expect(other.requests).toHaveLength(1);
		const t0 = Date.now();
		await other.close();
		expect(Date.now() - t0).toBeLessThan(1000);
		expect(await pending).toBe('failed');
		expect(other.requests[0]).toMatchObject({ status: null, aborted: true });
	});

	it('submitError, jobFailed, jobNever', async () => {
		emu.configure({ jobDelayMs: 50 });
		emu.setFault({ endpoint: 'submit', type: 'submitError', times: 1 });
		expect(await (await post('/api/texttoimage/', { model: 'amigo', prompt: 'p' })).json()).toEqual(
			{
				status: 'error',
				jobid: null,
				signature: null,
			},
		);
		expect(emu.balance(KEY)).toBe(5);

		emu.setFault({ endpoint: 'submit', type: 'jobFailed', times: 1 });
		const failing = await submitAndWait();
		emu.setFault({ endpoint: 'submit', type: 'jobNever', times: 1 });
		const never = await submitAndWait();
		const later = await submitAndWait();
		emu.setFault({ endpoint: 'job', type: 'jobFailed', message: 'GPU melted', times: 1 });
		await sleep(80);
		const poll = async (s: unknown) => await (await post('/api/texttoimage/jobs/', s)).json();
		expect(await poll(failing)).toEqual({ status: 'failed', message: 'NSFW content detected' });
		expect(await poll(never)).toEqual({ status: 'processing', message: 'Job is processing' });
		expect(await poll(later)).toEqual({ status: 'failed', message: 'GPU melted' });
	});

	it('notImage: HTML instead of the PNG', async () => {
		emu.configure({ jobDelayMs: 0 });
		const sub = await submitAndWait();
		const done = (await (await post('/api/texttoimage/jobs/', sub)).json()) as {
			image_url: string;
		};
		emu.setFault({ endpoint: 'image', type: 'notImage', times: 1 });
		const res = await fetch(done.image_url);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toContain('text/html');
		await res.text();
		expect((await fetch(done.image_url)).headers.get('content-type')).toBe('image/png');
	});

	it('maxConcurrent answers 429 with Retry-After beyond the limit', async () => {
		emu.configure({ maxConcurrent: 1, latencyMs: 100 });
		const [a, b] = await Promise.all([
			post('/api/chat-completions/', chatBody('a')),
			post('/api/chat-completions/', chatBody('b')),
		]);
		expect([a.status, b.status].sort()).toEqual([200, 429]);
		expect((a.status === 429 ? a : b).headers.get('retry-after')).toBe('1');
		await Promise.all([a.text(), b.text()]);
	});
});

describe('HTTP control endpoints', () => {
	const control = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${emu.baseUrl}/__emulator/${path}`, {
			method,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		return (await res.json()) as Record<string, unknown> & unknown[];
	};

	it('reports health, requests, jobs, balance; sets faults, configures, resets', async () => {
		expect(await control('GET', 'health')).toEqual({
			ok: true,
			baseUrl: emu.baseUrl,
			imageBaseUrl: emu.imageBaseUrl,
		});
		await (await post('/api/chat-completions/', chatBody('a'))).text();
		await submitAndWait();
		const requests = await control('GET', 'requests');
		expect(requests.map((r) => (r as { path: string }).path)).toEqual([
			'/api/chat-completions/',
			'/api/texttoimage/',
		]);
		expect(await control('GET', 'jobs')).toHaveLength(1);
		const balance = await control('GET', `balance?key=${KEY}`);
		expect(balance.balance).toBeCloseTo(emu.balance(KEY), 12);

		const faults: Fault[] = [{ endpoint: 'chat', type: 'status', status: 500 }];
		await control('POST', 'faults', faults);
		expect((await post('/api/chat-completions/', chatBody('a'))).status).toBe(500);
		await control('DELETE', 'faults');
		expect((await post('/api/chat-completions/', chatBody('a'))).status).toBe(200);

		await control('POST', 'configure', { keys: { extra: 2 } });
		expect(emu.balance('extra')).toBe(2);
		await control('POST', 'reset');
		expect(emu.requests).toHaveLength(0);
		expect(emu.jobs.size).toBe(0);
		expect(emu.balance(KEY)).toBe(5);
		await control('POST', 'configure', { keys: { extra: null } });
	});
});

/** Reads a streamed body until `enough(text)` holds; the reader stays open for more checks. */
async function readUntil(res: Response, enough: (text: string, bytes: number) => boolean) {
	const reader = (res.body as ReadableStream<Uint8Array>).getReader();
	const decoder = new TextDecoder();
	let text = '';
	let bytes = 0;
	while (!enough(text, bytes)) {
		const { done, value } = await reader.read();
		if (done) throw new Error(`stream ended early after ${bytes} bytes: ${text.slice(0, 200)}`);
		bytes += value.length;
		text += decoder.decode(value, { stream: true });
	}
	return { reader, text, bytes };
}

// How long a test watches a connection to see that nothing more arrives (not a performance bound).
const QUIET_MS = 200;

/** 'quiet' when nothing arrives within QUIET_MS, else what the next read gave. */
async function nextRead(reader: ReadableStreamDefaultReader<Uint8Array>) {
	const quiet = sleep(QUIET_MS).then(() => 'quiet' as const);
	return await Promise.race([
		reader.read().then(
			(r) => (r.done ? ('ended' as const) : ('data' as const)),
			() => 'broken' as const,
		),
		quiet,
	]);
}

/** SSE events as the spec parses them: blank-line separated, data lines joined with \n. */
function sseEvents(text: string) {
	return text
		.split(/\r?\n\r?\n/)
		.filter((block) => block.trim() !== '')
		.map((block) => {
			const lines = block.split(/\r?\n/);
			const event = lines
				.find((l) => l.startsWith('event:'))
				?.slice('event:'.length)
				.trim();
			const data = lines
				.filter((l) => l.startsWith('data:'))
				.map((l) => l.slice('data:'.length).replace(/^ /, ''))
				.join('\n');
			return { event, data, lines: lines.length };
		});
}

describe('reliability faults', () => {
	it('redirect: 307 to the other host, which answers the chat and records the headers', async () => {
		emu.setFault({ endpoint: 'chat', type: 'redirect', times: 1 });
		const first = await fetch(`${emu.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}` },
			body: JSON.stringify(chatBody('a b')),
			redirect: 'manual',
		});
		expect(first.status).toBe(307);
		const location = first.headers.get('location') as string;
		expect(location).toBe(`${emu.imageBaseUrl}/redirected/api/chat-completions/`);
		expect(new URL(location).origin).not.toBe(new URL(emu.baseUrl).origin);
		// a client that follows the redirect and re-sends its key
		const followed = await fetch(location, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}` },
			body: JSON.stringify(chatBody('a b')),
		});
		expect(followed.headers.get('content-type')).toBe('text/event-stream');
		expect(contentOf(chunksOf(await followed.text())).join('')).toBe('Echo: a b');
		const there = emu.requests.find((r) => r.server === 'image');
		expect(there?.path).toBe('/redirected/api/chat-completions/');
		expect(there?.headers.authorization).toBe(`Bearer ${KEY}`);
		expect(there?.chargedUsd).toBe(0);
		expect(emu.balance(KEY)).toBe(5);
	});

	it('redirect: submit and job answers on the other host, other statuses, an absolute target', async () => {
		emu.setFault({ endpoint: 'submit', type: 'redirect', status: 308, times: 1 });
		const image = { model: 'amigo', prompt: 'a fox' };
		const res = await post('/api/texttoimage/', image);
		// fetch follows a 308 with the same method and body
		expect(res.status).toBe(200);
		const sub = (await res.json()) as { status: string; jobid: number; signature: string };
		expect(sub.status).toBe('success');
		expect(emu.requests.map((r) => [r.server, r.status])).toEqual([
			['api', 308],
			['image', 200],
		]);
		expect(emu.requests[1].body).toEqual(image);

		emu.setFault({ endpoint: 'job', type: 'redirect', status: 302, times: 1 });
		const first = await fetch(`${emu.baseUrl}/api/texttoimage/jobs/`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}` },
			body: JSON.stringify(sub),
			redirect: 'manual',
		});
		expect(first.status).toBe(302);
		const location = first.headers.get('location') as string;
		const done = (await (
			await fetch(location, { method: 'POST', body: JSON.stringify(sub) })
		).json()) as { status: string; image_url: string };
		expect(done.status).toBe('success');
		expect((await fetch(done.image_url)).headers.get('content-type')).toBe('image/png');

		emu.setFault({ type: 'redirect', target: 'http://example.invalid/x', times: 1 });
		const away = await fetch(`${emu.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			body: '{}',
			redirect: 'manual',
		});
		expect([away.status, away.headers.get('location')]).toEqual([307, 'http://example.invalid/x']);
		expect(() => emu.setFault({ type: 'redirect', status: 300 as 301 })).toThrow(/status/);
	});

	it('stall: N events, then an open socket with nothing more, not charged', async () => {
		emu.setFault({ endpoint: 'chat', type: 'stall', afterChunks: 2 });
		const ctl = new AbortController();
		const res = await fetch(`${emu.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}` },
			body: JSON.stringify(chatBody('a b c')),
			signal: ctl.signal,
		});
		const { reader, text } = await readUntil(res, (t) => dataLines(t).length >= 2);
		expect(await nextRead(reader)).toBe('quiet');
		expect(dataLines(text)).toHaveLength(2);
		expect(emu.requests[0]).toMatchObject({ status: null, endedAt: null });
		expect(emu.balance(KEY)).toBe(5);
		ctl.abort();
		await reader.cancel().catch(() => undefined);
	});

	it('holdOpen: the whole answer with [DONE], then the response never ends; charged', async () => {
		emu.setFault({ endpoint: 'chat', type: 'holdOpen' });
		const ctl = new AbortController();
		const res = await fetch(`${emu.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}` },
			body: JSON.stringify(chatBody('a b')),
			signal: ctl.signal,
		});
		const { reader, text } = await readUntil(res, (t) => t.includes('data: [DONE]\n\n'));
		expect(contentOf(chunksOf(text)).join('')).toBe('Echo: a b');
		expect(await nextRead(reader)).toBe('quiet');
		expect(emu.requests[0].endedAt).toBeNull();
		expect(emu.balance(KEY)).toBeLessThan(5);
		ctl.abort();
		await reader.cancel().catch(() => undefined);
	});

	it('errorEvent: one chunk, an `event: error` frame, then the end without [DONE]; not charged', async () => {
		emu.setFault({ endpoint: 'chat', type: 'errorEvent', message: 'boom' });
		const text = await (await post('/api/chat-completions/', chatBody('a b'))).text();
		expect(text).toContain('event: error\ndata: {"message":"boom"}\n\n');
		const events = sseEvents(text);
		expect(events).toHaveLength(2);
		expect(contentOf([JSON.parse(events[0].data) as Chunk])).toEqual(['Echo:']);
		expect(events[1]).toMatchObject({ event: 'error', data: '{"message":"boom"}' });
		expect(text).not.toContain('[DONE]');
		expect(emu.balance(KEY)).toBe(5);
	});

	it('errorBody: 200 application/json with an error object; not charged', async () => {
		emu.setFault({ endpoint: 'chat', type: 'errorBody', times: 1 });
		emu.setFault({ endpoint: 'chat', type: 'errorBody', body: { error: 'quota' }, times: 1 });
		const a = await post('/api/chat-completions/', chatBody('a'));
		expect([a.status, a.headers.get('content-type')]).toEqual([200, 'application/json']);
		expect(await a.json()).toEqual({
			status: 'error',
			message: 'Model is overloaded (emulated)',
		});
		expect(await (await post('/api/chat-completions/', chatBody('a'))).json()).toEqual({
			error: 'quota',
		});
		expect(emu.balance(KEY)).toBe(5);
	});

	it('multilineData: every event spread over several data lines, still valid SSE', async () => {
		emu.setFault({ endpoint: 'chat', type: 'multilineData' });
		const text = await (await post('/api/chat-completions/', chatBody('a b'))).text();
		const events = sseEvents(text);
		expect(events[events.length - 1].data).toBe('[DONE]');
		const json = events.slice(0, -1);
		expect(json.every((e) => e.lines > 3)).toBe(true);
		const chunks = json.map((e) => JSON.parse(e.data) as Chunk);
		expect(contentOf(chunks)).toEqual(['Echo:', ' a', ' b']);
		expect(chunks[chunks.length - 1].usage?.completion_tokens).toBe(3);
	});

	it('longLine: one data line of N bytes without a newline, then an open socket', async () => {
		const bytes = 300_000;
		emu.setFault({ endpoint: 'chat', type: 'longLine', bytes });
		const ctl = new AbortController();
		const res = await fetch(`${emu.baseUrl}/api/chat-completions/`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${KEY}` },
			body: JSON.stringify(chatBody('a')),
			signal: ctl.signal,
		});
		const got = await readUntil(res, (_t, n) => n >= bytes);
		expect(got.bytes).toBe(bytes);
		expect(got.text.startsWith('data: {"id":"chatcmpl-')).toBe(true);
		expect(got.text).not.toMatch(/[\r\n]/);
		expect(await nextRead(got.reader)).toBe('quiet');
		expect(emu.balance(KEY)).toBe(5);
		ctl.abort();
		await got.reader.cancel().catch(() => undefined);
	});

	it('html: a 200 text/html page on the job endpoint (the same as status 200 with an HTML body)', async () => {
		emu.setFault({ endpoint: 'job', type: 'html', times: 1 });
		emu.setFault({ endpoint: 'job', type: 'status', status: 200, body: '<p>x</p>', times: 1 });
		for (const expected of ['<!DOCTYPE html>', '<p>x</p>']) {
			const res = await post('/api/texttoimage/jobs/', { jobid: 1, signature: 's' });
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
			expect(await res.text()).toContain(expected);
		}
	});

	it('hugeImage and slowImage: a PNG of N bytes with Content-Length; a body that stalls', async () => {
		emu.configure({ jobDelayMs: 0 });
		const sub = await submitAndWait({ width: 256, height: 256 });
		const done = (await (await post('/api/texttoimage/jobs/', sub)).json()) as {
			image_url: string;
		};
		const bytes = 5 * 1024 * 1024;
		emu.setFault({ endpoint: 'image', type: 'hugeImage', bytes, times: 1 });
		const huge = await fetch(done.image_url);
		expect(huge.headers.get('content-type')).toBe('image/png');
		expect(huge.headers.get('content-length')).toBe(String(bytes));
		const body = new Uint8Array(await huge.arrayBuffer());
		expect(body.length).toBe(bytes);
		expect(Array.from(body.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);

		const normal = new Uint8Array(await (await fetch(done.image_url)).arrayBuffer());
		emu.setFault({ endpoint: 'image', type: 'slowImage', bytesPerSecond: 1_000_000, times: 1 });
		const slow = new Uint8Array(await (await fetch(done.image_url)).arrayBuffer());
		expect(slow).toEqual(normal);

		emu.setFault({ endpoint: 'image', type: 'slowImage', stall: true, times: 1 });
		const ctl = new AbortController();
		const stalled = await fetch(done.image_url, { signal: ctl.signal });
		expect([stalled.status, stalled.headers.get('content-length')]).toEqual([
			200,
			String(normal.length),
		]);
		const reader = (stalled.body as ReadableStream<Uint8Array>).getReader();
		expect(await nextRead(reader)).toBe('quiet');
		ctl.abort();
		await reader.cancel().catch(() => undefined);
	});

	it('imageLength: the PNG without a Content-Length (chunked), or with a wrong one', async () => {
		emu.configure({ jobDelayMs: 0 });
		const sub = await submitAndWait({ width: 256, height: 256 });
		const done = (await (await post('/api/texttoimage/jobs/', sub)).json()) as {
			image_url: string;
		};
		const normal = new Uint8Array(await (await fetch(done.image_url)).arrayBuffer());
		emu.setFault({ endpoint: 'image', type: 'imageLength', contentLength: null, times: 1 });
		const chunked = await fetch(done.image_url);
		expect(chunked.headers.get('content-length')).toBeNull();
		expect(chunked.headers.get('transfer-encoding')).toBe('chunked');
		expect(new Uint8Array(await chunked.arrayBuffer())).toEqual(normal);

		emu.setFault({
			endpoint: 'image',
			type: 'imageLength',
			contentLength: 10,
			bytes: 5000,
			times: 1,
		});
		const lying = await fetch(done.image_url);
		expect(lying.headers.get('content-length')).toBe('10');
		expect((await lying.arrayBuffer()).byteLength).toBe(10);
		expect(() =>
			emu.setFault({ endpoint: 'image', type: 'imageLength', contentLength: -1 } as never),
		).toThrow(/contentLength/);
	});

	it('echoKey: a long error message with the Bearer key across character 300', async () => {
		emu.setFault({ endpoint: 'chat', type: 'echoKey', times: 1 });
		emu.setFault({ endpoint: 'job', type: 'echoKey', status: 500, repeat: 2, times: 1 });
		const res = await post('/api/chat-completions/', chatBody('a'));
		expect(res.status).toBe(400);
		const { message } = ((await res.json()) as { error: { message: string } }).error;
		expect(message.length).toBeGreaterThan(300);
		const at = message.indexOf(KEY);
		expect(at).toBeGreaterThanOrEqual(280);
		expect(at).toBeLessThan(300);
		expect(at + KEY.length).toBeGreaterThan(300);

		const job = await post('/api/texttoimage/jobs/', { jobid: 1, signature: 's' });
		expect(job.status).toBe(500);
		const jobMessage = ((await job.json()) as { error: { message: string } }).error.message;
		expect(jobMessage.split(KEY)).toHaveLength(3);
	});

	it('rateLimit: a Retry-After of 3600 s is sent as given', async () => {
		emu.setFault({ endpoint: 'submit', type: 'rateLimit', retryAfter: 3600, times: 1 });
		const res = await post('/api/texttoimage/', { model: 'amigo', prompt: 'p' });
		expect([res.status, res.headers.get('retry-after')]).toEqual([429, '3600']);
	});
});

describe('reply modes and the scripted model', () => {
	const replyOf = async (text: string) =>
		contentOf(chunksOf(await (await post('/api/chat-completions/', chatBody(text))).text())).join(
			'',
		);
	const words = (text: string) => text.split(/\s+/).filter((w) => w !== '').length;

	afterEach(() => emu.configure({ replies: 'echo', imperfectModel: null }));

	it('canned: deterministic, 60-150 words, about the topic, never an echo', async () => {
		emu.configure({ replies: 'canned' });
		const messages = [
			'Write a blog post about sourdough baking',
			'Give me ideas for a coffee shop newsletter',
			'Create an image prompt for a lighthouse in a storm',
			'Hello! How are you?',
			'Explain kubernetes networking',
			'What is the capital of France?',
		];
		const replies: string[] = [];
		for (const m of messages) replies.push(await replyOf(m));
		for (const r of replies) {
			expect(r.startsWith('Echo:')).toBe(false);
			expect(words(r)).toBeGreaterThanOrEqual(60);
			expect(words(r)).toBeLessThanOrEqual(150);
		}
		expect(replies[0]).toContain('sourdough baking');
		expect(replies[1]).toMatch(/^Here are five ideas[^]*\n1\. /);
		expect(replies[2]).toContain('lighthouse');
		expect(replies[5]).toContain('France');
		expect(new Set(replies).size).toBe(replies.length);
		expect(await replyOf(messages[0])).toBe(replies[0]);
		const usage = chunksOf(
			await (await post('/api/chat-completions/', chatBody(messages[4]))).text(),
		).pop()?.usage;
		expect(usage?.completion_tokens).toBe(words(replies[4]));
		emu.configure({ replies: 'echo' });
		expect(await replyOf('a b')).toBe('Echo: a b');
		expect(() => emu.configure({ replies: 'poem' as 'echo' })).toThrow(/replies/);
	});

	it('streams the scripted model text, with its imperfection settings and the forced kind', async () => {
		const seen: unknown[] = [];
		const scripted = await startEmulator({
			keys: { [KEY]: 1 },
			scriptedModel: {
				scriptedReply: (messages, context) => {
					seen.push(context);
					const last = messages[messages.length - 1];
					if (typeof last.content !== 'string' || !last.content.includes('<tools>')) {
						return undefined;
					}
					return { text: '{"tool_calls":[{"name":"calculator","arguments":{}}]}' };
				},
			},
		});
		try {
			scripted.configure({ imperfectModel: { rate: 0.5, seed: 7 } });
			scripted.setFault({ endpoint: 'chat', type: 'imperfect', kind: 'fenced', times: 1 });
			const ask = async (text: string) => {
				const res = await fetch(`${scripted.baseUrl}/api/chat-completions/`, {
					method: 'POST',
					headers: { Authorization: `Bearer ${KEY}` },
					body: JSON.stringify(chatBody(text)),
				});
				return chunksOf(await res.text());
			};
			const tool = await ask('<tools>[]</tools> add 2 and 2');
			expect(contentOf(tool).join('')).toBe(
				'{"tool_calls":[{"name":"calculator","arguments":{}}]}',
			);
			expect(tool[tool.length - 1].usage?.completion_tokens).toBe(1);
			expect(contentOf(await ask('plain question')).join('')).toBe('Echo: plain question');
			expect(seen).toEqual([
				{ imperfection: { rate: 0.5, seed: 7 }, seq: 1, forced: 'fenced' },
				{ imperfection: { rate: 0.5, seed: 7 }, seq: 2, forced: undefined },
			]);
			expect(scripted.requests[0].chargedUsd).toBeGreaterThan(0);
		} finally {
			await scripted.close();
		}
	});
});
