import fc from 'fast-check';
import type { INode, NodeApiError } from 'n8n-workflow';

import {
	apiErrorFromAnswer,
	apiErrorFromMessage,
	hintForStatus,
	messageFromBody,
	PieceRedactor,
	redact,
	redactValue,
} from '../../nodes/shared/errors';
import { keyFragmentIn } from '../fixtures/secrets';

describe('error messages from the server', () => {
	it.each([
		['{"error":{"message":"Invalid API key","type":"auth"}}', 'Invalid API key'],
		['{"message":"Slow down"}', 'Slow down'],
		['{"detail":"Not found"}', 'Not found'],
		['{"error":"quota exceeded"}', 'quota exceeded'],
		['{"status":"error"}', '{"status":"error"}'],
		[
			'<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head></html>',
			'503 Service Unavailable',
		],
		['<html><body><h1>Bad   gateway</h1></body></html>', 'Bad gateway'],
		['upstream timeout\n', 'upstream timeout'],
		['{not json', '{not json'],
	])('reads %s', (body, message) => {
		expect(messageFromBody(body)).toBe(message);
	});

	it('has no message for an empty body', () => {
		expect(messageFromBody('  ')).toBeUndefined();
	});

	it('clips very long bodies', () => {
		expect(messageFromBody('x'.repeat(5000))?.length).toBeLessThanOrEqual(301);
	});
});

describe('hints', () => {
	it.each([
		[401, /API key/],
		[403, /API key/],
		[402, /top it up/],
		[404, /Base URL/],
		[429, /Batching/],
		[500, /problem on its side/],
		[503, /problem on its side/],
		[400, /parameters/],
	])('HTTP %i: %p', (status, hint) => {
		expect(hintForStatus(status)).toMatch(hint);
	});
});

describe('redact', () => {
	it('removes every occurrence of the secret', () => {
		expect(redact('a KEY1234 b KEY1234', 'KEY1234')).toBe('a *** b ***');
	});

	it('leaves text alone without a usable secret', () => {
		expect(redact('abc', '')).toBe('abc');
		expect(redact('abc', undefined)).toBe('abc');
	});
});

describe('errors built from a server answer keep the key out of every part', () => {
	const KEY = ['mtai', 'sk', '4d8e1f0a9c2b7e65'].join('-');
	const node: INode = {
		id: 'n',
		name: 'Node',
		type: 'miniToolAiChat',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const parts = (error: NodeApiError) =>
		[error.message, error.description ?? '', JSON.stringify(error)].join('\n');

	it('apiErrorFromMessage: message and hint', () => {
		const error = apiErrorFromMessage(node, `bad ${KEY}`, {
			itemIndex: 0,
			apiKey: KEY,
			hint: `The image URL is http://img.example/${KEY}.png`,
		});
		expect(error.description).toBe('The image URL is http://img.example/***.png');
		expect(keyFragmentIn(parts(error), KEY)).toBeUndefined();
	});

	it.each([
		['a redirect to a host named after the key', 307, { location: `http://${KEY}.example/x` }],
		['a Retry-After holding the key', 429, { 'retry-after': KEY }],
	])('apiErrorFromAnswer: %s', (_label, statusCode, headers) => {
		const error = apiErrorFromAnswer(
			node,
			{ statusCode, bodyText: `{"error":{"message":"no ${KEY}"}}`, headers },
			{ action: 'chat request', itemIndex: 0, apiKey: KEY },
		);
		expect(error.description).toContain('***');
		expect(keyFragmentIn(parts(error), KEY)).toBeUndefined();
	});
});

describe('PieceRedactor: a key that arrives in pieces', () => {
	const KEY = ['sk', 'live', 'a1b2c3d4'].join('-');

	function through(pieces: string[]): string[] {
		const redactor = new PieceRedactor(KEY);
		const out = pieces.map((piece) => redactor.push(piece));
		out.push(redactor.end());
		return out;
	}

	it('is redacted when split across pieces, and the text is otherwise unchanged', () => {
		const out = through(['Your key: sk-li', 've-a1b2', 'c3d4 and sk-', 'nothing']);
		expect(out.join('')).toBe('Your key: *** and sk-nothing');
		expect(out[0]).toBe('Your key: ');
	});

	it('holds back only what could still become the key', () => {
		// "s" may be the key's start ("sk-…"), so it waits for the next piece.
		expect(through(['a plain answer', ' ends in s', '.'])).toEqual([
			'a plain answer',
			' ends in ',
			's.',
			'',
		]);
	});

	it('joins to what redact makes of the whole text, however the text is cut', () => {
		fc.assert(
			fc.property(
				fc.array(fc.constantFrom('sk-', 'live', '-a1b2', 'c3d4', KEY, 'x', 's', ' '), {
					maxLength: 30,
				}),
				fc.array(fc.nat(400), { maxLength: 10 }),
				(words, cuts) => {
					const text = words.join('');
					const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
					const pieces = [0, ...points, text.length]
						.slice(1)
						.map((end, i, ends) => text.slice(i === 0 ? 0 : ends[i - 1], end));
					const out = through(pieces);
					expect(out.join('')).toBe(redact(text, KEY));
					expect(out.join('')).not.toContain(KEY);
				},
			),
		);
	});
});

describe('redactValue', () => {
	it('redacts every string of a JSON-like value, keys included', () => {
		const KEY = ['sk', 'live', 'a1b2c3d4'].join('-');
		expect(
			redactValue({ a: [`x${KEY}`, 1, null, { [KEY]: true }], b: KEY, c: false }, KEY),
		).toEqual({ a: ['x***', 1, null, { '***': true }], b: '***', c: false });
	});
});
