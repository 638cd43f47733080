'use strict';
/**
 * Queue mode, chaos: a worker gets SIGTERM while it polls an image job; the caller must get the
 * image or a clear error, no polling may outlive the worker, and after a restart jobs flow again.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');

const {
	sleep,
	postWebhook,
	jobByPrompt,
	workerLog,
	groupMembers,
	killGroup,
	logSize,
} = require('./queueHelpers');
const { burstPlan, sendPlan, assertAnswers } = require('./queueBurst');
const { receivedFrom } = require('./runs');

async function runChaos(ctx) {
	const { main, workers, emulator, checks, apiKey, delays, report, log } = ctx;
	const prompt = 'queue chaos: a lighthouse in a storm, worker stopped mid-poll';
	const jobDelayMs = 25000;
	delays.set(prompt, jobDelayMs);
	report.chaos = { jobDelayMs };
	const offsets = workers.map(logSize);
	// What the emulator receives from here on: this check's job, then the after-restart round.
	const received = receivedFrom(emulator);

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
		job = jobByPrompt(received(), prompt)[0];
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
	const resubmits = jobByPrompt(received(), prompt).length - 1;
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
		assertAnswers(results, received(), emulator.imageBaseUrl),
	);
	await checks.check('queue chaos: the restarted worker takes jobs again', () => {
		assert.ok(perWorker[victim.name] > 0, JSON.stringify(perWorker));
	});
}

module.exports = { runChaos };
