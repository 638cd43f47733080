/**
 * Secrets: the API key never appears in an output item, an error message or description, n8n's
 * execution data, or a request to a host other than the API, even when the server echoes it back
 * (every case of reliability.faults.test.ts checks the same for its fault). And a credential Base
 * URL that is not http(s) is refused before anything is sent, for the Text to Image node too (the
 * Chat node's test is in chat.validation.test.ts).
 */
import type { INodeParameters } from 'n8n-workflow';

import { expectNoSecretsLeaked } from './reliability.cases';
import { TEST_KEY, chatNode, continueOnFail, imageNode, userMessages, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 50 });

const generate: INodeParameters = {
	operation: 'generate',
	prompt: 'A cat',
	width: 256,
	height: 256,
	downloadImage: true,
	options: { maxWaitSeconds: 5 },
};

describe('Text to Image node: the credential Base URL', () => {
	const operations: Array<[string, INodeParameters]> = [
		['Generate', generate],
		['Submit Job', { operation: 'submitJob', prompt: 'A cat' }],
		['Get Job', { operation: 'getJob', jobId: '12345678', signature: 'abcdefghijklmnopqrstuvwx' }],
	];
	const baseUrls = [
		'file:///etc/passwd',
		'javascript:alert(1)',
		'ftp://minitoolai.com',
		'minitoolai.com',
		'data:text/plain,hello',
	];
	it.each(
		operations.flatMap(([name, p]) =>
			baseUrls.map((url): [string, string, INodeParameters] => [name, url, p]),
		),
	)('%s refuses %s before any request', async (_name, baseUrl, parameters) => {
		const result = await bed.runNode(imageNode(parameters), [{}], { baseUrl });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/^Base URL: ".*" is not an http\(s\) URL/);
		expect((result.error as { description?: string }).description).toMatch(/Base URL/);
		expect(bed.emulator.requests).toHaveLength(0);
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});
});

describe('The key stays secret when the server echoes it', () => {
	const echo = `your key ${TEST_KEY} is not allowed here`;

	it('Chat: in an HTML error page title', async () => {
		bed.emulator.setFault({
			endpoint: 'chat',
			type: 'status',
			status: 500,
			body: `<html><head><title>${echo}</title></head></html>`,
		});
		const result = await bed.runNode(chatNode({ messages: userMessages('x') }, continueOnFail));
		expect(result.output('Chat')[0].error?.message).toContain('your key *** is not allowed');
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});

	it('Chat: in an error object inside the stream', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'streamError', message: echo });
		const result = await bed.runNode(chatNode({ messages: userMessages('x') }, continueOnFail));
		expect(result.output('Chat')[0].error?.message).toBe(
			'MiniToolAI reported an error: your key *** is not allowed here',
		);
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});

	it('Chat: in the body of a 429 that never ends', async () => {
		bed.emulator.setFault({
			endpoint: 'chat',
			type: 'rateLimit',
			retryAfter: 0,
			body: { error: { message: echo } },
		});
		const result = await bed.runNode(chatNode({ messages: userMessages('x') }, continueOnFail));
		expect(result.output('Chat')[0].error?.message).toMatch(/HTTP 429\): your key \*\*\*/);
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});

	it('Text to Image: in a submit error body', async () => {
		bed.emulator.setFault({
			endpoint: 'submit',
			type: 'status',
			status: 400,
			body: { error: { message: echo } },
		});
		const result = await bed.runNode(imageNode(generate, continueOnFail));
		expect(result.output('Image')[0].error?.message).toMatch(/HTTP 400\): your key \*\*\*/);
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});

	it('Text to Image: in a status-check error body', async () => {
		bed.emulator.setFault({
			endpoint: 'job',
			type: 'status',
			status: 403,
			body: { error: { message: echo } },
		});
		const result = await bed.runNode(imageNode(generate, continueOnFail));
		expect(result.output('Image')[0].error?.message).toMatch(/HTTP 403\): your key \*\*\*/);
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});

	it('Text to Image: in the message of a failed job (Generate)', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobFailed', message: echo });
		const result = await bed.runNode(imageNode(generate, continueOnFail));
		expect(result.output('Image')[0].error?.message).toMatch(/^Image job \d+ failed/);
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
	});

	it('Text to Image: the image is downloaded without the key', async () => {
		const result = await bed.runNode(imageNode(generate));
		expect(result.status).toBe('success');
		const downloads = bed.emulator.requests.filter((r) => r.server === 'image');
		expect(downloads).toHaveLength(1);
		expectNoSecretsLeaked(result, bed.emulator.requests, [TEST_KEY]);
		// The key went to the API only, as a Bearer header, never in a body or a URL.
		for (const request of bed.apiRequests()) {
			expect(request.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
			expect(request.rawBody + request.path).not.toContain(TEST_KEY);
		}
	});
});
