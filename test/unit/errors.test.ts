import { hintForStatus, messageFromBody, redact } from '../../nodes/shared/errors';

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
