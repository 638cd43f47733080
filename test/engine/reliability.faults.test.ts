/**
 * Fault catalogue against the emulator, both nodes, one table. Every case runs 3 items with
 * continueOnFail on, and the fault hits only the middle item (its API key is VICTIM_KEY and the
 * fault is limited to that key; image-host faults reach only the item that downloads). Checked
 * for each: the outcome (recovered, or the error and its message), 3 items out with pairedItem
 * 0,1,2 and the error only on the victim, the exact number of requests the emulator saw (no
 * duplicate chats or submits beyond the documented retries), and that no key leaked (outputs,
 * errors, execution data, requests to the image host). The outcomes are printed as a table.
 */
import { forgetJobDurations } from '../../nodes/MiniToolAiTextToImage/jobStatus';
import { forgetLimits } from '../../nodes/shared/transport/adaptiveLimit';
import { MAX_RATE_LIMIT_RETRIES } from '../../nodes/shared/transport/rateLimit';
import {
	sleep,
	type IDataObject,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';

import type { Fault, RecordedRequest } from '../emulator';
import type { RunResult } from '../harness';
import {
	THREE_ITEMS,
	VICTIM_INDEX,
	VICTIM_KEY,
	apiKeyFor,
	clip,
	errorOf,
	expectNoSecretsLeaked,
	expectPaired,
	requestsSince,
} from './reliability.cases';
import {
	EMPTY_BALANCE_KEY,
	TEST_KEY,
	chatNode,
	continueOnFail,
	imageNode,
	startTestBed,
	type TestBed,
} from './setup';

const JOB_DELAY_MS = 50;
let bed: TestBed;
beforeAll(async () => {
	bed = await startTestBed({ jobDelayMs: JOB_DELAY_MS });
	bed.emulator.configure({ keys: { [VICTIM_KEY]: 100 } });
});
afterAll(async () => await bed.close());
beforeEach(() => {
	bed.emulator.reset();
	forgetLimits();
	forgetJobDurations();
});

const WRONG_KEY = ['emu', 'key', 'revoked', '0b9d'].join('-');
const CLOSED_PORT_URL = 'http://127.0.0.1:9';
const HTML_PAGE =
	'<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>nginx</h1></body></html>';

interface FaultCase {
	node: 'chat' | 'image';
	name: string;
	/** Faults, usually limited to the victim's key. */
	faults?: Fault[];
	/** The victim's API key (default VICTIM_KEY). */
	victimKey?: string;
	/** Extra node parameters. */
	params?: INodeParameters;
	baseUrl?: string;
	/** Items other than THREE_ITEMS (Get Job cases build theirs). */
	prepare?: () => Promise<IDataObject[]>;
	/** Undefined: the victim recovered. Otherwise its error message. */
	error?: RegExp;
	/** The fault is not per item: every item fails with `error`. */
	allItemsFail?: boolean;
	/** Exact API requests of the run, or [min, max]. */
	api: number | [number, number];
	image?: number;
	/** Chat requests / submits made for the victim item (default 1). */
	victimSends?: number;
	/** Extra checks on the victim's item and the requests. */
	check?: (victim: INodeExecutionData, requests: RecordedRequest[]) => void;
	/** Wait after the run (a slow answer the client gave up on is still being processed). */
	settleMs?: number;
	/**
	 * The first request of a run is made by n8n's RoutingNode, so a transport failure there (refused,
	 * timeout) carries n8n's own message and no description; the node's hints never get a say.
	 */
	n8nWorded?: boolean;
}

const chatParams: INodeParameters = {
	messages: { message: [{ role: 'user', content: '={{ $json.q }}' }] },
};
const imageParams: INodeParameters = {
	operation: 'generate',
	prompt: '={{ $json.q }}',
	width: 256,
	height: 256,
	options: { maxWaitSeconds: 5 },
};
const victimOnly = (fault: Fault): Fault => ({ key: VICTIM_KEY, ...fault }) as Fault;
const status = (endpoint: Fault['endpoint'], code: number, extra: object = {}): Fault =>
	victimOnly({ endpoint, type: 'status', status: code, ...extra } as Fault);

/** Two good image items cost one submit and one poll each (a 50 ms job is done at the first poll). */
const GOOD_IMAGE_REQUESTS = 4;
const GOOD_CHAT_REQUESTS = 2;

/**
 * One case: `[name, cause, error, api requests, more?]`. The cause is the case's setup (faults,
 * victim key, Base URL, items); `error` undefined means the victim recovered.
 */
type FaultRow = [
	name: string,
	cause: Partial<FaultCase>,
	error: RegExp | undefined,
	api: FaultCase['api'],
	more?: Partial<FaultCase>,
];
const rowsOf = (node: FaultCase['node'], rows: FaultRow[]): FaultCase[] =>
	rows.map(([name, cause, error, api, more]) => ({ node, name, ...cause, error, api, ...more }));

/** Causes: the given faults (or one, on the victim's key only); the victim's key; a closed port. */
const on = (...faults: Fault[]): Partial<FaultCase> => ({ faults });
const onVictim = (fault: Fault): Partial<FaultCase> => on(victimOnly(fault));
const key = (victimKey: string): Partial<FaultCase> => ({ victimKey });
const closedPort: Partial<FaultCase> = { baseUrl: CLOSED_PORT_URL };
const recovered = undefined;
/** Outcome details shared by several cases. */
const retriedOnce: Partial<FaultCase> = {
	victimSends: 2,
	check: (_victim, requests) => expectRetryGap(requests, 1000),
};
const allFailInN8nWords: Partial<FaultCase> = { allItemsFail: true, n8nWorded: true };
const victimAborted = (_victim: INodeExecutionData, requests: RecordedRequest[]) =>
	expect(victimRequests(requests)[0].aborted).toBe(true);
const timeout400: INodeParameters = { requestOptions: { timeout: 400 } };
const REFUSED = /^The service refused the connection - perhaps it is offline$/;
const ABORTED = /^The connection was aborted, perhaps the server is offline$/;
const rateLimit = (endpoint: Fault['endpoint'], retryAfter: number | null, times?: number) =>
	victimOnly({ endpoint, type: 'rateLimit', retryAfter, ...(times ? { times } : {}) } as Fault);
const SERVER_ERRORS = [500, 502, 503, 504];

const chatCases: FaultCase[] = rowsOf('chat', [
	['401 invalid key', key(WRONG_KEY), /HTTP 401\): Invalid or missing API key/, 3],
	['402 empty balance', key(EMPTY_BALANCE_KEY), /HTTP 402\): Insufficient credit balance/, 3],
	['403 forbidden', on(status('chat', 403)), /HTTP 403\): Forbidden \(emulated\)/, 3],
	['404 not found', on(status('chat', 404)), /HTTP 404\): Not Found \(emulated\)/, 3],
	['429 once, Retry-After: 1', on(rateLimit('chat', 1, 1)), recovered, 4, retriedOnce],
	['429 once, no Retry-After (backoff)', on(rateLimit('chat', null, 1)), recovered, 4, retriedOnce],
	[
		'429 forever',
		on(rateLimit('chat', 0)),
		/HTTP 429\): Rate limit exceeded/,
		GOOD_CHAT_REQUESTS + MAX_RATE_LIMIT_RETRIES + 1,
		{
			victimSends: MAX_RATE_LIMIT_RETRIES + 1,
			check: (victim) => expect(errorOf(victim)?.description).toMatch(/already retried/),
		},
	],
	...SERVER_ERRORS.map(
		(code): FaultRow => [
			`${code}`,
			on(status('chat', code)),
			new RegExp(`HTTP ${code}\\): .*\\(emulated\\)`),
			3,
			{ check: (victim) => expect(errorOf(victim)?.description).toMatch(/problem on its side/) },
		],
	),
	[
		'HTML error page (502)',
		on(status('chat', 502, { body: HTML_PAGE })),
		/^MiniToolAI chat request failed \(HTTP 502\): 502 Bad Gateway$/,
		3,
	],
	['connection refused (Base URL, all items)', closedPort, REFUSED, 0, allFailInN8nWords],
	[
		'reset mid-stream (drop)',
		onVictim({ endpoint: 'chat', type: 'drop', afterChunks: 1 }),
		/broke off|ended early/,
		3,
		{ check: victimAborted },
	],
	[
		'stream without [DONE] or usage',
		onVictim({ endpoint: 'chat', type: 'noUsage' }),
		recovered,
		3,
		{
			check: (victim) => {
				expect(victim.json.text).toBe('Echo: second');
				expect(victim.json.usage).toBeNull();
				expect(victim.json.costUsd).toBeNull();
			},
		},
	],
	[
		'garbage lines in the stream',
		onVictim({ endpoint: 'chat', type: 'malformed' }),
		recovered,
		3,
		{ check: (victim) => expect(victim.json.usage).toMatchObject({ completionTokens: 2 }) },
	],
	[
		'error object inside the stream',
		onVictim({ endpoint: 'chat', type: 'streamError', message: 'model overloaded' }),
		/^MiniToolAI reported an error: model overloaded$/,
		3,
	],
	['JSON answer instead of a stream', onVictim({ endpoint: 'chat', type: 'json' }), recovered, 3],
	[
		'slow first byte beyond the timeout',
		{
			params: timeout400,
			...onVictim({ endpoint: 'chat', type: 'slowFirstByte', ms: 1200 }),
		},
		ABORTED,
		3,
		{ settleMs: 900, n8nWorded: true, check: victimAborted },
	],
	[
		'no answer at all (hang) beyond the timeout',
		{ params: timeout400, ...onVictim({ endpoint: 'chat', type: 'hang' }) },
		ABORTED,
		3,
		{ n8nWorded: true, settleMs: 200, check: victimAborted },
	],
]);

const downloadVictim: INodeParameters = { downloadImage: '={{ !!$json.victim }}' };

const imageCases: FaultCase[] = rowsOf('image', [
	['401 invalid key', key(WRONG_KEY), /HTTP 401\): Invalid or missing API key/, 5],
	['402 empty balance', key(EMPTY_BALANCE_KEY), /HTTP 402\): Insufficient credit balance/, 5],
	['403 forbidden', on(status('submit', 403)), /HTTP 403\)/, 5],
	['404 not found', on(status('submit', 404)), /HTTP 404\)/, 5],
	['429 once, Retry-After: 1', on(rateLimit('submit', 1, 1)), recovered, 7, retriedOnce],
	[
		'429 once, no Retry-After (backoff)',
		on(rateLimit('submit', null, 1)),
		recovered,
		7,
		retriedOnce,
	],
	[
		'429 forever',
		on(rateLimit('submit', 0)),
		/HTTP 429\): Rate limit exceeded/,
		GOOD_IMAGE_REQUESTS + MAX_RATE_LIMIT_RETRIES + 1,
		{ victimSends: MAX_RATE_LIMIT_RETRIES + 1 },
	],
	...SERVER_ERRORS.map(
		(code): FaultRow => [
			`${code} on submit`,
			on(status('submit', code)),
			new RegExp(`image job submission failed \\(HTTP ${code}\\)`),
			5,
		],
	),
	[
		'HTML error page (502) on submit',
		on(status('submit', 502, { body: HTML_PAGE })),
		/^MiniToolAI image job submission failed \(HTTP 502\): 502 Bad Gateway$/,
		5,
	],
	['503 once while polling', on(status('job', 503, { times: 1 })), recovered, 7],
	[
		'503 forever while polling',
		on(status('job', 503)),
		/status check of job \d+ failed \(HTTP 503\)/,
		GOOD_IMAGE_REQUESTS + 1 + 3,
	],
	['connection refused (Base URL, all items)', closedPort, REFUSED, 0, allFailInN8nWords],
	[
		'slow first byte beyond the timeout',
		{
			params: timeout400,
			...onVictim({ endpoint: 'submit', type: 'slowFirstByte', ms: 1200 }),
		},
		ABORTED,
		5,
		{ settleMs: 900, n8nWorded: true, check: victimAborted },
	],
	[
		'submit refused (status "error")',
		onVictim({ endpoint: 'submit', type: 'submitError' }),
		/did not accept the image job \(status "error"\)/,
		5,
	],
	[
		'job status failed',
		onVictim({ endpoint: 'submit', type: 'jobFailed', message: 'NSFW content detected' }),
		/^Image job \d+ failed: failed \(NSFW content detected\)$/,
		6,
	],
	[
		'job never finishes (max wait 2 s)',
		{
			params: { options: { maxWaitSeconds: 2 } },
			...onVictim({ endpoint: 'submit', type: 'jobNever' }),
		},
		/^Image job \d+ did not finish within 2 s \(last status: processing/,
		// 0.5 s, 1.25 s, then the wait is cut to what remains of the 2 s: 3 polls (4 on a slow box);
		// once the other two jobs of its kind have finished, it checks densely around the time they
		// took, then on the fixed back-off again: a few more, never more than one per 200 ms.
		[GOOD_IMAGE_REQUESTS + 1 + 2, GOOD_IMAGE_REQUESTS + 1 + 10],
	],
	[
		'Get Job with an unknown job ID',
		{ prepare: async () => await jobItems((job) => ({ ...job, jobId: '10000001' })) },
		/^Image job 10000001 failed: error \(Job not found\)$/,
		3,
		{ victimSends: 0 },
	],
	[
		'Get Job with a wrong signature',
		{
			prepare: async () =>
				await jobItems((job) => ({ ...job, signature: `${String(job.signature)}x` })),
		},
		/^Image job \d+ failed: error \(Invalid signature\)$/,
		3,
		{ victimSends: 0 },
	],
	[
		'image URL answers 404 (download on)',
		{ params: downloadVictim, ...on({ endpoint: 'image', type: 'status', status: 404 }) },
		/^Could not download the image of job \d+: the image host answered HTTP 404$/,
		6,
		{
			image: 1,
			check: (victim) => expect(errorOf(victim)?.description).toMatch(/\/images\/\d+\.png/),
		},
	],
	[
		'image URL sends non-image bytes (download on)',
		{ params: downloadVictim, ...on({ endpoint: 'image', type: 'notImage' }) },
		/^Could not download the image of job \d+: the image host sent text\/html, not an image$/,
		6,
		{ image: 1 },
	],
]);

// ---- Helpers -----------------------------------------------------------------------------------

const bearer = (request: RecordedRequest) => String(request.headers.authorization ?? '');
const isSend = (request: RecordedRequest) =>
	request.path.startsWith('/api/chat-completions') || /^\/api\/texttoimage\/?$/.test(request.path);
/** The victim's chats or submits (identified by the content it sends). */
function victimRequests(requests: RecordedRequest[]): RecordedRequest[] {
	return requests.filter((r) => isSend(r) && JSON.stringify(r.body).includes('"second"'));
}

function expectRetryGap(requests: RecordedRequest[], minMs: number): void {
	const [limited, retried] = victimRequests(requests);
	expect(limited.status).toBe(429);
	expect(retried.status).toBe(200);
	expect(retried.startedAt - limited.startedAt).toBeGreaterThanOrEqual(minMs);
	expect(retried.body).toEqual(limited.body);
}

/** Submits 3 jobs and waits until they are done; returns Get Job items, the middle one altered. */
async function jobItems(alter: (job: IDataObject) => IDataObject): Promise<IDataObject[]> {
	const submitted = await bed.runNode(
		imageNode({ operation: 'submitJob', prompt: '={{ $json.q }}', width: 256, height: 256 }),
		THREE_ITEMS,
	);
	expect(submitted.status).toBe('success');
	await sleep(JOB_DELAY_MS + 50);
	return submitted.output('Image').map((item, index) => {
		const job = { q: THREE_ITEMS[index].q, jobId: item.json.jobId, signature: item.json.signature };
		return index === VICTIM_INDEX ? { ...alter(job), victim: true } : job;
	});
}

function expectGoodItem(c: FaultCase, item: INodeExecutionData, q: string): void {
	expect(item.error).toBeUndefined();
	if (c.node === 'chat') {
		expect(item.json.text).toBe(`Echo: ${q}`);
		return;
	}
	if (c.prepare) {
		expect(item.json).toMatchObject({ done: true, status: 'success' });
		return;
	}
	expect(item.json.prompt).toBe(q);
	const job = bed.emulator.jobs.get(String(item.json.jobId));
	expect(job?.body.prompt).toBe(q);
	expect(item.json.imageUrl).toBe(`${bed.emulator.imageBaseUrl}/images/${job?.jobid}.png`);
}

/** No duplicate chats or submits: each item sent once, the victim as many times as documented. */
function expectNoDuplicates(c: FaultCase, requests: RecordedRequest[]): void {
	const sends = requests.filter(isSend);
	THREE_ITEMS.forEach(({ q }, index) => {
		const count = sends.filter((r) => JSON.stringify(r.body).includes(`"${q}"`)).length;
		const expected =
			c.baseUrl !== undefined
				? 0
				: index === VICTIM_INDEX
					? (c.victimSends ?? 1)
					: c.prepare
						? 0
						: 1;
		expect(count).toBe(expected);
	});
	if (c.node === 'image' && !c.prepare) {
		for (const { q } of THREE_ITEMS) {
			const jobs = [...bed.emulator.jobs.values()].filter((job) => job.body.prompt === q);
			expect(jobs.length).toBeLessThanOrEqual(1);
		}
	}
}

interface Outcome {
	node: string;
	fault: string;
	outcome: string;
	api: number;
	image: number;
}
const outcomes: Outcome[] = [];

function describeOutcome(c: FaultCase, output: INodeExecutionData[]): string {
	const victim = output[VICTIM_INDEX];
	const error = errorOf(victim);
	if (!error) return 'recovered';
	const where = c.allItemsFail ? 'all 3 items' : `item ${VICTIM_INDEX} only`;
	const note = c.n8nWorded ? " [n8n's wording, no hint]" : '';
	return `error on ${where}${note}: ${error.message}`;
}

async function runCase(c: FaultCase): Promise<void> {
	const items: IDataObject[] = c.prepare ? await c.prepare() : THREE_ITEMS;
	const mark = bed.emulator.requests.length;
	for (const fault of c.faults ?? []) bed.emulator.setFault(fault);
	const parameters = { ...(c.node === 'chat' ? chatParams : imageParams), ...(c.params ?? {}) };
	const getJobParams: INodeParameters = {
		operation: 'getJob',
		jobId: '={{ $json.jobId }}',
		signature: '={{ $json.signature }}',
	};
	const node =
		c.node === 'chat'
			? chatNode(parameters, continueOnFail)
			: imageNode(c.prepare ? getJobParams : parameters, continueOnFail);
	const result: RunResult = await bed.runNode(node, items, {
		apiKey: apiKeyFor(c.victimKey ?? VICTIM_KEY),
		baseUrl: c.baseUrl,
	});
	if (c.settleMs) await sleep(c.settleMs);
	const requests = requestsSince(bed, mark);
	const name = c.node === 'chat' ? 'Chat' : 'Image';
	const output = result.output(name);

	// Nothing lost or duplicated: 3 in, 3 out, in order.
	expect(result.status).toBe('success');
	expectPaired(output, 3);
	output.forEach((item, index) => {
		const failed = c.allItemsFail || (index === VICTIM_INDEX && c.error !== undefined);
		if (!failed) {
			expectGoodItem(c, item, THREE_ITEMS[index].q);
			return;
		}
		const error = errorOf(item);
		expect(error?.message).toMatch(c.error as RegExp);
		if (!c.n8nWorded) expect(error?.description).toBeTruthy();
	});
	if (c.check) c.check(output[VICTIM_INDEX], requests);

	// The emulator saw exactly what was expected.
	const api = requests.filter((r) => r.server === 'api');
	const image = requests.filter((r) => r.server === 'image');
	if (typeof c.api === 'number') expect(api).toHaveLength(c.api);
	else {
		expect(api.length).toBeGreaterThanOrEqual(c.api[0]);
		expect(api.length).toBeLessThanOrEqual(c.api[1]);
	}
	expect(image).toHaveLength(c.image ?? 0);
	expectNoDuplicates(c, requests);
	// Each item used its own key; the key only ever went to the API.
	for (const request of api)
		expect([TEST_KEY, c.victimKey ?? VICTIM_KEY].map((k) => `Bearer ${k}`)).toContain(
			bearer(request),
		);
	expectNoSecretsLeaked(result, requests, [TEST_KEY, c.victimKey ?? VICTIM_KEY, VICTIM_KEY]);

	outcomes.push({
		node: c.node,
		fault: c.name,
		outcome: describeOutcome(c, output),
		api: api.length,
		image: image.length,
	});
}

describe('Fault catalogue (3 items, the fault on one, continueOnFail on)', () => {
	afterAll(() => {
		const width = Math.max(...outcomes.map((o) => o.fault.length));
		const lines = outcomes.map(
			(o) =>
				`${o.node.padEnd(5)} | ${o.fault.padEnd(width)} | ${String(o.api).padStart(3)} | ${String(o.image).padStart(3)} | ${clip(o.outcome)}`,
		);
		// eslint-disable-next-line no-console
		console.log(
			[
				`Fault catalogue: ${outcomes.length} faults tried (${chatCases.length} chat, ${imageCases.length} image); nothing lost or duplicated`,
				`${'node'.padEnd(5)} | ${'fault'.padEnd(width)} | api | img | outcome`,
				...lines,
			].join('\n'),
		);
	});

	it.each(chatCases.map((c): [string, FaultCase] => [c.name, c]))('chat: %s', async (_name, c) => {
		await runCase(c);
	});

	it.each(imageCases.map((c): [string, FaultCase] => [c.name, c]))(
		'image: %s',
		async (_name, c) => {
			await runCase(c);
		},
	);
});
