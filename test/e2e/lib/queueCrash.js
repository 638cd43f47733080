'use strict';
/**
 * Queue mode, crash: the worker running a Generate gets SIGKILL (with its task runner) after the
 * image job was submitted and before it finished. The worker's log names the paid job; after the
 * worker's restart, a Get Job webhook fed with that line returns the image, and nothing submitted
 * the job again. What n8n does with the killed execution and its caller is reported, not assumed.
 */
const assert = require('node:assert/strict');

const { paidJobLine } = require('./crashChecks');
const { receivedFrom } = require('./runs');
const {
	sleep,
	postWebhook,
	jobByPrompt,
	killGroup,
	logSize,
	workerLog,
} = require('./queueHelpers');

const PROMPT = 'queue crash: a harbour at night, its worker killed mid-wait';
/** Outlasts the worker's restart (about 7 s), so Get Job finds the job still running at first. */
const JOB_DELAY_MS = 10_000;

async function runCrash(ctx) {
	const { main, workers, emulator, checks, apiKey, delays, report, log } = ctx;
	delays.set(PROMPT, JOB_DELAY_MS);
	const crash = (report.crash = { jobDelayMs: JOB_DELAY_MS });
	const offsets = workers.map(logSize);
	const received = receivedFrom(emulator);
	const pending = postWebhook(
		main,
		'mtai-queue-image',
		{ prompt: PROMPT, maxWaitSeconds: 90 },
		{ timeoutMs: 120_000 },
	).catch((error) => ({ status: 0, text: `network: ${error.message}`, json: null }));

	let victim;
	let found;
	let job;
	await checks.check('queue crash: the worker running Generate logs the paid job', async () => {
		const deadline = Date.now() + 30_000;
		while (Date.now() < deadline && !found) {
			job = jobByPrompt(received(), PROMPT)[0];
			for (const [i, w] of workers.entries()) {
				const line = job && paidJobLine(workerLog(w, offsets[i]).text);
				if (line && line.jobId === String(job.jobid)) {
					victim = w;
					found = line;
				}
			}
			if (!found) await sleep(50);
		}
		assert.ok(job, 'the job was never submitted');
		assert.ok(found, `no worker log names job ${job.jobid}`);
		assert.equal(found.signature, job.signature);
	});
	if (!found) return;

	// SIGKILL the worker's whole group (the worker and its task runner), as an OOM kill would.
	const executionId = workerLog(victim, offsets[workers.indexOf(victim)]).started.pop();
	const child = victim.instance.server;
	const exited = new Promise((r) => child.once('exit', r));
	const killedAt = Date.now();
	killGroup(child.pid);
	await exited;
	crash.worker = victim.name;
	crash.killedAfterSubmitMs = killedAt - job.submittedAt;
	crash.jobDoneAtKill = job.readyAt <= killedAt;
	log(`queue crash: ${victim.name} killed ${crash.killedAfterSubmitMs} ms after the submit`);

	let caller = null;
	pending.then((res) => (caller = { ...res, afterKillMs: Date.now() - killedAt }));
	await victim.instance.start();
	const wait = job.readyAt - Date.now();
	if (wait > 0) await sleep(wait + 100);
	await checks.check(
		'queue crash: Get Job with the logged ID and signature returns the image',
		async () => {
			const got = await postWebhook(main, 'mtai-queue-getjob', {
				jobId: found.jobId,
				signature: found.signature,
			});
			assert.equal(got.status, 200, got.text);
			assert.equal(got.json.done, true, got.text);
			assert.equal(got.json.imageUrl, `${emulator.imageBaseUrl}/images/${job.jobid}.png`);
			assert.equal(jobByPrompt(received(), PROMPT).length, 1, 'the job was submitted again');
		},
	);
	// What n8n made of the killed run so far (reported, not asserted: n8n's business).
	crash.resubmits = jobByPrompt(received(), PROMPT).length - 1;
	crash.caller = caller
		? {
				status: caller.status,
				body: String(caller.text).slice(0, 160),
				afterKillMs: caller.afterKillMs,
			}
		: `no answer yet, ${Date.now() - killedAt} ms after the kill`;
	crash.execution = await executionState(main, apiKey, executionId);
	log(`queue crash: ${JSON.stringify(crash)}`);
}

/** An execution as n8n reports it (status, finished, stoppedAt, its error's message). */
async function executionState(main, apiKey, id) {
	if (!id) return null;
	try {
		const e = await main.request('GET', `/api/v1/executions/${id}?includeData=true`, undefined, {
			apiKey,
		});
		const error = e.data && e.data.resultData && e.data.resultData.error;
		return {
			id,
			status: e.status,
			finished: e.finished,
			stoppedAt: e.stoppedAt,
			error: error ? String(error.message).slice(0, 160) : null,
		};
	} catch (error) {
		return { id, error: error.message };
	}
}

module.exports = { runCrash };
