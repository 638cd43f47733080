'use strict';
/**
 * Helpers shared by the queue-mode checks: webhook calls, what the emulator saw, which worker ran
 * what (worker logs, process groups), n8n's execution list, and per-job delays in the emulator.
 */
const fs = require('node:fs');

const CHAT_PATH = '/api/chat-completions/';
const SUBMIT_PATH = '/api/texttoimage/';
const JOB_PATH = '/api/texttoimage/jobs/';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

/** The jobs with this prompt among what one round received (runs.js receivedFrom). */
function jobByPrompt(received, prompt) {
	return received.jobs.filter((j) => j.body && j.body.prompt === prompt);
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

module.exports = {
	CHAT_PATH,
	SUBMIT_PATH,
	JOB_PATH,
	sleep,
	postWebhook,
	lastUserText,
	jobByPrompt,
	workerLog,
	groupMembers,
	killGroup,
	logSize,
	listExecutions,
	jobDelayWatcher,
	countBy,
};
