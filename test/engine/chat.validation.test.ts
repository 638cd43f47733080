/** Chat node: bad input fails with a NodeOperationError naming the field, and nothing is sent. */
import type { INodeParameters } from 'n8n-workflow';

import { chatNode, continueOnFail, itemError, userMessages, useTestBed } from './setup';

const bed = useTestBed();

const PDF = Buffer.from('%PDF-1.4 not an image');

const cases: Array<[string, INodeParameters, RegExp, Record<string, unknown>?]> = [
	[
		'temperature above 2',
		{ messages: userMessages('x'), temperature: 2.5 },
		/^Temperature: must be between 0 and 2, got 2.5/,
	],
	[
		'temperature below 0',
		{ messages: userMessages('x'), temperature: -0.1 },
		/^Temperature: must be between 0 and 2/,
	],
	[
		'temperature that is not a number (expression)',
		{ messages: userMessages('x'), temperature: '={{ "warm" }}' },
		/^Temperature: must be a number, got "warm"/,
	],
	[
		'max completion tokens of 0',
		{ messages: userMessages('x'), maxCompletionTokens: 0 },
		/^Max Completion Tokens: must be at least 1, got 0/,
	],
	[
		'fractional max completion tokens',
		{ messages: userMessages('x'), maxCompletionTokens: 10.5 },
		/^Max Completion Tokens: must be a whole number/,
	],
	['no messages at all', { messages: { message: [] } }, /^Messages: add at least one message/],
	[
		'an empty user message',
		{ messages: userMessages('   ') },
		/^Messages > message 1 > Content: is empty/,
	],
	[
		'an empty model (expression)',
		{ model: '={{ "" }}', messages: userMessages('x') },
		/^Model: is empty/,
	],
	[
		'a model id with spaces',
		{ model: '={{ "gpt 4o" }}', messages: userMessages('x') },
		/^Model: "gpt 4o" is not a valid model id/,
	],
	[
		'an image URL that is not http(s)',
		{
			messages: {
				message: [{ role: 'user', content: 'x', imageSource: 'url', imageUrl: 'ftp://host/a.png' }],
			},
		},
		/Image URL: only http\(s\) URLs are accepted/,
	],
	[
		'bad JSON in JSON mode',
		{ inputMode: 'json', messagesJson: '[{"role": "user", "content": }]' },
		/^Messages \(JSON\): is not valid JSON/,
	],
	[
		'JSON that is not an array',
		{ inputMode: 'json', messagesJson: '{"role": "user"}' },
		/^Messages \(JSON\): must be a JSON array of messages/,
	],
	[
		'an empty JSON array',
		{ inputMode: 'json', messagesJson: '[]' },
		/^Messages \(JSON\): contains no messages/,
	],
	[
		'the role "system" in JSON',
		{ inputMode: 'json', messagesJson: '[{"role": "system", "content": "x"}]' },
		/^Messages \(JSON\) \[0\]\.role: "system" is not one of the documented values/,
	],
	[
		'an image part in an assistant message',
		{
			inputMode: 'json',
			messagesJson:
				'[{"role": "assistant", "content": [{"type": "image_url", "image_url": {"url": "https://a.b/c.png"}}]}]',
		},
		/images can only be sent in user messages/,
	],
	[
		'an image part without URL',
		{
			inputMode: 'json',
			messagesJson: '[{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]',
		},
		/image_url\.url: is empty/,
	],
	[
		'a missing binary property',
		{
			messages: {
				message: [{ role: 'user', content: 'x', imageSource: 'binary', binaryProperty: 'photo' }],
			},
		},
		/Input Binary Field: the input item has no binary property "photo"/,
	],
	[
		'a binary that is not an image',
		{
			messages: {
				message: [{ role: 'user', content: 'x', imageSource: 'binary', binaryProperty: 'doc' }],
			},
		},
		/Input Binary Field: "doc" is application\/pdf, not an image the API accepts/,
		{ doc: true },
	],
];

describe('Chat node: bad input', () => {
	it.each(cases)('rejects %s before any request', async (...row) => {
		const [, parameters, message, binary] = row;
		const binaries = binary
			? [{ doc: { data: PDF, mimeType: 'application/pdf', fileName: 'a.pdf' } }]
			: undefined;
		const result = await bed.runNode(chatNode(parameters), [{}], { binaries });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(message);
		expect((result.error as { description?: string }).description).toBeTruthy();
		expect(bed.apiRequests()).toHaveLength(0);
	});

	it('throws a NodeOperationError (n8n keeps the class under continueOnFail, re-labels it otherwise)', async () => {
		const kept = await bed.runNode(
			chatNode({ messages: userMessages('x'), temperature: 3 }, continueOnFail),
		);
		expect(kept.output('Chat')[0].error?.name).toBe('NodeOperationError');
		const stopped = await bed.runNode(chatNode({ messages: userMessages('x'), temperature: 3 }));
		// RoutingNode wraps any rejected preSend in a NodeApiError; message and description stay ours.
		expect((stopped.error as { name?: string }).name).toBe('NodeApiError');
		expect(stopped.error?.message).toMatch(/^Temperature: must be between 0 and 2, got 3/);
		expect(bed.apiRequests()).toHaveLength(0);
	});

	it('with continueOnFail, fails only the bad item and answers the others', async () => {
		const result = await bed.runNode(
			chatNode({ messages: userMessages('q'), temperature: '={{ $json.t }}' }, continueOnFail),
			[{ t: 0.5 }, { t: 9 }, { t: 1.5 }],
		);
		expect(result.status).toBe('success');
		const output = result.output('Chat');
		expect(output).toHaveLength(3);
		expect(output[0].json.text).toBe('Echo: q');
		expect(itemError(output[1])?.message).toMatch(/^Temperature: must be between 0 and 2, got 9/);
		expect(output[2].json.text).toBe('Echo: q');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(
			bed
				.apiRequests()
				.map((r) => (r.body as { temperature: number }).temperature)
				.sort(),
		).toEqual([0.5, 1.5]);
	});
});

describe('Chat node: the credential Base URL', () => {
	it.each(['file:///etc/passwd', 'javascript:alert(1)', 'minitoolai.com'])(
		'refuses %s before any request',
		async (baseUrl) => {
			const result = await bed.runNode(chatNode({ messages: userMessages('x') }), [{}], {
				baseUrl,
			});
			expect(result.error?.message).toMatch(/^Base URL: ".*" is not an http\(s\) URL/);
			expect(bed.apiRequests()).toHaveLength(0);
		},
	);
});
