import fc from 'fast-check';

import {
	ChatStreamParser,
	parseChatStream,
	toChatCompletion,
} from '../../nodes/shared/chat/chatStream';
import { DOCUMENTED_STREAM_LINES, streamOf } from '../fixtures/documentedStream';

const encoder = new TextEncoder();

function parseInChunks(bytes: Uint8Array, cuts: number[]) {
	const parser = new ChatStreamParser();
	const pieces: string[] = [];
	let start = 0;
	for (const cut of [...cuts].sort((a, b) => a - b)) {
		pieces.push(...parser.push(bytes.subarray(start, cut)));
		start = cut;
	}
	pieces.push(...parser.push(bytes.subarray(start)));
	const result = parser.end();
	return { result, pieces };
}

describe('chat stream parser: the documented exchange', () => {
	it.each([
		['one line per event, as the docs print it', '\n'],
		['blank-line separated events (SSE standard)', '\n\n'],
		['CRLF line endings', '\r\n\r\n'],
		['CR-only line endings', '\r\r'],
	])('reads %s', (_name, separator) => {
		const result = parseChatStream(DOCUMENTED_STREAM_LINES.join(separator) + separator);
		expect(result).toMatchObject({
			format: 'sse',
			text: 'Ok.',
			finishReason: 'stop',
			done: true,
			id: 'chatcmpl-B5qoZsT8kFDNJK3UyGLiJmjv6Pp90',
			model: 'gpt-4o-mini-2024-07-18',
			systemFingerprint: 'fp_06737a9306',
			serviceTier: 'default',
			chunks: 4,
			skipped: 0,
		});
		expect(result.usage).toMatchObject({ promptTokens: 17, completionTokens: 3, totalTokens: 20 });
		expect(result.usage?.raw).toHaveProperty('completion_tokens_details.reasoning_tokens', 0);
	});

	it('returns each content piece as it arrives, before the stream ends', () => {
		const parser = new ChatStreamParser();
		expect(parser.push(DOCUMENTED_STREAM_LINES[0] + '\n')).toEqual(['Ok']);
		expect(parser.push(DOCUMENTED_STREAM_LINES[1] + '\n')).toEqual(['.']);
		expect(parser.push(DOCUMENTED_STREAM_LINES.slice(2).join('\n') + '\n')).toEqual([]);
		expect(parser.end().text).toBe('Ok.');
	});

	it('assembles a chat.completion object for "Simplify Output" off', () => {
		const completion = toChatCompletion(parseChatStream(DOCUMENTED_STREAM_LINES.join('\n')));
		expect(completion).toEqual({
			id: 'chatcmpl-B5qoZsT8kFDNJK3UyGLiJmjv6Pp90',
			object: 'chat.completion',
			created: 1740734359,
			model: 'gpt-4o-mini-2024-07-18',
			system_fingerprint: 'fp_06737a9306',
			service_tier: 'default',
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content: 'Ok.' },
					logprobs: null,
					finish_reason: 'stop',
				},
			],
			usage: expect.objectContaining({ prompt_tokens: 17, completion_tokens: 3, total_tokens: 20 }),
		});
	});
});

describe('chat stream parser: tolerance', () => {
	it('skips comment lines, event/id/retry fields and keep-alives', () => {
		const stream = `: keep-alive\nevent: message\nid: 1\nretry: 100\n${streamOf(['Hi', ' there'])}: bye\n`;
		const result = parseChatStream(stream);
		expect(result).toMatchObject({ text: 'Hi there', done: true, skipped: 0 });
	});

	it('counts and skips garbage lines and unparsable data without losing the answer', () => {
		const good = streamOf(['A', 'B'], { separator: '\n' }).split('\n');
		const stream = [
			good[0],
			'data: {not json',
			'random words here',
			good[1],
			'data: "a string"',
			...good.slice(2),
		].join('\n');
		const result = parseChatStream(stream);
		expect(result.text).toBe('AB');
		expect(result.done).toBe(true);
		expect(result.skipped).toBe(3);
	});

	it('joins a JSON payload split over several data lines (SSE multi-line data)', () => {
		const stream =
			'data: {"choices":[{"index":0,\ndata: "delta":{"content":"joined"}}]}\n\ndata: [DONE]\n\n';
		expect(parseChatStream(stream)).toMatchObject({ text: 'joined', done: true });
	});

	it('keeps a multi-byte character that is split across chunks', () => {
		const bytes = encoder.encode(streamOf(['héllo 🌍', ' — ok']));
		const emoji = bytes.indexOf(0xf0);
		const { result } = parseInChunks(bytes, [emoji + 1, emoji + 2, emoji + 3]);
		expect(result.text).toBe('héllo 🌍 — ok');
	});

	it('keeps a CRLF pair that is split across chunks as one line end', () => {
		const bytes = encoder.encode(streamOf(['x'], { separator: '\r\n\r\n' }));
		const cr = bytes.indexOf(13);
		const { result } = parseInChunks(bytes, [cr + 1]);
		expect(result).toMatchObject({ text: 'x', done: true, skipped: 0 });
	});

	it('reports a missing usage chunk as null usage, not an error', () => {
		const result = parseChatStream(streamOf(['fine'], { usage: false, done: false }));
		expect(result).toMatchObject({ text: 'fine', usage: null, finishReason: 'stop', done: false });
		expect(result.error).toBeUndefined();
	});

	it('reads the last line even without a final newline', () => {
		const result = parseChatStream(streamOf(['x']).trimEnd());
		expect(result).toMatchObject({ text: 'x', done: true });
	});

	it('surfaces an error object inside the stream', () => {
		const stream = `${streamOf(['partial'], { finish: null, usage: false, done: false })}data: {"error":{"message":"model overloaded","type":"server_error","code":503}}\n\ndata: [DONE]\n\n`;
		const result = parseChatStream(stream);
		expect(result.error).toEqual({ message: 'model overloaded', type: 'server_error', code: 503 });
		expect(result.text).toBe('partial');
	});

	it('accepts a plain JSON chat.completion instead of a stream', () => {
		const body = JSON.stringify({
			id: 'chatcmpl-json',
			object: 'chat.completion',
			created: 1,
			model: 'gpt-4.1-2025-04-14',
			choices: [
				{
					index: 0,
					message: { role: 'assistant', content: 'Whole answer' },
					finish_reason: 'stop',
				},
			],
			usage: { prompt_tokens: 5, completion_tokens: 2 },
		});
		const result = parseChatStream(`  ${body}`);
		expect(result).toMatchObject({
			format: 'json',
			text: 'Whole answer',
			finishReason: 'stop',
			done: true,
			model: 'gpt-4.1-2025-04-14',
			usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
		});
	});

	it('reads a JSON error answer as an error', () => {
		const result = parseChatStream('{"error":{"message":"Insufficient credit"}}');
		expect(result.error?.message).toBe('Insufficient credit');
	});

	it('reports JSON that does not parse as an error, with a preview', () => {
		const result = parseChatStream('{"id": "broken');
		expect(result.error?.message).toContain('neither an event stream nor valid JSON');
	});

	it('reports an empty body as format "empty"', () => {
		expect(parseChatStream('').format).toBe('empty');
		expect(parseChatStream('\n\n  \n').format).toBe('empty');
	});

	it('reports a non-SSE text body (an HTML page) as format "empty" with skipped lines', () => {
		const result = parseChatStream('<html>\n<body>Bad gateway</body>\n</html>\n');
		expect(result.format).toBe('empty');
		expect(result.skipped).toBe(3);
	});

	it('ignores choices other than the first', () => {
		const line = (index: number, content: string) =>
			`data: ${JSON.stringify({ choices: [{ index, delta: { content } }] })}\n\n`;
		expect(parseChatStream(line(0, 'a') + line(1, 'IGNORED') + line(0, 'b')).text).toBe('ab');
	});
});

/** Property-based checks; the seed makes every run reproducible. */
const FUZZ_SEED = 20261121;
const FUZZ_RUNS = 5_000;
let fuzzCases = 0;

describe('chat stream parser: fuzzing', () => {
	afterAll(() => {
		// Printed so the CI log shows how many generated cases ran.
		// eslint-disable-next-line no-console
		console.log(`chat stream fuzz cases run: ${fuzzCases} (seed ${FUZZ_SEED})`);
	});

	const anyText = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
	const separators = fc.constantFrom('\n', '\n\n', '\r\n\r\n', '\r\r', '\r\n');

	it('parses any split of a valid stream into chunks to the same result', () => {
		fc.assert(
			fc.property(
				fc.array(anyText, { minLength: 1, maxLength: 8 }),
				separators,
				fc.array(fc.nat(), { maxLength: 12 }),
				(pieces, separator, rawCuts) => {
					fuzzCases++;
					const bytes = encoder.encode(streamOf(pieces, { separator }));
					const whole = parseChatStream(bytes);
					const cuts = rawCuts.map((n) => n % (bytes.length + 1));
					const { result, pieces: seen } = parseInChunks(bytes, cuts);
					expect(result).toEqual(whole);
					expect(result.text).toBe(pieces.join(''));
					expect(seen.join('')).toBe(pieces.join(''));
					expect(result.done).toBe(true);
				},
			),
			{ seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
		);
	});

	it('never throws on random bytes, in any chunking', () => {
		fc.assert(
			fc.property(
				fc.uint8Array({ maxLength: 400 }),
				fc.array(fc.nat(), { maxLength: 6 }),
				(bytes, rawCuts) => {
					fuzzCases++;
					const cuts = rawCuts.map((n) => n % (bytes.length + 1));
					const { result } = parseInChunks(bytes, cuts);
					expect(typeof result.text).toBe('string');
				},
			),
			{ seed: FUZZ_SEED + 1, numRuns: FUZZ_RUNS },
		);
	});
});
