/**
 * Reliability round 2: what a hostile server or a flaky network does beyond the fault catalogue.
 * Each block is one class of defect: the key never leaves the API's origin, no wait is unbounded,
 * no error is dressed as success, no paid job is lost, no key survives in part, one rule per fact.
 */
import {
	TEST_KEY,
	chatNode,
	continueOnFail,
	expectGaveUpAtMaxWait,
	expectNoKeyIn,
	imageNode,
	itemError,
	timed,
	userMessages,
	useTestBed,
} from './setup';

const bed = useTestBed({ jobDelayMs: 200 });

type ErrorShape = { message?: string; description?: string; httpCode?: string };
const chat = () => chatNode({ messages: userMessages('hello') });
const generate = (extra: Record<string, unknown> = {}) =>
	imageNode({ operation: 'generate', prompt: 'A cat', width: 256, height: 256, ...extra });
const imageHostRequests = () => bed.emulator.requests.filter((r) => r.server === 'image');
/** Fragments of the key: any 8 characters of it in a row. */
const keyFragments = () =>
	Array.from({ length: TEST_KEY.length - 7 }, (_, i) => TEST_KEY.slice(i, i + 8));

describe('the key never follows a redirect to another origin', () => {
	const redirectTo = (endpoint: 'chat' | 'submit' | 'job', status = 307) => {
		bed.emulator.setFault({
			endpoint,
			type: 'status',
			status,
			body: '',
			headers: { location: `${bed.emulator.imageBaseUrl}/stolen` },
		});
	};

	it.each([301, 302, 307, 308])('chat, HTTP %i: an error naming the target', async (status) => {
		redirectTo('chat', status);
		const result = await bed.runNode(chat());
		const error = result.error as ErrorShape;
		expect(error.message).toMatch(new RegExp(`HTTP ${status}`));
		expect(error.description).toContain(`redirected the request to ${bed.emulator.imageBaseUrl}`);
		expect(imageHostRequests()).toHaveLength(0);
		expectNoKeyIn(result);
	});

	it('image submit: not followed', async () => {
		redirectTo('submit');
		const result = await bed.runNode(generate());
		expect((result.error as ErrorShape).description).toContain(bed.emulator.imageBaseUrl);
		expect(imageHostRequests()).toHaveLength(0);
	});

	it('a job status check while polling: not followed', async () => {
		redirectTo('job');
		const result = await bed.runNode(generate());
		expect((result.error as ErrorShape).message).toMatch(
			/status check of job \d+ failed \(HTTP 307\)/,
		);
		expect(imageHostRequests()).toHaveLength(0);
	});

	it('Get Job: not followed', async () => {
		redirectTo('job');
		const node = imageNode({ operation: 'getJob', jobId: '12345678', signature: 'sig' });
		const result = await bed.runNode(node);
		expect((result.error as ErrorShape).message).toMatch(/HTTP 307/);
		expect(imageHostRequests()).toHaveLength(0);
	});
});

describe('errors that look like success are errors', () => {
	it.each([
		[
			'{"status":"error","message":…}',
			{ status: 'error', message: 'Model is overloaded' },
			'Model is overloaded',
		],
		['{"error":"…"}', { error: 'quota exceeded' }, 'quota exceeded'],
		[
			'a completion without choices',
			{ id: 'x', object: 'chat.completion', message: 'no capacity' },
			'no choices',
		],
	])('HTTP 200 with %s', async (_name, body, message) => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'status', status: 200, body });
		const result = await bed.runNode(chat(), [{}, {}], {});
		const error = result.error as ErrorShape;
		expect(error.message).toContain(message);
	});

	it('under Continue On Fail, only the failing item is an error', async () => {
		bed.emulator.setFault({
			endpoint: 'chat',
			type: 'status',
			status: 200,
			body: { status: 'error', message: 'Model is overloaded' },
			times: 1,
		});
		const result = await bed.runNode(
			chatNode({ messages: userMessages('hello') }, continueOnFail),
			[{}, {}],
		);
		const items = result.output('Chat');
		expect(items).toHaveLength(2);
		expect(items.filter((item) => itemError(item))).toHaveLength(1);
	});
});

describe('no part of the key survives a long server message', () => {
	const longBody = () => ({
		error: { message: `${'x'.repeat(290)} ${TEST_KEY} ${'y'.repeat(200)}` },
	});

	it.each([
		['chat', () => chat()],
		['submit', () => generate()],
	] as const)('%s', async (endpoint, node) => {
		bed.emulator.setFault({ endpoint, type: 'status', status: 500, body: longBody() });
		const result = await bed.runNode(node());
		const text = JSON.stringify(result.error) + result.executionData;
		for (const fragment of keyFragments()) expect(text).not.toContain(fragment);
	});
});

describe('a Retry-After longer than the node waits', () => {
	it('fails at once and says what the server asked for', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'rateLimit', retryAfter: 3600 });
		const result = await bed.runNode(chat());
		const error = result.error as ErrorShape;
		expect(error.httpCode).toBe('429');
		expect(error.description).toContain('wait 3600 s (Retry-After)');
		expect(bed.apiRequests()).toHaveLength(1);
	});
});

describe('Max Wait bounds the whole wait', () => {
	it.each([
		['a status request that never answers', { type: 'hang' }],
		['429s with a long Retry-After while polling', { type: 'rateLimit', retryAfter: 30 }],
		['status requests answered 2.5 s late', { type: 'slowFirstByte', ms: 2500 }],
	] as const)('%s', async (_label, fault) => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		bed.emulator.setFault({ endpoint: 'job', ...fault });
		const run = await timed(() => bed.runNode(generate({ options: { maxWaitSeconds: 2 } })));
		expect((run.result.error as ErrorShape).message).toMatch(/did not finish within 2 s/);
		const [job] = [...bed.emulator.jobs.values()];
		expectGaveUpAtMaxWait(run, job.submittedAt, 2000);
	});
});

describe('a paid job is never lost', () => {
	it('the Max Wait error carries the job ID and the signature, and says how to resume', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		const result = await bed.runNode(generate({ options: { maxWaitSeconds: 1 } }), [{}]);
		const [job] = [...bed.emulator.jobs.values()];
		const error = result.error as ErrorShape;
		expect(error.message).toContain(String(job.jobid));
		expect(error.message).toContain(job.signature);
		expect(error.description).toContain(
			`Get Job operation with Job ID ${job.jobid} and Signature ${job.signature}`,
		);
	});

	it('under Continue On Fail the error item carries both', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
		const node = imageNode(
			{ operation: 'generate', prompt: 'A cat', options: { maxWaitSeconds: 1 } },
			continueOnFail,
		);
		const result = await bed.runNode(node);
		const [job] = [...bed.emulator.jobs.values()];
		const error = itemError(result.output('Image')[0]);
		expect(`${error?.message} ${error?.description}`).toContain(job.signature);
	});
});

describe('a job endpoint that answers HTML', () => {
	const html = '<!doctype html><html><head><title>Sign in to Wi-Fi</title></head></html>';

	it('Generate says so instead of polling until Max Wait', async () => {
		bed.emulator.setFault({ endpoint: 'job', type: 'status', status: 200, body: html });
		const result = await bed.runNode(generate({ options: { maxWaitSeconds: 60 } }));
		expect((result.error as ErrorShape).message).toContain(
			'got an HTML page (Sign in to Wi-Fi) instead of JSON',
		);
		const polls = bed.apiRequests().filter((r) => r.path.startsWith('/api/texttoimage/jobs'));
		expect(polls).toHaveLength(3);
	});

	it('Get Job says so at once', async () => {
		bed.emulator.setFault({ endpoint: 'job', type: 'status', status: 200, body: html });
		const node = imageNode({ operation: 'getJob', jobId: '12345678', signature: 'sig' });
		const result = await bed.runNode(node);
		expect((result.error as ErrorShape).message).toContain('an HTML page (Sign in to Wi-Fi)');
	});

	it('a submission answered with HTML says so', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'status', status: 200, body: html });
		const result = await bed.runNode(generate());
		expect((result.error as ErrorShape).message).toContain(
			'answered the image job submission with an HTML page (Sign in to Wi-Fi)',
		);
	});
});

describe('one rule per fact', () => {
	const PNG_1PX = Buffer.from(
		'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
		'base64',
	);

	it('an image/jpg binary is read as image/jpeg, as the Chat Model reads it', async () => {
		const messages = {
			message: [{ role: 'user', content: 'Describe', imageSource: 'binary', binaryProperty: 'p' }],
		};
		const result = await bed.runNode(chatNode({ messages }), [{}], {
			binaries: [{ p: { data: PNG_1PX, mimeType: 'image/jpg', fileName: 'p.jpg' } }],
		});
		expect(result.status).toBe('success');
		expect(bed.apiRequests()[0].rawBody).toContain('data:image/jpeg;base64,');
	});

	it('Submit Job refuses a job id that Get Job would refuse', async () => {
		bed.emulator.setFault({
			endpoint: 'submit',
			type: 'status',
			status: 200,
			body: { status: 'success', jobid: 'abc', signature: 'sig' },
		});
		const result = await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'A cat' }));
		expect((result.error as ErrorShape).message).toContain('job id "abc"');
	});

	it('a Base URL with spaces around it works like the trimmed one', async () => {
		const result = await bed.runNode(chat(), [{}], { baseUrl: `  ${bed.emulator.baseUrl}/  ` });
		expect(result.status).toBe('success');
		expect(bed.apiRequests()).toHaveLength(1);
	});
});

describe('streams that misbehave end, bounded by Request Options > Timeout', () => {
	const withTimeout = (ms: number) =>
		chatNode({ messages: userMessages('hello'), requestOptions: { timeout: ms } });

	it('a stream that goes silent: the stall surfaces as an error', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'stall', afterChunks: 1 });
		const result = await bed.runNode(withTimeout(1500));
		expect((result.error as ErrorShape).message).toMatch(
			/broke off .*stalled: nothing arrived for 1\.5 s/,
		);
	});

	it('a server that keeps the connection open after [DONE]: the complete answer is used', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'holdOpen' });
		const result = await bed.runNode(withTimeout(60_000));
		expect(result.status).toBe('success');
		expect(result.output('Chat')[0].json.text).toBe('Echo: hello');
	});

	it('an `event: error` frame is an error, not an empty reply', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'errorEvent', message: 'upstream fell over' });
		const result = await bed.runNode(chat());
		expect((result.error as ErrorShape).message).toBe(
			'MiniToolAI reported an error: upstream fell over',
		);
	});

	it('a 200 error body is an error', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'errorBody' });
		const result = await bed.runNode(chat());
		expect((result.error as ErrorShape).message).toContain('Model is overloaded (emulated)');
	});

	it('multi-line data events are read as one event each', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'multilineData' });
		const result = await bed.runNode(chat());
		expect(result.output('Chat')[0].json.text).toBe('Echo: hello');
	});

	it('one endless line: refused at the line limit, not buffered whole', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'longLine', bytes: 8 * 1024 * 1024 });
		const result = await bed.runNode(withTimeout(60_000));
		expect((result.error as ErrorShape).message).toContain(
			'refused: one line of the event stream is longer than 1 MiB',
		);
	});

	it('a server that echoes the key in a long message: no part of it survives', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'echoKey', status: 400 });
		const result = await bed.runNode(chat());
		const text = JSON.stringify(result.error) + result.executionData;
		for (const fragment of keyFragments()) expect(text).not.toContain(fragment);
	});
});

describe('the image download is bounded', () => {
	const download = (extra: Record<string, unknown> = {}) =>
		generate({ downloadImage: true, ...extra });

	it('an image larger than the cap is refused, naming the cap', async () => {
		bed.emulator.setFault({ endpoint: 'image', type: 'hugeImage', bytes: 300 * 1024 * 1024 });
		const result = await bed.runNode(download());
		expect((result.error as ErrorShape).message).toContain('up to 50 MiB');
	});

	it('a download that stalls ends at the time limit', async () => {
		bed.emulator.setFault({ endpoint: 'image', type: 'slowImage', stall: true });
		const result = await bed.runNode(download({ requestOptions: { timeout: 1500 } }));
		expect((result.error as ErrorShape).message).toContain('took longer than 1.5 s');
	});

	it('the redirect of an API answer is not followed, and neither is the key', async () => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'redirect' });
		const result = await bed.runNode(chat());
		expect((result.error as ErrorShape).message).toMatch(/HTTP 307/);
		expect(imageHostRequests()).toHaveLength(0);
	});
});
