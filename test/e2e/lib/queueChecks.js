'use strict';
/**
 * Checks for n8n queue mode (main + workers + Redis + PostgreSQL) against the in-process
 * emulator: a mixed burst through webhooks, a worker stopped while it polls an image job, and a
 * streaming webhook served by a worker. Each function fills `report` with what it saw, so the
 * runner can print the numbers the issue asks for.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');

const CHAT_PATH = '/api/chat-completions/';
const SUBMIT_PATH = '/api/texttoimage/';
const JOB_PATH = '/api/texttoimage/jobs/';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- small helpers ----------

/** POST JSON to a production webhook; never throws on an HTTP status, only on a network error. */
async function postWebhook(main, webhookPath, body, { timeoutMs = 60000 } = {}) {
	const started = Date.now();
	const res = await fetch(`${main.baseUrl}/webhook/${webhookPath}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(timeoutMs),
	});
	const text = await res.text();
	let json = null;
	try {
		json = JSON.parse(text);
	} catch {
		json = null;
	}
	return { status: res.status, json, text, ms: Date.now() - started, endedAt: Date.now() };
}

/** The chat request whose last user message is `text` (what the emulator echoes). */
function lastUserText(req) {
	const msgs = (req.body && req.body.messages) || [];
	const users = msgs.filter((m) => m.role === 'user');
	return users.length ? users[users.length - 1].content : undefined;
}

function apiRequests(emulator, urlPath) {
	return emulator.requests.filter((r) => r.server === 'api' && r.path === urlPath);
}

function jobByPrompt(emulator, prompt) {
	return [...emulator.jobs.values()].filter((j) => j.body && j.body.prompt === prompt);
}

/**
 * Which worker ran which execution: n8n's JobProcessor logs "Worker started execution <id>" and
 * "Worker finished execution <id>" at info level on the worker that took the Bull job.
 */
function workerLog(worker, fromOffset = 0) {
	const text = fs.readFileSync(worker.instance.logFile, 'utf8').slice(fromOffset);
	const ids = (re) => [...text.matchAll(re)].map((m) => m[1]);
	return {
		text,
		started: ids(/Worker started execution (\d+)/g),
		finished: ids(/Worker finished execution (\d+)/g),
	};
}

/** Live pids in a process group (the worker and the task runner it spawned). */
function groupMembers(pgid) {
	const out = [];
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(fields[2]) === pgid && fields[0] !== 'Z') out.push(Number(name));
		} catch {
			// gone meanwhile
		}
	}
	return out;
}

function killGroup(pgid) {
	try {
		process.kill(-pgid, 'SIGKILL');
	} catch {
		// nothing left
	}
}

function logSize(worker) {
	return fs.statSync(worker.instance.logFile).size;
}

/** Every execution of a workflow via the public API (cursor pagination). */
async function listExecutions(main, apiKey, workflowId) {
	const out = [];
	let cursor = '';
	for (let page = 0; page < 50; page++) {
		const q = `workflowId=${workflowId}&limit=250${cursor ? `&cursor=${cursor}` : ''}`;
		const res = await main.request('GET', `/api/v1/executions?${q}`, undefined, { apiKey });
		out.push(...res.data);
		if (!res.nextCursor) break;
		cursor = encodeURIComponent(res.nextCursor);
	}
	return out;
}

/**
 * Per-job delays: the emulator has one global jobDelayMs, but its jobs map holds live objects
 * whose status is derived from readyAt, so a watcher can give each prompt its own delay. The
 * node's first poll comes 500 ms after the submit; the watcher runs every 20 ms.
 */
function jobDelayWatcher(emulator) {
	const delays = new Map();
	const seen = new WeakSet();
	const timer = setInterval(() => {
		for (const job of emulator.jobs.values()) {
			if (seen.has(job)) continue;
			seen.add(job);
			const ms = job.body && delays.get(job.body.prompt);
			if (ms !== undefined && job.readyAt !== null) job.readyAt = job.submittedAt + ms;
		}
	}, 20);
	timer.unref();
	return {
		set: (prompt, ms) => delays.set(prompt, ms),
		stop: () => clearInterval(timer),
	};
}

function countBy(list) {
	const m = new Map();
	for (const x of list) m.set(x, (m.get(x) || 0) + 1);
	return m;
}

// ---------- burst ----------

const WORDS = ['amber', 'birch', 'cobalt', 'dune', 'ember', 'fjord', 'glacier', 'harbor'];
const DELAYS = [1000, 3000, 4500, 6000];

function burstPlan({ chats = 24, images = 16 } = {}) {
	const chat = Array.from({ length: chats }, (_, i) => ({
		kind: 'chat',
		text: `queue burst chat ${i + 1} about ${WORDS[i % WORDS.length]} number ${i * 7 + 3}`,
	}));
	const image = Array.from({ length: images }, (_, i) => ({
		kind: 'image',
		prompt: `queue burst image ${i + 1}: a ${WORDS[(i * 3) % WORDS.length]} landscape, variant ${i}`,
		delayMs: DELAYS[i % DELAYS.length],
		download: i % 4 === 1,
	}));
	// Interleaved, so both kinds are in the queue together.
	const plan = [];
	while (chat.length || image.length) {
		if (chat.length) plan.push(chat.shift());
		if (chat.length && plan.length % 3 === 1) plan.push(chat.shift());
		if (image.length) plan.push(image.shift());
	}
	return plan;
}

async function sendPlan(main, plan, delays) {
	for (const r of plan) if (r.kind === 'image') delays.set(r.prompt, r.delayMs);
	return Promise.all(
		plan.map(async (r) => {
			const body =
				r.kind === 'chat' ? { text: r.text } : { prompt: r.prompt, download: r.download };
			const path = r.kind === 'chat' ? 'mtai-queue-chat' : 'mtai-queue-image';
			try {
				return { ...r, res: await postWebhook(main, path, body) };
			} catch (error) {
				return { ...r, res: { status: 0, text: String(error.message), json: null } };
			}
		}),
	);
}

/** Each answer belongs to ITS request: chat echoes its text, image URL is its own job's. */
function assertAnswers(results, emulator) {
	const wrong = [];
	for (const r of results) {
		const { status, json, text } = r.res;
		const label = r.kind === 'chat' ? r.text : r.prompt;
		if (status !== 200 || !json) {
			wrong.push(`${label}: HTTP ${status} ${text.slice(0, 200)}`);
			continue;
		}
		if (r.kind === 'chat') {
			if (json.text !== `Echo: ${r.text}` || json.finishReason !== 'stop') {
				wrong.push(`${label}: got ${JSON.stringify(json).slice(0, 200)}`);
			}
			continue;
		}
		const jobs = jobByPrompt(emulator, r.prompt);
		if (jobs.length !== 1) {
			wrong.push(`${label}: ${jobs.length} emulator jobs`);
			continue;
		}
		const url = `${emulator.imageBaseUrl}/images/${jobs[0].jobid}.png`;
		if (json.imageUrl !== url || String(json.jobId) !== String(jobs[0].jobid)) {
			wrong.push(`${label}: got ${json.imageUrl} / ${json.jobId}, its job is ${url}`);
		}
	}
	assert.deepEqual(wrong, [], `${wrong.length} wrong answers`);
}

/** What n8n says about requests that got no answer: unfinished executions and worker logs. */
async function explainFailures(ctx, results, logOffsets) {
	const { main, workers, apiKey, ids, report, log } = ctx;
	const unfinished = [];
	for (const workflowId of [ids.chat, ids.image]) {
		for (const status of ['running', 'new', 'waiting', 'error', 'crashed']) {
			const q = `workflowId=${workflowId}&status=${status}&limit=250`;
			const res = await main
				.request('GET', `/api/v1/executions?${q}`, undefined, { apiKey })
				.catch((e) => ({ data: [{ id: `? ${e.message.slice(0, 80)}`, status }] }));
			for (const e of res.data) unfinished.push({ id: String(e.id), status: e.status || status });
		}
	}
	const lines = [];
	workers.forEach((w, i) => {
		const text = fs.readFileSync(w.instance.logFile, 'utf8').slice(logOffsets[i]);
		for (const e of unfinished) {
			for (const l of text.split('\n')) {
				if (new RegExp(`execution ${e.id}\\b`).test(l)) lines.push(`${w.name}: ${l.trim()}`);
			}
		}
		for (const l of text.split('\n')) {
			if (/error|stalled|warn/i.test(l)) lines.push(`${w.name}: ${l.trim().slice(0, 200)}`);
		}
	});
	report.burst.unfinished = unfinished;
	report.burst.failureLog = [...new Set(lines)].slice(0, 40);
	log(`burst failures: unfinished ${JSON.stringify(unfinished)}`);
	for (const l of report.burst.failureLog) log(`  ${l}`);
}

async function runBurst(ctx) {
	const { main, workers, emulator, checks, apiKey, ids, delays, report, log } = ctx;
	const plan = burstPlan();
	const chats = plan.filter((r) => r.kind === 'chat');
	const images = plan.filter((r) => r.kind === 'image');
	const before = {
		chat: new Set((await listExecutions(main, apiKey, ids.chat)).map((e) => e.id)),
		image: new Set((await listExecutions(main, apiKey, ids.image)).map((e) => e.id)),
	};
	const logOffsets = workers.map(logSize);
	emulator.reset();
	const started = Date.now();
	const results = await sendPlan(main, plan, delays);
	const burstMs = Date.now() - started;
	log(`burst: ${plan.length} requests answered in ${(burstMs / 1000).toFixed(1)} s`);
	report.burst = { requests: plan.length, chats: chats.length, images: images.length, burstMs };
	report.burst.failures = results.filter((r) => r.res.status !== 200).length;

	if (report.burst.failures > 0) await explainFailures(ctx, results, logOffsets);

	await checks.check(`queue burst: all ${plan.length} requests answered 200`, () => {
		const bad = results.filter((r) => r.res.status !== 200);
		assert.deepEqual(
			bad.map((r) => `${r.kind} HTTP ${r.res.status}: ${r.res.text.slice(0, 160)}`),
			[],
		);
	});
	await checks.check('queue burst: every answer is the one for its own request', () =>
		assertAnswers(results, emulator),
	);

	await checks.check(
		'queue burst: emulator saw one chat per chat call, one submit per image',
		() => {
			const chatReqs = apiRequests(emulator, CHAT_PATH);
			const perText = countBy(chatReqs.map(lastUserText));
			const dupChats = chats.filter((r) => perText.get(r.text) !== 1);
			const submits = apiRequests(emulator, SUBMIT_PATH);
			const perPrompt = countBy(submits.map((r) => r.body && r.body.prompt));
			const dupImages = images.filter((r) => perPrompt.get(r.prompt) !== 1);
			report.burst.emulator = { chatRequests: chatReqs.length, submits: submits.length };
			report.burst.duplicates = dupChats.length + dupImages.length;
			assert.equal(chatReqs.length, chats.length, 'chat requests');
			assert.equal(submits.length, images.length, 'submits');
			assert.deepEqual(
				[...dupChats.map((r) => r.text), ...dupImages.map((r) => r.prompt)],
				[],
				'texts/prompts not sent exactly once',
			);
		},
	);

	await checks.check('queue burst: long image jobs were polled several times on a worker', () => {
		const polls = images.map((r) => ({
			delayMs: r.delayMs,
			polls: jobByPrompt(emulator, r.prompt)[0]?.polls.length ?? 0,
		}));
		const longest = Math.max(...polls.filter((p) => p.delayMs >= 6000).map((p) => p.polls));
		report.burst.pollsPerJob = polls.map((p) => `${p.delayMs / 1000}s:${p.polls}`).join(' ');
		report.burst.jobPolls = apiRequests(emulator, JOB_PATH).length;
		assert.ok(longest >= 4, `6 s jobs got at most ${longest} polls`);
		// Every poll is for a job of this burst and carries the key.
		for (const p of apiRequests(emulator, JOB_PATH)) {
			assert.equal(p.headers.authorization, 'Bearer emulator-key');
		}
	});

	await checks.check('queue burst: downloaded images fetched once each from the image host', () => {
		const wanted = images.filter((r) => r.download);
		const gets = emulator.requests.filter((r) => r.server === 'image' && r.method === 'GET');
		const perPath = countBy(gets.map((g) => g.path));
		for (const r of wanted) {
			const job = jobByPrompt(emulator, r.prompt)[0];
			assert.equal(perPath.get(`/images/${job.jobid}.png`), 1, `download of ${r.prompt}`);
		}
		assert.equal(gets.length, wanted.length, 'image host GETs');
	});

	let newIds = [];
	await checks.check(
		'queue burst: n8n lists exactly one successful execution per request',
		async () => {
			const after = {
				chat: await listExecutions(main, apiKey, ids.chat),
				image: await listExecutions(main, apiKey, ids.image),
			};
			const fresh = (kind) => after[kind].filter((e) => !before[kind].has(e.id));
			const statuses = countBy([...fresh('chat'), ...fresh('image')].map((e) => e.status));
			report.burst.executions = Object.fromEntries(statuses);
			newIds = [...fresh('chat'), ...fresh('image')].map((e) => String(e.id));
			assert.equal(fresh('chat').length, chats.length, 'chat executions');
			assert.equal(fresh('image').length, images.length, 'image executions');
			assert.equal(
				statuses.get('success'),
				plan.length,
				`statuses ${JSON.stringify(report.burst.executions)}`,
			);
		},
	);

	await checks.check(
		'queue burst: both workers took jobs, each execution ran on one worker',
		() => {
			const perWorker = workers.map((w, i) => ({ name: w.name, log: workerLog(w, logOffsets[i]) }));
			const startedAll = perWorker.flatMap((w) => w.log.started);
			const counts = countBy(startedAll);
			report.burst.perWorker = Object.fromEntries(
				perWorker.map((w) => [w.name, w.log.started.filter((id) => newIds.includes(id)).length]),
			);
			const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
			const missing = newIds.filter((id) => !counts.has(id));
			assert.deepEqual(twice, [], 'executions started more than once');
			assert.deepEqual(missing, [], 'executions no worker logged');
			for (const w of perWorker) {
				assert.ok(report.burst.perWorker[w.name] > 0, `${w.name} took no job`);
			}
		},
	);
}

// ---------- chaos ----------

async function runChaos(ctx) {
	const { main, workers, emulator, checks, apiKey, delays, report, log } = ctx;
	const prompt = 'queue chaos: a lighthouse in a storm, worker stopped mid-poll';
	const jobDelayMs = 25000;
	delays.set(prompt, jobDelayMs);
	report.chaos = { jobDelayMs };
	const offsets = workers.map(logSize);

	const pending = postWebhook(
		main,
		'mtai-queue-image',
		{ prompt, maxWaitSeconds: 90 },
		{
			timeoutMs: 120000,
		},
	).catch((error) => ({
		status: 0,
		text: `network: ${error.message}`,
		json: null,
		endedAt: Date.now(),
	}));

	// Wait until the node is polling: the job exists and has been asked about twice.
	const deadline = Date.now() + 30000;
	let job;
	while (Date.now() < deadline) {
		job = jobByPrompt(emulator, prompt)[0];
		if (job && job.polls.length >= 2) break;
		await sleep(100);
	}
	assert.ok(job && job.polls.length >= 2, 'the chaos job was never polled twice');

	// The worker with a started-but-unfinished execution is the one polling.
	const running = workers.map((w, i) => {
		const l = workerLog(w, offsets[i]);
		return { w, ids: l.started.filter((id) => !l.finished.includes(id)) };
	});
	const busy = running.filter((r) => r.ids.length > 0);
	assert.equal(busy.length, 1, `expected one busy worker, got ${busy.map((b) => b.w.name)}`);
	const victim = busy[0].w;
	const executionId = busy[0].ids[0];
	report.chaos.worker = victim.name;
	report.chaos.executionId = executionId;
	report.chaos.pollsBeforeSigterm = job.polls.length;
	log(`chaos: ${victim.name} runs execution ${executionId}, job ${job.jobid}; SIGTERM`);

	// SIGTERM to the worker process only, as `docker stop` or systemd would send it; n8n is
	// expected to stop its own task runner.
	const victimLogOffset = logSize(victim);
	const child = victim.instance.server;
	const exited = new Promise((r) => child.once('exit', r));
	const sigtermAt = Date.now();
	process.kill(child.pid, 'SIGTERM');
	const inTime = await Promise.race([exited.then(() => true), sleep(45000).then(() => false)]);
	const exitedAt = Date.now();
	report.chaos.exit = inTime ? { code: child.exitCode, signal: child.signalCode } : 'still running';
	report.chaos.shutdownMs = exitedAt - sigtermAt;
	report.chaos.leftoverProcesses = groupMembers(child.pid).length;
	// stop() kills the process group: whatever the worker left behind, and a worker that hung.
	await victim.instance.stop({ graceMs: 2000 });
	killGroup(child.pid);
	const shutdownLog = fs.readFileSync(victim.instance.logFile, 'utf8').slice(victimLogOffset);
	report.chaos.workerLog = [
		...new Set(
			shutdownLog
				.split('\n')
				.filter((l) => /SIGTERM|Waiting for|Drain|timed out|Cancelled|Stopping/.test(l))
				.map((l) => l.trim().slice(0, 160)),
		),
	];
	assert.ok(inTime, 'the worker did not exit within 45 s of SIGTERM');
	log(
		`chaos: worker exited after ${report.chaos.shutdownMs} ms (${JSON.stringify(report.chaos.exit)})`,
	);

	const res = await pending;
	report.chaos.response = {
		status: res.status,
		body: (res.text || '').slice(0, 300),
		afterExitMs: res.endedAt - exitedAt,
	};
	log(`chaos: caller got HTTP ${res.status} ${report.chaos.response.afterExitMs} ms after exit`);

	// A poll interval is at most 4 s; wait past it before counting polls after the exit.
	const quietUntil = exitedAt + 6000;
	if (Date.now() < quietUntil) await sleep(quietUntil - Date.now());
	const finishedBeforeExit = job.finishedAt !== null && job.finishedAt <= exitedAt;
	report.chaos.pollsDuringDrain = job.polls.filter((t) => t > sigtermAt && t <= exitedAt).length;
	const pollsAfterExit = job.polls.filter((t) => t > exitedAt).length;
	const resubmits = jobByPrompt(emulator, prompt).length - 1;
	report.chaos.pollsAfterExit = pollsAfterExit;
	report.chaos.pollsTotal = job.polls.length;
	report.chaos.jobFinishedBeforeExit = finishedBeforeExit;
	report.chaos.resubmits = resubmits;
	try {
		const exec = await main.request('GET', `/api/v1/executions/${executionId}`, undefined, {
			apiKey,
		});
		const detail = await main.request(
			'GET',
			`/api/v1/executions/${executionId}?includeData=true`,
			undefined,
			{ apiKey },
		);
		const error = detail.data && detail.data.resultData && detail.data.resultData.error;
		report.chaos.execution = {
			status: exec.status,
			finished: exec.finished,
			error: error ? String(error.message).slice(0, 200) : null,
			lastNode: detail.data && detail.data.resultData && detail.data.resultData.lastNodeExecuted,
		};
	} catch (error) {
		report.chaos.execution = { error: error.message };
	}

	await checks.check('queue chaos: the caller got the image or a clear error', () => {
		if (res.status === 200 && res.json && res.json.imageUrl) {
			assert.equal(res.json.imageUrl, `${emulator.imageBaseUrl}/images/${job.jobid}.png`);
			return;
		}
		assert.ok(res.status >= 400, `HTTP ${res.status}: ${res.text}`);
		const message = res.json && (res.json.message || (res.json.error && res.json.error.message));
		assert.ok(message && String(message).trim(), `no error message in ${res.text}`);
	});
	await checks.check('queue chaos: no orphaned polling after the worker is gone', () => {
		if (!finishedBeforeExit) assert.equal(pollsAfterExit, 0, `${pollsAfterExit} polls after exit`);
		assert.equal(resubmits, 0, 'the image was submitted again');
	});

	// Restart the worker and keep going: a mixed handful must succeed.
	const restartOffset = logSize(victim);
	const restartStarted = Date.now();
	await victim.instance.start();
	report.chaos.restartMs = Date.now() - restartStarted;
	const offsetsAfter = workers.map((w) => (w === victim ? restartOffset : logSize(w)));
	const plan = burstPlan({ chats: 8, images: 4 }).map((r) =>
		r.kind === 'chat'
			? { ...r, text: r.text.replace('burst', 'after-restart') }
			: {
					...r,
					prompt: r.prompt.replace('burst', 'after-restart'),
					delayMs: 3000,
					download: false,
				},
	);
	const results = await sendPlan(main, plan, delays);
	const perWorker = Object.fromEntries(
		workers.map((w, i) => [w.name, workerLog(w, offsetsAfter[i]).started.length]),
	);
	report.chaos.afterRestart = {
		requests: plan.length,
		ok: results.filter((r) => r.res.status === 200).length,
		perWorker,
	};
	await checks.check(`queue chaos: after the restart ${plan.length} requests succeed`, () =>
		assertAnswers(results, emulator),
	);
	await checks.check('queue chaos: the restarted worker takes jobs again', () => {
		assert.ok(perWorker[victim.name] > 0, JSON.stringify(perWorker));
	});
}

// ---------- streaming ----------

async function runStreaming(ctx) {
	const { main, workers, emulator, checks, report, log } = ctx;
	const text = 'stream this answer through a queue worker please';
	const tokenDelayMs = 50;
	emulator.configure({ tokenDelayMs });
	const offsets = workers.map(logSize);
	const reads = [];
	let status = 0;
	let contentType = '';
	const started = Date.now();
	try {
		const res = await fetch(`${main.baseUrl}/webhook/mtai-queue-stream`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ text }),
			signal: AbortSignal.timeout(60000),
		});
		status = res.status;
		contentType = res.headers.get('content-type') || '';
		report.streaming = {
			status,
			contentType,
			transferEncoding: res.headers.get('transfer-encoding'),
		};
		const reader = res.body.getReader();
		const decoder = new TextDecoder();
		for (;;) {
			const { value, done } = await reader.read();
			if (done) break;
			reads.push({ at: Date.now() - started, text: decoder.decode(value, { stream: true }) });
		}
	} finally {
		emulator.configure({ tokenDelayMs: 0 });
	}

	// NDJSON: a chunk may hold several lines or end mid-line; stamp each object with its read.
	const objects = [];
	let buffer = '';
	for (const r of reads) {
		buffer += r.text;
		const lines = buffer.split('\n');
		buffer = lines.pop();
		for (const line of lines) if (line.trim()) objects.push({ at: r.at, line });
	}
	if (buffer.trim())
		objects.push({ at: reads.length ? reads[reads.length - 1].at : 0, line: buffer });
	const parsed = objects.map((o) => {
		try {
			return { at: o.at, ...JSON.parse(o.line) };
		} catch {
			return { at: o.at, type: 'unparsed', content: o.line };
		}
	});
	const items = parsed.filter((p) => p.type === 'item');
	const joined = items.map((p) => p.content).join('');
	const itemReads = new Set(items.map((p) => p.at)).size;
	const span = items.length ? items[items.length - 1].at - items[0].at : 0;
	const ranOn = workers
		.map((w, i) => ({ name: w.name, n: workerLog(w, offsets[i]).started.length }))
		.filter((w) => w.n > 0)
		.map((w) => w.name);
	Object.assign(report.streaming || (report.streaming = { status }), {
		reads: reads.length,
		types: parsed.map((p) => p.type).join(','),
		items: items.length,
		itemReads,
		firstItemMs: items.length ? items[0].at : null,
		spanMs: span,
		joined,
		arrivalsMs: items.map((p) => p.at).join(' '),
		ranOn,
		firstLine: objects.length
			? objects[0].line.slice(0, 200)
			: reads
					.map((r) => r.text)
					.join('')
					.slice(0, 300),
	});
	log(
		`streaming: HTTP ${status}, ${items.length} item chunks over ${span} ms in ${reads.length} reads`,
	);

	await checks.check("queue streaming: the worker's chunks reach the caller in order", () => {
		assert.equal(status, 200);
		assert.equal(joined, `Echo: ${text}`, `types ${report.streaming.types}`);
		assert.ok(
			parsed.some((p) => p.type === 'begin'),
			'no begin chunk',
		);
		assert.ok(
			parsed.some((p) => p.type === 'end'),
			'no end chunk',
		);
	});
	await checks.check('queue streaming: chunks arrive spread over time, not in one piece', () => {
		assert.ok(itemReads >= 3, `item chunks came in ${itemReads} network reads`);
		// Tokens leave the emulator tokenDelayMs apart; delivery cannot be faster than that.
		assert.ok(span >= tokenDelayMs * 2, `first to last item ${span} ms`);
	});
	await checks.check('queue streaming: a worker (not the main) ran the execution', () => {
		assert.equal(ranOn.length, 1, `ran on ${JSON.stringify(ranOn)}`);
	});
}

module.exports = { runBurst, runChaos, runStreaming, postWebhook, jobDelayWatcher, listExecutions };
