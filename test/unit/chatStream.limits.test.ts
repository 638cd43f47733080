/**
 * The stream reader after a bad line, and its limits counted in bytes (as the README states them):
 * a data line that is not JSON must not hold back the answer behind it, the lines gathered for one
 * event are capped, and the line, event and answer caps count UTF-8 bytes, not characters.
 */
import fc from 'fast-check';

import { JsonPrefix } from '../../nodes/shared/chat/jsonPrefix';
import {
	ChatStreamParser,
	MAX_ANSWER_BYTES,
	MAX_SSE_LINE_BYTES,
} from '../../nodes/shared/chat/chatStream';

const encoder = new TextEncoder();

const chunk = (content: string, finish: string | null = null) =>
	JSON.stringify({
		id: 'c1',
		object: 'chat.completion.chunk',
		choices: [{ index: 0, delta: content ? { content } : {}, finish_reason: finish }],
	});

describe('a data line that is not JSON does not hold back what follows', () => {
	it.each([
		['not JSON at all', 'data: {not json'],
		['plain text', 'data: upstream hiccup'],
		['a chunk cut off inside a string', 'data: {"choices":[{"delta":{"content":"cut'],
		['an array (never a chunk)', 'data: [1, 2'],
	])('%s: the pieces after it arrive as they come, before [DONE]', (_name, bad) => {
		const parser = new ChatStreamParser();
		expect(parser.push(`data: ${chunk('A')}\n`)).toEqual(['A']);
		expect(parser.push(`${bad}\n`)).toEqual([]);
		expect(parser.push(`data: ${chunk('B')}\n`)).toEqual(['B']);
		expect(parser.push(`data: ${chunk('C', 'stop')}\n`)).toEqual(['C']);
		parser.push('data: [DONE]\n');
		const result = parser.end();
		expect(result).toMatchObject({ text: 'ABC', done: true, finishReason: 'stop', skipped: 1 });
	});

	it('an event spread over data lines without a blank line still joins (its lines continue it)', () => {
		const parser = new ChatStreamParser();
		const lines = ['{"id":"c1","choices":[', '{"index":0,"delta":{"content":"Hi"}}', ']}'];
		const pieces = lines.flatMap((line) => parser.push(`data: ${line}\n`));
		pieces.push(...parser.push(`data: ${chunk('!', 'stop')}\n`));
		expect(pieces).toEqual(['Hi', '!']);
		parser.push('data: [DONE]\n');
		expect(parser.end()).toMatchObject({ text: 'Hi!', skipped: 0, chunks: 2 });
	});

	it('the lines gathered for one event are capped: an event that never ends stops the parse', () => {
		const parser = new ChatStreamParser();
		parser.push('data: {"choices":[\n');
		const line = `data: ${'"x",'.repeat(1024)}\n`;
		let pushes = 0;
		while (!parser.finished && pushes < 2_000) {
			parser.push(line);
			pushes++;
		}
		expect(parser.finished).toBe(true);
		expect(pushes * line.length).toBeLessThanOrEqual(MAX_SSE_LINE_BYTES + line.length);
		expect(parser.end().error).toEqual({
			message: 'one event of the event stream is longer than 1 MiB',
			overLimit: true,
		});
	});
});

describe('the caps count bytes', () => {
	it('a line of 600,000 two-byte characters (1.2 MB) is over the 1 MiB line cap', () => {
		const parser = new ChatStreamParser();
		parser.push(encoder.encode(`data: ${chunk('é'.repeat(600_000))}\n`));
		expect(parser.end().error).toEqual({
			message: 'one line of the event stream is longer than 1 MiB',
			overLimit: true,
		});
	});

	it('a line just under 1 MiB in bytes is read', () => {
		const parser = new ChatStreamParser();
		const content = 'é'.repeat((MAX_SSE_LINE_BYTES - 200) / 2);
		parser.push(encoder.encode(`data: ${chunk(content, 'stop')}\ndata: [DONE]\n`));
		const result = parser.end();
		expect(result.error).toBeUndefined();
		expect(result.text).toBe(content);
	});

	it('a JSON answer of 9 million two-byte characters (18 MB) is over the 16 MiB answer cap', () => {
		const parser = new ChatStreamParser();
		parser.push('{"choices":[{"message":{"content":"');
		parser.push(encoder.encode('é'.repeat(9_000_000)));
		parser.push('"}}]}');
		expect(parser.end().error).toEqual({
			message: 'the JSON answer is longer than 16 MiB',
			overLimit: true,
		});
	});

	it("a streamed answer's text is capped at 16 MiB as well", () => {
		const parser = new ChatStreamParser();
		const line = encoder.encode(`data: ${chunk('z'.repeat(1_000_000))}\n`);
		let pushes = 0;
		while (!parser.finished && pushes < 40) {
			parser.push(line);
			pushes++;
		}
		expect(parser.finished).toBe(true);
		expect(pushes).toBe(Math.floor(MAX_ANSWER_BYTES / 1_000_000) + 1);
		expect(parser.end().error).toEqual({
			message: "the answer's text is longer than 16 MiB",
			overLimit: true,
		});
	});
});

describe('JsonPrefix (which gathered lines may still become one payload)', () => {
	const prefixOf = (text: string) => {
		const prefix = new JsonPrefix();
		prefix.feed(text);
		return prefix;
	};

	it('every prefix of a JSON object is viable, and the whole object is complete', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
				const text = JSON.stringify(object, null, 1);
				for (let end = 0; end < text.length; end += Math.max(1, Math.floor(text.length / 50))) {
					expect(prefixOf(text.slice(0, end)).viable).toBe(true);
				}
				expect(prefixOf(text).complete).toBe(true);
			}),
		);
	});

	it('agrees with JSON.parse on what is one whole object', () => {
		fc.assert(
			fc.property(
				fc.oneof(
					fc.json(),
					fc.string(),
					fc.jsonValue().map((v) => `{"a":${JSON.stringify(v)}}x`),
				),
				(text) => {
					let isObject = false;
					try {
						const parsed: unknown = JSON.parse(text);
						isObject = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
					} catch {
						isObject = false;
					}
					expect(prefixOf(text).complete).toBe(isObject && text.trimStart().startsWith('{'));
				},
			),
		);
	});
});
