/** Chat node: every parameter reaches the wire as documented. */
import { CHAT_MODELS } from '../emulator';
import { TEST_KEY, chatNode, userMessages, useTestBed } from './setup';

const bed = useTestBed();

const PNG_1PX = Buffer.from(
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
	'base64',
);

describe('Chat node: the request on the wire', () => {
	it('posts the documented body with Bearer auth to /api/chat-completions/', async () => {
		const result = await bed.runNode(
			chatNode({
				model: 'gpt-4.1-mini',
				messages: userMessages('Hello there'),
				temperature: 0.2,
				maxCompletionTokens: 50,
			}),
		);
		expect(result.status).toBe('success');
		const [request] = bed.apiRequests();
		expect(bed.apiRequests()).toHaveLength(1);
		expect(request.method).toBe('POST');
		expect(request.path).toBe('/api/chat-completions/');
		expect(request.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
		expect(request.headers['content-type']).toContain('application/json');
		expect(request.body).toEqual({
			model: 'gpt-4.1-mini',
			messages: [{ role: 'user', content: 'Hello there' }],
			temperature: 0.2,
			max_completion_tokens: 50,
		});
	});

	it('tolerates a trailing slash in the credential Base URL', async () => {
		const result = await bed.runNode(chatNode({ messages: userMessages('Hi') }), [{}], {
			baseUrl: `${bed.emulator.baseUrl}//`,
		});
		expect(result.status).toBe('success');
		expect(bed.apiRequests()[0].path).toBe('/api/chat-completions/');
	});

	it('sends the documented defaults: temperature 1, max_completion_tokens 1000, model gpt-4o-mini', async () => {
		await bed.runNode(chatNode({ messages: userMessages('Hi') }));
		expect(bed.apiRequests()[0].body).toMatchObject({
			model: 'gpt-4o-mini',
			temperature: 1,
			max_completion_tokens: 1000,
		});
	});

	it.each(Object.keys(CHAT_MODELS))('reaches model %s', async (model) => {
		const result = await bed.runNode(chatNode({ model, messages: userMessages('Hi') }));
		expect(result.status).toBe('success');
		expect((bed.apiRequests()[0].body as { model: string }).model).toBe(model);
	});

	it('sends a model id given by an expression as is', async () => {
		await bed.runNode(chatNode({ model: '={{ $json.m }}', messages: userMessages('Hi') }), [
			{ m: 'gpt-4.1-nano' },
		]);
		expect((bed.apiRequests()[0].body as { model: string }).model).toBe('gpt-4.1-nano');
	});

	it('sends developer, user and assistant messages in order', async () => {
		const messages = {
			message: [
				{ role: 'developer', content: 'Be brief.' },
				{ role: 'user', content: 'Name a colour' },
				{ role: 'assistant', content: 'Blue' },
				{ role: 'user', content: 'Another' },
			],
		};
		const result = await bed.runNode(chatNode({ messages }));
		expect((bed.apiRequests()[0].body as { messages: unknown }).messages).toEqual(messages.message);
		expect(result.output('Chat')[0].json.text).toBe('Echo: Another');
	});

	it('sends an image URL with its detail as documented content parts', async () => {
		const messages = {
			message: [
				{
					role: 'user',
					content: "What's in this image?",
					imageSource: 'url',
					imageUrl: 'https://example.com/image.jpg',
					imageDetail: 'low',
				},
			],
		};
		await bed.runNode(chatNode({ messages }));
		expect((bed.apiRequests()[0].body as { messages: unknown }).messages).toEqual([
			{
				role: 'user',
				content: [
					{ type: 'text', text: "What's in this image?" },
					{ type: 'image_url', image_url: { url: 'https://example.com/image.jpg', detail: 'low' } },
				],
			},
		]);
	});

	it('sends a binary image of the input item inline as a data: URL', async () => {
		const messages = {
			message: [
				{ role: 'user', content: 'Describe', imageSource: 'binary', binaryProperty: 'photo' },
			],
		};
		const result = await bed.runNode(chatNode({ messages }), [{}], {
			binaries: [{ photo: { data: PNG_1PX, mimeType: 'image/png', fileName: 'dot.png' } }],
		});
		expect(result.status).toBe('success');
		const content = (
			bed.apiRequests()[0].body as {
				messages: Array<{ content: Array<{ image_url?: { url: string; detail: string } }> }>;
			}
		).messages[0].content;
		expect(content[1].image_url).toEqual({
			url: `data:image/png;base64,${PNG_1PX.toString('base64')}`,
			detail: 'auto',
		});
	});

	it('refuses a stored binary image over the 20 MiB inline cap before sending anything', async () => {
		const messages = {
			message: [
				{ role: 'user', content: 'Describe', imageSource: 'binary', binaryProperty: 'photo' },
			],
		};
		const big = Buffer.alloc(21 * 1024 * 1024, 1);
		const result = await bed.runNode(chatNode({ messages }), [{}], {
			binaries: [{ photo: { data: big, mimeType: 'image/png', fileName: 'big.png' } }],
		});
		expect(result.status).toBe('error');
		expect(result.error?.message).toBe(
			'Messages > message 1 > Input Binary Field: "photo" is 21.0 MiB; the node sends images up to 20 MiB inline',
		);
		expect(bed.apiRequests()).toEqual([]);
	});

	it('takes the whole messages array from JSON, as a string or an object with messages', async () => {
		const conversation = [
			{ role: 'developer', content: 'Be brief.' },
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'Look' },
					{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
				],
			},
		];
		await bed.runNode(chatNode({ inputMode: 'json', messagesJson: JSON.stringify(conversation) }));
		await bed.runNode(chatNode({ inputMode: 'json', messagesJson: '={{ $json.history }}' }), [
			{ history: { messages: conversation } },
		]);
		const [first, second] = bed.apiRequests();
		expect((first.body as { messages: unknown }).messages).toEqual(conversation);
		expect((second.body as { messages: unknown }).messages).toEqual(conversation);
	});

	it('resolves expressions per item: three items make three requests', async () => {
		const result = await bed.runNode(chatNode({ messages: userMessages('={{ $json.q }}') }), [
			{ q: 'one' },
			{ q: 'two' },
			{ q: 'three' },
		]);
		const sent = bed
			.apiRequests()
			.map((r) => (r.body as { messages: Array<{ content: string }> }).messages[0].content);
		expect(sent.sort()).toEqual(['one', 'three', 'two']);
		const output = result.output('Chat');
		expect(output.map((item) => item.json.text)).toEqual(['Echo: one', 'Echo: two', 'Echo: three']);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});
});
