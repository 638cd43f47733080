'use strict';
/**
 * A run killed while Generate waits: `n8n execute` gets SIGKILL after MiniToolAI accepted the image
 * job and before the job finished. The job is paid for; n8n's own log, at its default level, must
 * name it and say how to fetch it, and a Get Job workflow made from that line alone must return
 * the image. The emulator must have seen one submit only (nothing paid twice).
 */
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');

const PROMPT = 'crash recovery: a lighthouse that outlives its n8n';
/** Long enough that the job is still running when n8n is killed, short enough to wait out. */
const JOB_DELAY_MS = 6_000;
/** From the submit until the log line must have appeared. */
const LINE_WITHIN_MS = 15_000;
const GENERATE_ID = 'mtaiCaseCrashGen';
const GET_JOB_ID = 'mtaiCaseCrashGet';
const CRED = { miniToolAiApi: { id: 'minitoolaiCred01', name: 'MiniToolAI account' } };

/** The node's line: `MiniToolAI image job <id> submitted (...) ... Job ID <id>, Signature <sig>`. */
function paidJobLine(text) {
	const m = /MiniToolAI image job (\d+) submitted.*Job ID (\d+), Signature (\S+)/.exec(text);
	return m ? { line: m[0], jobId: m[2], signature: m[3] } : null;
}

const imageNode = (parameters) => ({
	id: 'crash-image',
	name: 'Image',
	type: 'n8n-nodes-minitoolai.miniToolAiTextToImage',
	typeVersion: 1,
	position: [240, 0],
	parameters,
	credentials: CRED,
});

/** Manual Trigger -> one Text to Image node. */
function workflow(id, name, parameters) {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: 'crash-start',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			imageNode(parameters),
		],
		connections: { Start: { main: [[{ node: 'Image', type: 'main', index: 0 }]] } },
	};
}

/**
 * Starts `n8n execute` with n8n's default log settings (no N8N_LOG_LEVEL) and SIGKILLs its process
 * group once the job is submitted and the log has named it (or LINE_WITHIN_MS after the submit).
 */
async function executeAndKill(n8n, emulator, id) {
	const env = n8n.env();
	delete env.N8N_LOG_LEVEL;
	delete env.N8N_LOG_OUTPUT;
	const child = spawn(n8n.host.nodeBin, [n8n.host.n8nBin, 'execute', `--id=${id}`], {
		cwd: n8n.userFolder,
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	child.stdout.on('data', (d) => (output += d));
	child.stderr.on('data', (d) => (output += d));
	const exited = new Promise((resolve) =>
		child.once('exit', (code, signal) => resolve({ code, signal })),
	);
	let ended = null;
	exited.then((e) => (ended = e));
	const job = () => [...emulator.jobs.values()].find((j) => j.body && j.body.prompt === PROMPT);
	for (;;) {
		const submitted = job();
		if (
			ended ||
			(submitted && (paidJobLine(output) || Date.now() - submitted.submittedAt > LINE_WITHIN_MS))
		)
			break;
		await new Promise((r) => setTimeout(r, 20));
	}
	const killedAt = Date.now();
	try {
		process.kill(-child.pid, 'SIGKILL');
	} catch {
		// already gone
	}
	const exit = await exited;
	return { output, exit, killedAt, job: job() };
}

/**
 * @param {object} ctx { n8n (its CLI), emulator, checks, log, key (the API key, which no log line
 *   may hold), restoreJobDelayMs (the emulator's job delay to put back) }
 */
async function runCrashChecks({ n8n, emulator, checks, log, key, restoreJobDelayMs }) {
	const report = {};
	const before = emulator.requests.length;
	emulator.configure({ jobDelayMs: JOB_DELAY_MS });
	let killed;
	let found;
	try {
		await checks.check(
			'crash: n8n killed while Generate waits; its log (default level) names the paid job',
			async () => {
				await n8n.importWorkflow(
					workflow(GENERATE_ID, 'MiniToolAI e2e: Generate killed mid-wait', {
						operation: 'generate',
						prompt: PROMPT,
						width: 256,
						height: 256,
						options: { maxWaitSeconds: 120 },
					}),
				);
				killed = await executeAndKill(n8n, emulator, GENERATE_ID);
				const { job, output, exit } = killed;
				assert.ok(job, `no job was submitted; n8n said:\n${output.slice(-2000)}`);
				assert.equal(exit.signal, 'SIGKILL', `n8n ended by itself: ${JSON.stringify(exit)}`);
				assert.ok(job.readyAt > killed.killedAt, 'the job finished before n8n was killed');
				found = paidJobLine(output);
				assert.ok(found, `the log does not name the job:\n${output.slice(-2000)}`);
				assert.equal(found.jobId, String(job.jobid));
				assert.equal(found.signature, job.signature);
				assert.ok(!output.includes(key), 'the API key is in the log');
				report.line = found.line;
				log(
					`crash: killed n8n ${killed.killedAt - job.submittedAt} ms after the submit; log: ${found.line}`,
				);
			},
		);
		if (!found) return report;
		await checks.check(
			'crash: Get Job with the logged ID and signature returns the paid image',
			async () => {
				await n8n.importWorkflow(
					workflow(GET_JOB_ID, 'MiniToolAI e2e: Get Job after a crash', {
						operation: 'getJob',
						jobId: found.jobId,
						signature: found.signature,
						downloadImage: true,
					}),
				);
				const job = killed.job;
				const wait = job.readyAt - Date.now();
				if (wait > 0) await new Promise((r) => setTimeout(r, wait + 100));
				const res = await n8n.execute(GET_JOB_ID);
				assert.equal(
					res.code,
					0,
					`Get Job failed:\n${res.stdout.slice(-2000)}\n${res.stderr.slice(-1000)}`,
				);
				const run = res.output.data.resultData.runData.Image[0].data.main[0][0];
				assert.equal(run.json.done, true);
				assert.equal(run.json.imageUrl, `${emulator.imageBaseUrl}/images/${job.jobid}.png`);
				assert.equal(run.binary.data.mimeType, 'image/png');
				const seen = emulator.requests.slice(before);
				const submits = seen.filter((r) => r.path.replace(/\/$/, '') === '/api/texttoimage');
				assert.equal(submits.length, 1, 'the job was submitted more than once');
				const polls = seen.filter((r) => r.path.startsWith('/api/texttoimage/jobs'));
				const last = polls[polls.length - 1];
				assert.deepEqual(
					{ jobid: String(last.body.jobid), signature: last.body.signature, status: last.status },
					{ jobid: found.jobId, signature: found.signature, status: 200 },
				);
				const downloads = seen.filter((r) => r.server === 'image' && r.status === 200);
				assert.equal(downloads.length, 1, 'the image was not downloaded once');
				report.recovered = run.json.imageUrl;
			},
		);
	} finally {
		emulator.configure({ jobDelayMs: restoreJobDelayMs });
	}
	return report;
}

/**
 * Once `n8n start` has run (owner logged in): n8n lists the killed run as crashed, not as running
 * and not run again, as docs/reliability.md says.
 */
async function checkKilledRunAfterRestart({ n8n, checks }) {
	await checks.check('crash: after a restart n8n lists the killed run as crashed', async () => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: GENERATE_ID }));
		const list = await n8n.request('GET', `/rest/executions?filter=${filter}`);
		const runs = (list.results || []).map((e) => ({ id: e.id, status: e.status, mode: e.mode }));
		assert.equal(runs.length, 1, JSON.stringify(runs));
		assert.equal(runs[0].status, 'crashed', JSON.stringify(runs));
	});
}

module.exports = { runCrashChecks, checkKilledRunAfterRestart, paidJobLine };
