'use strict';
/**
 * Measurement 9: n8n queue mode, W workers sharing one API key against a server that allows K
 * requests at once. One stack (Redis, PostgreSQL, an n8n main) for every W; for each W, fresh
 * workers (nothing learned), a warm-up without a server limit (so no 429 teaches them anything),
 * then the same load twice: the first run (each worker learns alone) and a second one (learned).
 * The load: 4 executions of 50 chat items and 4 of 10 image jobs (Generate), all started at once
 * through production webhooks that answer when the execution ends. Each worker takes 8 / W
 * executions at most, so the 8 are spread over all of them.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureN8nHost } = require('../../scripts/lib/n8nHost');
const { buildAndPack, installPackage } = require('../../scripts/lib/pack');
const { N8nInstance } = require('../../scripts/lib/n8nProcess');
const q = require('../../scripts/lib/queueInfra');
const { freePorts, waitFor } = require('../../scripts/lib/util');
const wf = require('../../scripts/lib/workflows');
const { startEmulator } = require('../emulator');
const { listExecutions, logSize, workerLog } = require('../e2e/lib/queueHelpers');
const { KEY, PKG, node, linear } = require('./n8nRun');
const { nowMs, runCleanups } = require('./util');

const OWNER = { email: 'bench@minitoolai.local', password: 'Bench-Passw0rd!' };
const WEBHOOK_TIMEOUT_MS = 10 * 60_000;
const WORDS = ['amber', 'birch', 'cobalt', 'dune', 'ember', 'fjord', 'glacier', 'harbor'];

/** Webhook (answers with every item of the last node) -> Split Out -> `last`. */
function webhookWorkflow(id, name, webhookPath, webhookId, last) {
	return linear(id, name, [
		node(
			'Webhook',
			'n8n-nodes-base.webhook',
			2.1,
			0,
			{
				httpMethod: 'POST',
				path: webhookPath,
				responseMode: 'lastNode',
				responseData: 'allEntries',
				options: {},
			},
			{ webhookId },
		),
		node('Items', 'n8n-nodes-base.splitOut', 1, 200, {
			fieldToSplitOut: 'body.prompt',
			options: { destinationFieldName: 'prompt' },
		}),
		last,
	]);
}

const CRED = { miniToolAiApi: wf.DEFAULT_CREDENTIAL };
const onFail = { credentials: CRED, onError: 'continueRegularOutput' };

const chatWorkflow = webhookWorkflow(
	'benchQueueChat01',
	'bench: queue chat',
	'mtai-bench-chat',
	'7d1c2b9e-0a4f-4e8b-9c3d-5f1e2a7b0c01',
	node(
		'Chat',
		`${PKG}.miniToolAiChat`,
		1,
		400,
		{
			model: 'gpt-4o-mini',
			messages: { message: [{ role: 'user', content: '={{ $json.prompt }}' }] },
		},
		onFail,
	),
);

const imageWorkflow = webhookWorkflow(
	'benchQueueImg001',
	'bench: queue images',
	'mtai-bench-image',
	'7d1c2b9e-0a4f-4e8b-9c3d-5f1e2a7b0c02',
	node(
		'Image',
		`${PKG}.miniToolAiTextToImage`,
		1,
		400,
		{
			operation: 'generate',
			prompt: '={{ $json.prompt }}',
			width: 512,
			height: 512,
			downloadImage: false,
			options: { maxWaitSeconds: 300 },
		},
		onFail,
	),
);

/** A prompt of `words` words, unique per run, execution and item (the echo is the answer). */
function prompt(run, exec, i, words) {
	const head = `run ${run} execution ${exec} item ${i}:`;
	const body = Array.from({ length: words }, (_, w) => WORDS[(i + w) % WORDS.length]);
	return `${head} ${body.join(' ')}`;
}

async function postJson(url, body) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
	}).catch((error) => ({ status: 0, text: async () => String(error.message) }));
	const text = await res.text();
	try {
		return { status: res.status, json: JSON.parse(text), text };
	} catch {
		return { status: res.status, json: null, text };
	}
}

/** An execution's items (in input order) against its prompts: answered, failed, or missing. */
function tally(prompts, response, isAnswer) {
	const items = Array.isArray(response.json) ? response.json : [];
	let completed = 0;
	let failed = 0;
	prompts.forEach((p, i) => {
		if (items[i] && isAnswer(items[i], p)) completed++;
		else if (items[i]) failed++;
	});
	return { completed, failed, lost: prompts.length - completed - failed };
}

/**
 * One load: `chatExecs` x `chatItems` chat prompts and `imageExecs` x `imageItems` image prompts,
 * every webhook called at once. Returns counts and the emulator's view of the run.
 */
async function runLoad({ main, emulator, label, load, words }) {
	emulator.reset();
	const calls = [];
	for (let e = 0; e < load.chatExecs; e++) {
		const prompts = Array.from({ length: load.chatItems }, (_, i) => prompt(label, e, i, words));
		calls.push({ kind: 'chat', path: 'mtai-bench-chat', prompts });
	}
	for (let e = 0; e < load.imageExecs; e++) {
		const prompts = Array.from({ length: load.imageItems }, (_, i) => `${label} image ${e}/${i}`);
		calls.push({ kind: 'image', path: 'mtai-bench-image', prompts });
	}
	const started = nowMs();
	const answers = await Promise.all(
		calls.map(async (c) => {
			const res = await postJson(`${main.baseUrl}/webhook/${c.path}`, { prompt: c.prompts });
			return { ...c, res, endedAt: nowMs() };
		}),
	);
	const ms = Math.max(...answers.map((a) => a.endedAt)) - started;
	const sum = (kind, isAnswer) =>
		answers
			.filter((a) => a.kind === kind)
			.map((a) => tally(a.prompts, a.res, isAnswer))
			.reduce(
				(t, x) => ({
					completed: t.completed + x.completed,
					failed: t.failed + x.failed,
					lost: t.lost + x.lost,
				}),
				{ completed: 0, failed: 0, lost: 0 },
			);
	const api = emulator.requests.filter((r) => r.server === 'api');
	const chat = api.filter((r) => r.path.startsWith('/api/chat-completions'));
	const okChat = chat.filter((r) => r.status === 200);
	const dur = (r) => (r.endedAt ?? r.startedAt) - r.startedAt;
	const accepted = api.filter((r) => r.status !== 429);
	const first = Math.min(...api.map((r) => r.startedAt));
	const last = Math.max(...api.map((r) => r.endedAt ?? r.startedAt));
	return {
		ms,
		chat: sum('chat', (it, p) => it.text === `Echo: ${p}`),
		images: sum('image', (it) => !it.error && String(it.imageUrl ?? '').startsWith('http')),
		httpErrors: answers.filter((a) => a.res.status !== 200).map((a) => a.res.status),
		requests: api.length,
		rejected: api.filter((r) => r.status === 429).length,
		rejectedChat: chat.filter((r) => r.status === 429).length,
		medianChatMs: median(okChat.map(dur)),
		firstRequestMs: first - started,
		chatWindowMs:
			Math.max(...okChat.map((r) => r.endedAt ?? 0)) - Math.min(...okChat.map((r) => r.startedAt)),
		inFlightAvg: accepted.reduce((s, r) => s + dur(r), 0) / Math.max(1, last - first),
	};
}

function median(values) {
	const s = values.filter(Number.isFinite).sort((a, b) => a - b);
	if (s.length === 0) return Number.NaN;
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Chat executions each worker ran since `offsets` (its log), from n8n's own log lines. */
async function chatExecsPerWorker(main, apiKey, workflowId, workers, offsets, before) {
	const ids = (await listExecutions(main, apiKey, workflowId))
		.map((e) => String(e.id))
		.filter((id) => !before.has(id));
	return workers.map(
		(w, i) => workerLog(w, offsets[i]).started.filter((id) => ids.includes(id)).length,
	);
}

/**
 * Runs measurement 9 for each worker count. Starts and stops everything it uses; a failed
 * worker count becomes `{ workers, error }`.
 */
async function runWorkers({ workerCounts, serverLimit, load, emulatorOptions, words, log }) {
	const out = { serverLimit, load, emulatorOptions, rows: [] };
	const cleanups = [];
	try {
		const host = await ensureN8nHost({ quiet: true });
		const tgz = await buildAndPack({ skipBuild: process.env.BENCH_SKIP_BUILD === '1' });
		cleanups.push(() => fs.rmSync(path.dirname(tgz), { recursive: true, force: true }));
		const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-bench-queue-'));
		cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
		const pgRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-bench-pg-'));
		cleanups.push(() => fs.rmSync(pgRoot, { recursive: true, force: true }));
		const userFolder = path.join(workDir, 'user');
		const logDir = path.join(workDir, 'logs');
		fs.mkdirSync(userFolder);
		fs.mkdirSync(logDir);
		await installPackage(userFolder, tgz);

		const ports = await freePorts(new Array(4 + 2 * Math.max(...workerCounts)).fill(0));
		const [redisPort, pgPort, mainPort, mainBroker, ...workerPorts] = ports;
		await q.ensureDebianPackages();
		const redis = await q.startRedis({ dir: path.join(workDir, 'redis'), port: redisPort });
		cleanups.push(() => redis.stop());
		const pg = await q.startPostgres({ root: pgRoot, port: pgPort });
		cleanups.push(() => pg.stop());
		const emulator = await startEmulator({ keys: { [KEY]: 1e6 }, ...emulatorOptions });
		cleanups.push(() => emulator.close());

		const env = q.clusterEnv({ redisPort, pgPort });
		const main = new N8nInstance({
			host,
			userFolder,
			port: mainPort,
			brokerPort: mainBroker,
			extraEnv: env,
			logFile: path.join(logDir, 'main.log'),
		});
		cleanups.push(() => main.stop());
		await main.start();
		await main.ensureOwner(OWNER);
		const apiKey = await main.createApiKey('bench');
		const credential = await wf.createCredential(main, apiKey, {
			name: 'MiniToolAI bench',
			apiKey: KEY,
			baseUrl: emulator.baseUrl,
		});
		let chatId = '';
		for (const w of [chatWorkflow, imageWorkflow]) {
			const id = await wf.createActiveWorkflow(main, apiKey, wf.prepareWorkflow(w, { credential }));
			if (w === chatWorkflow) chatId = id;
		}
		log(`9. queue stack ready (main, Redis, PostgreSQL)`);

		const execs = load.chatExecs + load.imageExecs;
		for (const count of workerCounts) {
			const concurrency = Math.ceil(execs / count);
			const workers = Array.from({ length: count }, (_, i) =>
				q.queueWorker({
					name: `w${count}-${i + 1}`,
					host,
					userFolder,
					env,
					logDir,
					healthPort: workerPorts[2 * i],
					brokerPort: workerPorts[2 * i + 1],
					concurrency,
				}),
			);
			try {
				await Promise.all(workers.map((w) => w.instance.start()));
				// Warm-up without a server limit: n8n loads its modules, no 429 teaches the limit.
				emulator.configure({ maxConcurrent: 0 });
				const warm = { chatExecs: 2 * count, chatItems: 2, imageExecs: count, imageItems: 1 };
				await waitFor(
					'webhooks answer',
					async () => {
						const r = await runLoad({ main, emulator, label: `warm-${count}`, load: warm, words });
						return r.httpErrors.length === 0 && r.chat.completed === warm.chatExecs * 2;
					},
					{ timeoutMs: 120_000, intervalMs: 1_000 },
				);
				emulator.configure({ maxConcurrent: serverLimit });
				const runs = [];
				for (const label of ['first', 'learned']) {
					const offsets = workers.map(logSize);
					const before = new Set(
						(await listExecutions(main, apiKey, chatId)).map((e) => String(e.id)),
					);
					const result = await runLoad({ main, emulator, label: `${label}-${count}`, load, words });
					result.chatExecsPerWorker = await chatExecsPerWorker(
						main,
						apiKey,
						chatId,
						workers,
						offsets,
						before,
					);
					runs.push({ label, ...result });
					log(
						`9. ${count} worker(s), ${label} run: ${(result.ms / 1000).toFixed(1)} s, chat failed ${result.chat.failed} lost ${result.chat.lost}, ${result.rejected} 429s`,
					);
				}
				out.rows.push({ workers: count, concurrency, runs });
			} catch (error) {
				out.rows.push({ workers: count, error: error.message });
			} finally {
				await Promise.all(workers.map((w) => w.instance.stop()));
			}
		}
	} catch (error) {
		out.error = `setup failed: ${error.message}`;
	} finally {
		await runCleanups(cleanups);
	}
	return out;
}

module.exports = { runWorkers };
