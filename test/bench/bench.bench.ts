/**
 * `npm run bench`: what the nodes cost, against raw HTTP and against n8n's HTTP Request node.
 * Prints one markdown table (also bench-out/results.md, raw figures in bench-out/results.json)
 * and a chart (bench-out/scaling.svg). Nothing here is a timed test: the only assertion is that
 * the bench produced its report. See test/bench/README.md for what each figure means.
 */
import { MiniToolAiApi } from '../../credentials/MiniToolAiApi.credentials';
import { MiniToolAiChat } from '../../nodes/MiniToolAiChat/MiniToolAiChat.node';
import { MiniToolAiTextToImage } from '../../nodes/MiniToolAiTextToImage/MiniToolAiTextToImage.node';
import {
	limitFor,
	type AdaptiveLimit,
	type Slot,
} from '../../nodes/shared/transport/adaptiveLimit';
import { ChatStreamParser, MAX_SSE_LINE_BYTES } from '../../nodes/shared/chat/chatStream';
import { Expression } from 'n8n-workflow';
import { IMAGE_MODELS, startEmulator, type Emulator } from '../emulator';
import { chain, createEngine, itemsNode, manualTrigger } from '../harness';
import { chatNode, imageNode } from '../engine/setup';
import { DeclarativeFloor } from './floorNode';
import { loadHttpRequestNode } from './hostNodes';
import { httpChatParameters } from './n8nRun';
import { fixedPollImage, rawChatBatch } from './raw';
import { runRealN8n, type RealN8nResults } from './realN8n';
import { runSpike } from './realSpike';
import { runWorkers } from './realQueue';
import { startRemoteEmulator, type RemoteEmulator } from './remoteEmulator';
import { buildReport, type BenchResults, type RateServerPlace, type Row } from './report';
import { machineInfo, print, selectedMeasurements, writeOut } from './util';

const KEY = 'bench-key';
const LATENCY_MS = 50;
const CHAT_SIZES = [1, 10, 100];
const CHAT_REPS = 10;
const RATE_ITEMS = 200;
const RATE_LIMITS = [5, 10, 20];
const RATE_REPS = 3;
/** Median job times; each job's own time varies around it (the emulator's jobTimes defaults). */
const IMAGE_DURATIONS_MS = [2_000, 10_000, 30_000, 60_000];
const IMAGE_JOB_TIMES = {};
const IMAGE_JOBS_EACH = 6;
/** Runs after the first one, when the node has seen jobs of the kind. */
const IMAGE_LATER_RUNS = 3;
/** Above the slowest simulated job (twice a 60 s median, and its spread). */
const IMAGE_MAX_WAIT_S = 300;
const MAX_WAIT_S = 3;
const MAX_WAIT_REPS = 3;
const FIXED_POLL_MS = 5_000;
const PARSER_SIZES = [100 * 1024, 1024 * 1024, 10 * 1024 * 1024];
const PARSER_CHUNK = 16 * 1024;
const REAL_CHAT_ITEMS = 20;
const REAL_CHAT_REPS = 3;
const REAL_IMAGES = 50;
const REAL_MEM_REPS = 2;
/** Measurement 9: queue-mode workers sharing one key against a server that allows K at once. */
const WORKER_COUNTS = [1, 2, 4];
const WORKERS_K = 10;
const WORKERS_LOAD = { chatExecs: 4, chatItems: 50, imageExecs: 4, imageItems: 10 };
/** Chat answers of about 1.1 s: ~37 SSE events 30 ms apart (the echo of a 33-word prompt). */
const WORKERS_EMULATOR = {
	latencyMs: LATENCY_MS,
	tokenDelayMs: 30,
	jobDelayMs: 3_000,
	retryAfterSeconds: 1,
};
const WORKERS_PROMPT_WORDS = 28;
/** Spike and Waves: conversations at a real n8n server, the emulator at K requests at once. */
const SPIKE = {
	conversations: 200,
	windowMs: 1_000,
	waves: 3,
	serverLimit: 10,
	answerTimes: { seed: 20, firstTokenMs: [300, 1000], tokens: [20, 60], tokenGapMs: [10, 30] },
};
/** Measurement 8: chat items and image jobs in one execution, at two sizes (memory slope). */
const SCALE_SIZES = [
	{ chat: 1_000, images: 100 },
	{ chat: 5_000, images: 500 },
];

function log(line: string): void {
	print(`[bench] ${line}`);
}

function engineFor(
	emulator: { baseUrl: string },
	key = KEY,
	chat: typeof MiniToolAiChat = MiniToolAiChat,
) {
	return createEngine({
		nodeTypes: [chat, MiniToolAiTextToImage],
		credentialTypes: [MiniToolAiApi],
		credentials: { miniToolAiApi: { apiKey: key, baseUrl: emulator.baseUrl } },
	});
}

/**
 * The Chat node loaded again with the shared limit stubbed out (every acquire granted at once, no
 * bookkeeping): what the limit costs when no 429 has put it in force.
 */
async function chatWithoutSharedLimit(): Promise<typeof MiniToolAiChat> {
	let chat: typeof MiniToolAiChat | undefined;
	await jest.isolateModulesAsync(async () => {
		jest.doMock('../../nodes/shared/transport/adaptiveLimit', () => {
			const slot = { done: () => undefined, refused: () => undefined, release: () => undefined };
			return { limitFor: () => ({ acquire: async () => slot }), forgetLimits: () => undefined };
		});
		chat = (await import('../../nodes/MiniToolAiChat/MiniToolAiChat.node')).MiniToolAiChat;
	});
	return chat!;
}

const prompt = (i: number) =>
	`Item ${i + 1}: summarise the benefits of regular exercise in a few words`;

/** What the Chat node sends for `prompt(i)` with its defaults: the raw client sends the same. */
const chatBody = (i: number) => ({
	model: 'gpt-4o-mini',
	messages: [{ role: 'user', content: prompt(i) }],
	temperature: 1,
	max_completion_tokens: 1000,
});

const promptItems = (n: number) =>
	itemsNode(
		'Items',
		Array.from({ length: n }, (_, i) => ({ prompt: prompt(i) })),
	);

function chatWorkflow(n: number, onError = false) {
	return chain(
		manualTrigger(),
		promptItems(n),
		chatNode(
			{
				model: 'gpt-4o-mini',
				messages: { message: [{ role: 'user', content: '={{ $json.prompt }}' }] },
			},
			onError ? { onError: 'continueRegularOutput' } : {},
		),
	);
}

/** First request start to last request start: 0-ish when all items are sent at once. */
function startSpread(emulator: Emulator): number {
	const starts = emulator.requests.filter((r) => r.server === 'api').map((r) => r.startedAt);
	return starts.length ? Math.max(...starts) - Math.min(...starts) : 0;
}

// ---------------------------------------------------------------- 1. chat overhead per item
/** N prompt items into one node of `type` named `name`. */
function oneNodeWorkflow(
	n: number,
	name: string,
	type: string,
	typeVersion: number,
	extra: object,
) {
	return chain(manualTrigger(), promptItems(n), {
		id: `${type}-node`,
		name,
		type,
		typeVersion,
		position: [400, 0],
		parameters: {},
		...extra,
	});
}

/** The same N chat requests as the Chat node's, through n8n's HTTP Request node (SSE as text). */
const httpNodeWorkflow = (n: number, baseUrl: string) =>
	oneNodeWorkflow(n, 'HTTP Request', 'httpRequest', 4.2, {
		parameters: httpChatParameters(baseUrl),
	});

const floorWorkflow = (n: number) =>
	oneNodeWorkflow(n, 'Floor', 'declarativeFloor', 1, {
		parameters: { prompt: '={{ $json.prompt }}' },
		credentials: { miniToolAiApi: { id: '1', name: 'MiniToolAI account' } },
	});

type Timing = { ms: number; spread: number };

/** Expressions n8n evaluates per item in one run of `run` (each evaluation sets up its context). */
async function expressionsPerItem(n: number, run: () => Promise<unknown>): Promise<number> {
	const spy = jest.spyOn(Expression, 'initializeGlobalContext');
	try {
		await run();
		return spy.mock.calls.length / n;
	} finally {
		spy.mockRestore();
	}
}

async function chatOverhead(): Promise<BenchResults['chat']> {
	const emulator = await startEmulator({
		keys: { [KEY]: 1e6 },
		latencyMs: LATENCY_MS,
		tokenDelayMs: 0,
	});
	try {
		const HttpRequest = await loadHttpRequestNode().catch((error: Error) => {
			log(`1. HTTP Request node not loaded (${error.message}): that floor is left out`);
			return undefined;
		});
		const engine = createEngine({
			nodeTypes: [MiniToolAiChat, DeclarativeFloor, ...(HttpRequest ? [HttpRequest] : [])],
			credentialTypes: [MiniToolAiApi],
			credentials: { miniToolAiApi: { apiKey: KEY, baseUrl: emulator.baseUrl } },
		});
		const stubbed = engineFor(emulator, KEY, await chatWithoutSharedLimit());
		const out: BenchResults['chat'] = [];
		for (const n of CHAT_SIZES) {
			const bodies = Array.from({ length: n }, (_, i) => chatBody(i));
			/** One engine run of `workflow`; `ok` counts the items that carry an answer. */
			const engineRun =
				(which: typeof engine, workflow: ReturnType<typeof chain>, ok: () => number) =>
				async (): Promise<Timing> => {
					emulator.reset();
					const started = performance.now();
					const result = await which.run(workflow);
					const ms = performance.now() - started;
					const done = ok();
					if (result.status !== 'success' || done !== n) {
						throw new Error(`engine run N=${n}: ${result.status}, ${done} answers`);
					}
					return { ms, spread: startSpread(emulator) };
				};
			const answered = () =>
				emulator.requests.filter((r) => r.server === 'api' && r.status === 200).length;
			const variants: Record<string, () => Promise<Timing>> = {
				engine: engineRun(engine, chatWorkflow(n), answered),
				noLimit: engineRun(stubbed, chatWorkflow(n), answered),
				floor: engineRun(engine, floorWorkflow(n), answered),
				raw: async () => {
					emulator.reset();
					const raw = await rawChatBatch({ baseUrl: emulator.baseUrl, key: KEY, bodies });
					if (raw.statuses.some((s) => s !== 200)) throw new Error(`raw N=${n}: ${raw.statuses}`);
					return { ms: raw.ms, spread: startSpread(emulator) };
				},
			};
			if (HttpRequest)
				variants.httpNode = engineRun(engine, httpNodeWorkflow(n, emulator.baseUrl), answered);
			const names = Object.keys(variants);
			const timings: Record<string, Timing[]> = Object.fromEntries(names.map((v) => [v, []]));
			for (const name of names) await variants[name](); // warm-up (JIT, connections)
			for (let rep = 0; rep < CHAT_REPS; rep++) {
				// Alternate the order so that no side always runs on a warmer machine.
				for (const name of rep % 2 === 0 ? names : [...names].reverse()) {
					timings[name].push(await variants[name]());
				}
			}
			const expressions: Record<string, number> = {};
			for (const name of names.filter((v) => v !== 'raw')) {
				expressions[name] = await expressionsPerItem(n, variants[name]);
			}
			out.push({
				n,
				engine: timings.engine,
				noLimit: timings.noLimit,
				raw: timings.raw,
				floor: timings.floor,
				httpNode: timings.httpNode,
				expressionsPerItem: expressions,
			});
			log(`1. chat N=${n} done`);
		}
		return out;
	} finally {
		await emulator.close();
	}
}

// ---------------------------------------------------------------- 4. throughput under a rate limit
/**
 * How long each slot of `limit` is held, from its grant to its release, during one run: beside
 * the server's time for the same requests it shows what n8n's own request path adds to a slot.
 */
function watchSlots(limit: AdaptiveLimit): { holds: number[]; stop: () => void } {
	const holds: number[] = [];
	const acquire = limit.acquire.bind(limit);
	const own = limit as { acquire: AdaptiveLimit['acquire'] };
	own.acquire = async (signal) => {
		const slot = await acquire(signal);
		const grantedAt = performance.now();
		let open = true;
		const end = () => {
			if (open) holds.push(performance.now() - grantedAt);
			open = false;
		};
		const watched: Slot = {
			done: () => {
				end();
				slot.done();
			},
			refused: (ms) => {
				end();
				slot.refused(ms);
			},
			release: () => {
				end();
				slot.release();
			},
		};
		return watched;
	};
	const stop = () => {
		delete (own as Partial<typeof own>).acquire;
	};
	return { holds, stop };
}

/**
 * The server of measurement 4: the emulator in a process of its own (as a real API is elsewhere),
 * or in the engine's own process, where its work shares the engine's event loop.
 */
async function rateServer(where: RateServerPlace, keys: string[]): Promise<RemoteEmulator> {
	const options = {
		keys: Object.fromEntries(keys.map((key) => [key, 1e6])),
		latencyMs: LATENCY_MS,
		tokenDelayMs: 0,
	};
	if (where === 'own process') return await startRemoteEmulator(options);
	const emulator = await startEmulator({ ...options, retryAfterSeconds: 1 });
	return {
		baseUrl: emulator.baseUrl,
		configure: async (o) => emulator.configure(o),
		reset: async () => emulator.reset(),
		requests: async () => [...emulator.requests],
		close: async () => await emulator.close(),
	};
}

async function rateLimited(where: RateServerPlace): Promise<BenchResults['rate']> {
	// A credential of its own per K and per server place: each first run starts with nothing learned.
	const place = where === 'own process' ? 'p' : 'e';
	const keys = RATE_LIMITS.map((k) => `bench-key-${place}-k${k}`);
	const freeKey = `bench-key-${place}-unlimited`;
	const emulator = await rateServer(where, [...keys, freeKey]);
	try {
		const workflow = chatWorkflow(RATE_ITEMS, true);
		const free = engineFor(emulator, freeKey);
		const out: BenchResults['rate'] = [];
		for (const [i, k] of RATE_LIMITS.entries()) {
			const engine = engineFor(emulator, keys[i]);
			await emulator.configure({ maxConcurrent: k });
			const run = async (which = engine) => {
				await emulator.reset();
				const slots = watchSlots(limitFor(emulator.baseUrl, which === engine ? keys[i] : freeKey));
				const startedAt = Date.now();
				const started = performance.now();
				const result = await which.run(workflow).finally(slots.stop);
				const ms = performance.now() - started;
				const items = result.output('Chat');
				const completed = items.filter((it) => String(it.json.text).startsWith('Echo:')).length;
				const api = (await emulator.requests()).filter((r) => r.server === 'api');
				const ok = api.filter((r) => r.status === 200);
				const okDurations = ok.map((r) => (r.endedAt ?? r.startedAt) - r.startedAt);
				const firstStart = Math.min(...api.map((r) => r.startedAt));
				const lastEnd = Math.max(...api.map((r) => r.endedAt ?? r.startedAt));
				const busyMs = api.reduce((sum, r) => sum + ((r.endedAt ?? r.startedAt) - r.startedAt), 0);
				return {
					ms,
					completed,
					failed: RATE_ITEMS - completed,
					requests: api.length,
					rejected: api.filter((r) => r.status === 429).length,
					medianRequestMs: median(okDurations),
					firstRequestMs: firstStart - startedAt,
					inFlightAvg: busyMs / Math.max(1, lastEnd - firstStart),
					slotHoldMs: median(slots.holds),
					slotsHeldAvg: slots.holds.reduce((a, b) => a + b, 0) / Math.max(1, lastEnd - firstStart),
				};
			};
			const cold = await run();
			const runs: BenchResults['rate'][number]['runs'] = [];
			const unlimited: BenchResults['rate'][number]['runs'] = [];
			for (let rep = 0; rep < RATE_REPS; rep++) {
				runs.push(await run());
				// The engine's own pace: the same items against a server without a limit.
				await emulator.configure({ maxConcurrent: 0 });
				unlimited.push(await run(free));
				await emulator.configure({ maxConcurrent: k });
			}
			const learned = limitFor(emulator.baseUrl, keys[i]);
			out.push({
				k,
				server: where,
				cold,
				runs,
				unlimited,
				learnedLimit: learned.limit,
				ceiling: learned.ceiling,
			});
			log(
				`4. rate limit K=${k}, server in ${where === 'own process' ? 'its' : "the engine's"} own process done`,
			);
		}
		return out;
	} finally {
		await emulator.close();
	}
}

// ---------------------------------------------------------------- 3. image completion delay
async function imageDelay(): Promise<BenchResults['image']> {
	return await Promise.all(
		IMAGE_DURATIONS_MS.map(async (jobDelayMs) => {
			const emulator = await startEmulator({
				keys: { [KEY]: 1e6 },
				jobDelayMs,
				jobTimes: IMAGE_JOB_TIMES,
				latencyMs: LATENCY_MS,
			});
			try {
				const engine = engineFor(emulator);
				const workflow = (label: string) =>
					chain(
						manualTrigger(),
						itemsNode(
							'Items',
							Array.from({ length: IMAGE_JOBS_EACH }, (_, i) => ({
								prompt: `${label} ${i + 1}`,
							})),
						),
						imageNode({
							operation: 'generate',
							model: IMAGE_MODELS[0],
							prompt: '={{ $json.prompt }}',
							width: 512,
							height: 512,
							downloadImage: false,
							options: { maxWaitSeconds: IMAGE_MAX_WAIT_S },
						}),
					);
				const nodeRun = async (label: string) => {
					const result = await engine.run(workflow(label));
					if (result.status !== 'success') throw new Error(`image run: ${result.error?.message}`);
					return Date.now();
				};
				const raw = (label: string, backoff: boolean) =>
					Array.from({ length: IMAGE_JOBS_EACH }, (_, i) =>
						fixedPollImage({
							baseUrl: emulator.baseUrl,
							key: KEY,
							intervalMs: FIXED_POLL_MS,
							backoff,
							body: {
								model: IMAGE_MODELS[0],
								prompt: `${label} ${i + 1}`,
								width: 512,
								height: 512,
							},
						}),
					);
				// The first run: no job of this kind seen yet; the baselines poll beside it.
				const [firstEnd, ...fixed] = await Promise.all([
					nodeRun('first job'),
					...raw('fixed job', false),
					...raw('backoff job', true),
				]);
				for (let run = 1; run <= IMAGE_LATER_RUNS; run++) await nodeRun(`later job ${run}`);
				const jobs = [...emulator.jobs.values()];
				const pick = (prefix: string) =>
					jobs
						.filter((j) => j.body.prompt.startsWith(prefix))
						.map((j) => ({
							delayMs: (j.finishedAt ?? Number.NaN) - (j.readyAt ?? Number.NaN),
							polls: j.polls.length,
							readyAt: j.readyAt ?? Number.NaN,
							durationMs: (j.readyAt ?? Number.NaN) - j.submittedAt,
						}));
				const first = pick('first job');
				log(`3. image job ${jobDelayMs / 1000} s done`);
				return {
					jobDelayMs,
					node: first,
					later: pick('later job'),
					fixed: pick('fixed job'),
					backoff: pick('backoff job'),
					nodeOutputAfterLastReadyMs: firstEnd - Math.max(...first.map((j) => j.readyAt)),
					fixedClientPolls: fixed.slice(0, IMAGE_JOBS_EACH).map((r) => r.polls),
				};
			} finally {
				await emulator.close();
			}
		}),
	);
}

// ---------------------------------------------------------------- 7. Max Wait give-up time
/** What the job endpoint does while a Generate waits for a job that never finishes. */
const HOSTILE_POLLS: Array<{ label: string; fault?: Record<string, unknown> }> = [
	{ label: 'always "processing"' },
	{ label: 'every answer 2.5 s late', fault: { type: 'slowFirstByte', ms: 2_500 } },
	{ label: 'every poll 429, Retry-After 1', fault: { type: 'rateLimit', retryAfter: 1 } },
	{ label: 'every poll 429, Retry-After 2', fault: { type: 'rateLimit', retryAfter: 2 } },
	{ label: 'never answers (hang)', fault: { type: 'hang' } },
	{ label: 'every poll 503', fault: { type: 'status', status: 503 } },
];

async function maxWait(): Promise<BenchResults['maxWait']> {
	return await Promise.all(
		HOSTILE_POLLS.map(async ({ label, fault }) => {
			const emulator = await startEmulator({ keys: { [KEY]: 1e6 }, latencyMs: LATENCY_MS });
			try {
				const engine = engineFor(emulator);
				const workflow = chain(
					manualTrigger(),
					imageNode({
						operation: 'generate',
						model: IMAGE_MODELS[0],
						prompt: 'never ready',
						width: 512,
						height: 512,
						options: { maxWaitSeconds: MAX_WAIT_S },
					}),
				);
				const runs: BenchResults['maxWait'][number]['runs'] = [];
				for (let rep = 0; rep < MAX_WAIT_REPS; rep++) {
					emulator.reset();
					emulator.setFault({ endpoint: 'submit', type: 'jobNever' });
					if (fault) emulator.setFault({ endpoint: 'job', ...fault } as never);
					const result = await engine.run(workflow);
					const endedAt = Date.now();
					const [job] = [...emulator.jobs.values()];
					const message = `${result.error?.message ?? ''} ${(result.error as { description?: string })?.description ?? ''}`;
					runs.push({
						giveUpMs: endedAt - (job?.submittedAt ?? Number.NaN),
						status: result.status,
						namesJob:
							!!job && message.includes(String(job.jobid)) && message.includes(job.signature),
						message: result.error?.message ?? '',
					});
				}
				log(`7. max wait, ${label} done`);
				return { label, maxWaitMs: MAX_WAIT_S * 1000, runs };
			} finally {
				await emulator.close();
			}
		}),
	);
}

// ---------------------------------------------------------------- 5. stream parser
const encoder = new TextEncoder();

/** SSE in the documented chunk format (as the emulator sends it), about `bytes` long. */
function syntheticStream(bytes: number): Uint8Array {
	const event = (delta: object, finish: string | null, usage: object | null = null) =>
		`data: ${JSON.stringify({
			id: 'chatcmpl-B5qoZsT8kFDNJK3UyGLiJmjv6Pp90',
			object: 'chat.completion.chunk',
			created: 1740734359,
			model: 'gpt-4o-mini-2024-07-18',
			service_tier: 'default',
			system_fingerprint: 'fp_06737a9306',
			choices: usage ? [] : [{ index: 0, delta, logprobs: null, finish_reason: finish }],
			usage,
		})}\n\n`;
	const parts: string[] = [];
	let size = 0;
	for (let i = 0; size < bytes; i++) {
		const part = event({ content: ` word${i % 1000}` }, null);
		parts.push(part);
		size += part.length;
	}
	parts.push(event({}, 'stop'));
	parts.push(
		event({}, null, { prompt_tokens: 10, completion_tokens: parts.length, total_tokens: 0 }),
	);
	parts.push('data: [DONE]\n\n');
	return encoder.encode(parts.join(''));
}

/** One event whose content alone is `bytes` long: a single line spanning hundreds of chunks. */
function longLineStream(bytes: number): Uint8Array {
	const content = 'x'.repeat(bytes);
	return encoder.encode(
		`data: ${JSON.stringify({ id: 'c', choices: [{ index: 0, delta: { content } }] })}\n\ndata: [DONE]\n\n`,
	);
}

function parseInChunks(data: Uint8Array): number {
	const started = performance.now();
	const parser = new ChatStreamParser();
	for (let offset = 0; offset < data.length; offset += PARSER_CHUNK) {
		parser.push(data.subarray(offset, offset + PARSER_CHUNK));
	}
	const result = parser.end();
	const ms = performance.now() - started;
	if (!result.done || result.text.length === 0) throw new Error('parser: incomplete result');
	return ms;
}

/** The floor: the whole body decoded at once, split in lines, every data line JSON.parsed. */
function parseWhole(data: Uint8Array): number {
	const started = performance.now();
	let text = '';
	for (const line of new TextDecoder().decode(data).split('\n')) {
		if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
		const chunk = JSON.parse(line.slice(6)) as {
			choices?: Array<{ delta?: { content?: string } }>;
		};
		text += chunk.choices?.[0]?.delta?.content ?? '';
	}
	const ms = performance.now() - started;
	if (text.length === 0) throw new Error('floor parser: no text');
	return ms;
}

function parserThroughput(): BenchResults['parser'] {
	const out: BenchResults['parser'] = [];
	const cases: Array<{
		kind: 'tokens' | 'one long line';
		bytes: number;
		make: (b: number) => Uint8Array;
	}> = [
		...PARSER_SIZES.map((bytes) => ({ kind: 'tokens' as const, bytes, make: syntheticStream })),
		// One event as long as the parser accepts (its line cap), and a quarter of that.
		...[MAX_SSE_LINE_BYTES / 4, MAX_SSE_LINE_BYTES - 1024].map((bytes) => ({
			kind: 'one long line' as const,
			bytes,
			make: longLineStream,
		})),
	];
	for (const c of cases) {
		const data = c.make(c.bytes);
		const reps = data.length > 5e6 ? 5 : data.length > 5e5 ? 10 : 30;
		parseInChunks(data); // warm-up
		parseWhole(data);
		const ours: number[] = [];
		const floor: number[] = [];
		for (let rep = 0; rep < reps; rep++) {
			ours.push(parseInChunks(data));
			floor.push(parseWhole(data));
		}
		out.push({ kind: c.kind, bytes: data.length, ours, floor });
	}
	log('5. parser done');
	return out;
}

function median(values: number[]): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------- the run
describe('benchmarks', () => {
	it('measures everything and writes the report', async () => {
		const machine = machineInfo();
		log(
			`machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}`,
		);
		const started = performance.now();
		const results: BenchResults = {
			machine,
			chat: [],
			rate: [],
			image: [],
			parser: [],
			maxWait: [],
			real: null,
			scale: null,
			scaleLegacy: null,
			spike: null,
			workers: null,
			errors: {},
		};
		const only = selectedMeasurements();
		const attempt = async <T>(name: string, fn: () => Promise<T> | T): Promise<T | undefined> => {
			if (only && !only.includes(name)) return undefined;
			try {
				return await fn();
			} catch (error) {
				results.errors[name] = (error as Error).stack ?? String(error);
				log(`${name} FAILED: ${(error as Error).message}`);
				return undefined;
			}
		};
		// CPU-bound and latency-sensitive parts first, alone on the machine.
		results.parser = (await attempt('5', parserThroughput)) ?? [];
		results.chat = (await attempt('1', chatOverhead)) ?? [];
		results.rate =
			(await attempt('4', async () => [
				...(await rateLimited('own process')),
				...(await rateLimited('engine process')),
			])) ?? [];
		// The image jobs and Max Wait mostly wait and run beside each other. Not beside the real
		// n8n: its emulator lives in this process, and encoding its photo-like PNGs would delay
		// the timers that measurements 3 and 7 time.
		const [image, waits] = await Promise.all([attempt('3', imageDelay), attempt('7', maxWait)]);
		const real = await attempt('2+6', () =>
			runRealN8n({
				chatItems: REAL_CHAT_ITEMS,
				chatReps: REAL_CHAT_REPS,
				images: REAL_IMAGES,
				memReps: REAL_MEM_REPS,
				log,
			}),
		);
		// Queue mode: Redis, PostgreSQL, a main and up to four workers; alone on the machine.
		results.workers =
			((await attempt('9', () =>
				runWorkers({
					workerCounts: WORKER_COUNTS,
					serverLimit: WORKERS_K,
					load: WORKERS_LOAD,
					emulatorOptions: WORKERS_EMULATOR,
					words: WORKERS_PROMPT_WORDS,
					log,
				}),
			)) as BenchResults['workers']) ?? null;
		results.image = image ?? [];
		results.maxWait = waits ?? [];
		results.real = (real as RealN8nResults | undefined) ?? null;
		// Scale last and alone: it keeps both cores busy for minutes.
		const scale = await attempt('8', () =>
			runRealN8n({ chatReps: 0, memReps: 0, scale: SCALE_SIZES, log }),
		);
		results.scale = (scale as RealN8nResults | undefined)?.scale ?? null;
		// n8n 2.x evaluates expressions in an isolate by default: the largest size's chat items once
		// more with the previous engine show what that costs per item.
		const legacy = await attempt('8', () =>
			runRealN8n({
				chatReps: 0,
				memReps: 0,
				scale: [{ chat: SCALE_SIZES[SCALE_SIZES.length - 1].chat, images: 0 }],
				scaleEnv: { N8N_EXPRESSION_ENGINE: 'legacy' },
				log,
			}),
		);
		results.scaleLegacy = (legacy as RealN8nResults | undefined)?.scale ?? null;
		// A server under a burst of chat conversations, alone (BENCH_ONLY=spike).
		results.spike = (await attempt('spike', () => runSpike({ ...SPIKE, log }))) ?? null;
		results.totalMs = performance.now() - started;

		const report = buildReport(results, {
			latencyMs: LATENCY_MS,
			fixedPollMs: FIXED_POLL_MS,
			rateItems: RATE_ITEMS,
			chunkBytes: PARSER_CHUNK,
		});
		writeOut('results.md', report.markdown);
		writeOut('results.json', JSON.stringify(results, null, 2));
		writeOut('scaling.svg', report.svg);
		print(`\n${report.markdown}`);
		print('Written: bench-out/results.md, bench-out/results.json, bench-out/scaling.svg');
		const rows: Row[] = report.rows;
		expect(rows.length).toBeGreaterThan(0);
	});
});
