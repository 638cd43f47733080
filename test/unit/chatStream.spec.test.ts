/**
 * The stream reader as the SSE specification reads it, and its bounds: multi-line `data:` events,
 * `event:` names, reading stops at `[DONE]`, and lines or answers over the size limits stop the
 * parse instead of growing memory.
 */
import {
	ChatStreamParser,
	MAX_ANSWER_BYTES,
	MAX_SSE_LINE_BYTES,
	parseChatStream,
} from '../../nodes/shared/chat/chatStream';

const chunk = (content: string, finish: string | null = null) => ({
	id: 'c1',
	object: 'chat.completion.chunk',
	model: 'gpt-4o-mini-2024-07-18',
	choices: [{ index: 0, delta: content ? { content } : {}, finish_reason: finish }],
});

describe('multi-line data events', () => {
	it('joins the data lines of one event with a newline, as the SSE spec says', () => {
		const pretty = (value: unknown) =>
			JSON.stringify(value, null, 2)
				.split('\n')
				.map((line) => `data: ${line}`)
				.join('\n');
		const body = `${pretty(chunk('Hello'))}\n\n${pretty(chunk(' world', 'stop'))}\n\ndata: [DONE]\n\n`;
		const result = parseChatStream(body);
		expect(result.text).toBe('Hello world');
		expect(result.finishReason).toBe('stop');
		expect(result.skipped).toBe(0);
	});

	it('does not split an event whose inner line happens to be JSON on its own', () => {
		const body =
			'data: {"id":"c1","choices":[\ndata: {"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}\ndata: ]}\n\ndata: [DONE]\n\n';
		const result = parseChatStream(body);
		expect(result.text).toBe('Hi');
		expect(result.chunks).toBe(1);
	});

	it('still reads the documented one-event-per-line form without blank lines', () => {
		const body = `data: ${JSON.stringify(chunk('Ok'))}\ndata: ${JSON.stringify(chunk('.', 'stop'))}\ndata: [DONE]\n`;
		expect(parseChatStream(body).text).toBe('Ok.');
	});
});

describe('event names', () => {
	it('an `event: error` frame is the server error it carries', () => {
		const body = `data: ${JSON.stringify(chunk('Hel'))}\n\nevent: error\ndata: {"message":"upstream overloaded"}\n\n`;
		const result = parseChatStream(body);
		expect(result.error).toEqual({ message: 'upstream overloaded' });
	});

	it('an `event: error` frame with plain text data', () => {
		const result = parseChatStream('event: error\ndata: something broke\n\n');
		expect(result.error?.message).toBe('something broke');
	});

	it('events of other names are skipped, not read as chunks', () => {
		const body = `event: ping\ndata: ${JSON.stringify(chunk('NOT TEXT'))}\n\ndata: ${JSON.stringify(chunk('Ok', 'stop'))}\n\ndata: [DONE]\n\n`;
		const result = parseChatStream(body);
		expect(result.text).toBe('Ok');
		expect(result.skipped).toBe(1);
	});
});

describe('answers that look like success', () => {
	it.each([
		['{"status":"error","message":"Model is overloaded"}', 'Model is overloaded'],
		['{"status":"failed"}', 'status "failed"'],
		['{"error":"quota exceeded"}', 'quota exceeded'],
		['{"id":"x","object":"chat.completion"}', 'the answer has no choices and no text'],
		[`data: {"id":"x","object":"chat.completion.chunk"}\n\ndata: [DONE]\n\n`, 'no choices'],
	])('%s is an error', (body, message) => {
		expect(parseChatStream(body).error?.message).toContain(message);
	});
});

describe('reading stops at [DONE]', () => {
	it('reports finished as soon as [DONE] arrives, before the input ends', () => {
		const parser = new ChatStreamParser();
		parser.push(`data: ${JSON.stringify(chunk('Ok', 'stop'))}\n\n`);
		expect(parser.finished).toBe(false);
		parser.push('data: [DONE]\n\n');
		expect(parser.finished).toBe(true);
	});
});

describe('bounded memory', () => {
	it('a line longer than the limit stops the parse with an error naming the limit', () => {
		const parser = new ChatStreamParser();
		const piece = 'x'.repeat(64 * 1024);
		let pushes = 0;
		while (!parser.finished && pushes < 1000) {
			parser.push(pushes === 0 ? `data: ${piece}` : piece);
			pushes++;
		}
		expect(parser.finished).toBe(true);
		expect(pushes).toBeLessThanOrEqual(MAX_SSE_LINE_BYTES / piece.length + 1);
		const result = parser.end();
		expect(result.error).toEqual({
			message: 'one line of the event stream is longer than 1 MiB',
			overLimit: true,
		});
	});

	it('a JSON answer longer than the limit stops the parse', () => {
		const parser = new ChatStreamParser();
		parser.push('{"choices":[{"message":{"content":"');
		const piece = 'y'.repeat(1024 * 1024);
		for (let i = 0; i <= MAX_ANSWER_BYTES / piece.length && !parser.finished; i++) {
			parser.push(piece);
		}
		expect(parser.finished).toBe(true);
		expect(parser.end().error?.overLimit).toBe(true);
	});

	it('redacts the secret before quoting a broken answer', () => {
		const planted = ['plant', 'ed', 'token', '0123456789'].join('-');
		const body = `{${'z'.repeat(190)} ${planted}`;
		const result = new ChatStreamParser(planted);
		result.push(body);
		const message = result.end().error?.message ?? '';
		expect(message).not.toContain('planted-to');
	});
});
