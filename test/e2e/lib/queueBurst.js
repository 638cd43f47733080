'use strict';
/**
 * Queue mode, burst: a mixed burst of chat and image webhooks through main and two workers; every
 * answer must be its own request's, sent once to the emulator, run once on one worker.
 * burstPlan/sendPlan/assertAnswers are reused by the chaos check's after-restart round.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');

const { receivedFrom, apiRequests } = require('./runs');
const {
	CHAT_PATH,
	SUBMIT_PATH,
	JOB_PATH,
	postWebhook,
	lastUserText,
	jobByPrompt,
	workerLog,
	logSize,
	listExecutions,
	countBy,
} = require('./queueHelpers');

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

/**
 * Each answer belongs to ITS request: chat echoes its text, image URL is its own job's among the
 * jobs this round sent (`received`, runs.js).
 */
function assertAnswers(results, received, imageBaseUrl) {
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
		const jobs = jobByPrompt(received, r.prompt);
		if (jobs.length !== 1) {
			wrong.push(`${label}: ${jobs.length} emulator jobs`);
			continue;
		}
		const url = `${imageBaseUrl}/images/${jobs[0].jobid}.png`;
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
	// The checks below read only what this burst sent (read at each check: a late duplicate counts).
	const received = receivedFrom(emulator);
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
		assertAnswers(results, received(), emulator.imageBaseUrl),
	);

	await checks.check(
		'queue burst: emulator saw one chat per chat call, one submit per image',
		() => {
			const chatReqs = apiRequests(received(), CHAT_PATH);
			const perText = countBy(chatReqs.map(lastUserText));
			const dupChats = chats.filter((r) => perText.get(r.text) !== 1);
			const submits = apiRequests(received(), SUBMIT_PATH);
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
			polls: jobByPrompt(received(), r.prompt)[0]?.polls.length ?? 0,
		}));
		const longest = Math.max(...polls.filter((p) => p.delayMs >= 6000).map((p) => p.polls));
		report.burst.pollsPerJob = polls.map((p) => `${p.delayMs / 1000}s:${p.polls}`).join(' ');
		report.burst.jobPolls = apiRequests(received(), JOB_PATH).length;
		assert.ok(longest >= 4, `6 s jobs got at most ${longest} polls`);
		// Every poll is for a job of this burst and carries the key.
		for (const p of apiRequests(received(), JOB_PATH)) {
			assert.equal(p.headers.authorization, 'Bearer emulator-key');
		}
	});

	await checks.check('queue burst: downloaded images fetched once each from the image host', () => {
		const wanted = images.filter((r) => r.download);
		const gets = received().requests.filter((r) => r.server === 'image' && r.method === 'GET');
		const perPath = countBy(gets.map((g) => g.path));
		for (const r of wanted) {
			const job = jobByPrompt(received(), r.prompt)[0];
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

module.exports = { runBurst, burstPlan, sendPlan, assertAnswers };
