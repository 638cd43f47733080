/** Chat node: API failures become NodeApiErrors with the server's message, the status and a hint. */
import { MAX_RATE_LIMIT_RETRIES } from '../../nodes/shared/transport/rateLimit';
import {
	EMPTY_BALANCE_KEY,
	TEST_KEY,
	chatNode,
	continueOnFail,
	expectNoKeyIn,
	itemError,
	userMessages,
	useTestBed,
} from './setup';

const bed = useTestBed();

const node = () => chatNode({ messages: userMessages('hello') });
type ErrorShape = { name?: string; message?: string; description?: string; httpCode?: string };

describe('Chat node: HTTP errors', () => {
	it('401: names the credential to fix', async () => {
		const result = await bed.runNode(node(), [{}], { apiKey: 'emu-key-wrong' });
		const error = result.error as ErrorShape;
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('401');
		expect(error.message).toBe(
			'MiniToolAI chat request failed (HTTP 401): Invalid or missing API key',
		);
		expect(error.description).toMatch(/Check the API key in the MiniToolAI API credential/);
	});

	it('402 for an empty balance: says to top up', async () => {
		const result = await bed.runNode(node(), [{}], { apiKey: EMPTY_BALANCE_KEY });
		const error = result.error as ErrorShape;
		expect(error.httpCode).toBe('402');
		expect(error.message).toMatch(/HTTP 402\): Insufficient credit balance/);
		expect(error.description).toMatch(/top it up/);
	});

	it.each([500, 502, 503, 504])(
		'%i: keeps the server message and suggests trying later',
		async (status) => {
			bed.emulator.setFault({
				endpoint: 'chat',
				type: 'status',
				status,
				body: { error: { message: `upstream said ${status}` } },
			});
			const result = await bed.runNode(node());
			const error = result.error as ErrorShape;
			expect(error.httpCode).toBe(String(status));
			expect(error.message).toBe(
				`MiniToolAI chat request failed (HTTP ${status}): upstream said ${status}`,
			);
			expect(error.description).toMatch(/problem on its side/);
			expect(bed.apiRequests()).toHaveLength(1);
		},
	);

	it('an HTML error page: the page title becomes the message', async () => {
		bed.emulator.setFault({
			endpoint: 'chat',
			type: 'status',
			status: 502,
			body: '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>',
		});
		const result = await bed.runNode(node());
		expect(result.error?.message).toBe(
			'MiniToolAI chat request failed (HTTP 502): 502 Bad Gateway',
		);
	});

	it('a 400 from the server for an undocumented model id is shown with its message', async () => {
		const result = await bed.runNode(
			chatNode({ model: '={{ "gpt-5" }}', messages: userMessages('x') }),
		);
		expect((bed.apiRequests()[0].body as { model: string }).model).toBe('gpt-5');
		expect((result.error as ErrorShape).httpCode).toBe('400');
		expect(result.error?.message).toMatch(/^MiniToolAI chat request failed \(HTTP 400\): .*model/);
	});

	it('429 once: waits for Retry-After and succeeds on the second request', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'rateLimit', retryAfter: 1, times: 1 });
		const result = await bed.runNode(node());
		expect(result.output('Chat')[0].json.text).toBe('Echo: hello');
		const [limited, retried] = bed.apiRequests();
		expect(limited.status).toBe(429);
		expect(retried.status).toBe(200);
		expect(retried.startedAt - limited.startedAt).toBeGreaterThanOrEqual(1000);
		expect(retried.body).toEqual(limited.body);
	});

	it('429 that never ends: retried a bounded number of times, then a clear error', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'rateLimit', retryAfter: 0 });
		const result = await bed.runNode(node());
		const error = result.error as ErrorShape;
		expect(error.httpCode).toBe('429');
		expect(error.description).toMatch(/rate limiting and the node already retried/);
		expect(bed.apiRequests()).toHaveLength(MAX_RATE_LIMIT_RETRIES + 1);
	});

	it("connection refused: n8n's own message for an unreachable service", async () => {
		// The first request is made by n8n's RoutingNode, which words this error itself.
		const result = await bed.runNode(node(), [{}], { baseUrl: 'http://127.0.0.1:9' });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/refused the connection/);
	});

	it('with continueOnFail, only the failing item carries the error', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'status', status: 500, times: 1 });
		const result = await bed.runNode(
			chatNode({ messages: userMessages('={{ $json.q }}') }, continueOnFail),
			[{ q: 'a' }],
		);
		expect(itemError(result.output('Chat')[0])?.message).toMatch(/HTTP 500/);
		const second = await bed.runNode(
			chatNode({ messages: userMessages('={{ $json.q }}') }, continueOnFail),
			[{ q: 'a' }, { q: 'b' }],
		);
		expect(second.output('Chat').map((item) => item.json.text)).toEqual(['Echo: a', 'Echo: b']);
	});
});

describe('Chat node: broken streams', () => {
	it('an error object inside the stream becomes an error with its message', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'streamError', message: 'model overloaded' });
		const result = await bed.runNode(node());
		expect(result.error?.message).toBe('MiniToolAI reported an error: model overloaded');
	});

	it('a connection dropped mid-stream is an error, not a truncated answer', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'drop', afterChunks: 1 });
		const result = await bed.runNode(chatNode({ messages: userMessages('one two three four') }));
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/broke off|ended early/);
		expect(result.output('Chat')).toEqual([]);
	});
});

describe('Chat node: the API key stays secret', () => {
	it('never appears in outputs, errors or execution data, even when the server echoes it', async () => {
		bed.emulator.setFault({
			endpoint: 'chat',
			type: 'status',
			status: 400,
			body: { error: { message: `key ${TEST_KEY} is not allowed for this model` } },
		});
		const failed = await bed.runNode(node());
		expect(failed.error?.message).toContain('key *** is not allowed');
		expectNoKeyIn(failed);
		const ok = await bed.runNode(node());
		expectNoKeyIn(ok);
	});
});
