'use strict';
/**
 * `npm run test:queue`: the packed package in n8n queue mode, the way teams scale n8n out.
 * Redis + PostgreSQL 15 (Debian's packages, on loopback, from temp folders), an n8n main with
 * EXECUTIONS_MODE=queue and two `n8n worker`s, all loading the package from one user folder.
 * Stages: a mixed burst of 40 webhook calls, a worker stopped with SIGTERM while it polls an image
 * job, a worker killed (SIGKILL) while Generate waits and the paid image fetched from its log, and
 * a streaming webhook served by a worker. Prints the stage times and the stack's peak
 * RSS, ends with `queue: N passed, N failed`; exit code 1 on any failure. Everything it starts is
 * stopped at the end, also on failure or Ctrl-C.
 * Flags: --skip-build (pack the current dist/), --keep (keep the temp folders and logs).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Cleanups, Stages, freePorts, log, waitFor } = require('./lib/util');
const { ensureN8nHost } = require('./lib/n8nHost');
const { buildAndPack, installPackage } = require('./lib/pack');
const { N8nInstance } = require('./lib/n8nProcess');
const { startLocalEmulator, EMULATOR_KEY } = require('./lib/emulator');
const {
	ensureDebianPackages,
	startRedis,
	startPostgres,
	clusterEnv,
	queueWorker,
	MemorySampler,
} = require('./lib/queueInfra');
const wf = require('./lib/workflows');
const { Checks, runStage } = require('../test/e2e/lib/checks');
const q = require('../test/e2e/lib/queueChecks');

const args = new Set(process.argv.slice(2));
const OWNER = { email: 'queue@minitoolai.local', password: 'Queue-Passw0rd!' };
const WORKER_CONCURRENCY = 8;
// Short enough that the chaos stage (a 25 s image job) outlives the drain window.
const WORKER_SHUTDOWN_TIMEOUT_S = 8;
const QUEUE_WORKFLOWS = {
	chat: 'chat.json',
	image: 'image.json',
	stream: 'stream.json',
	getJob: 'getjob.json',
};
const WEBHOOKS = {
	chat: 'mtai-queue-chat',
	image: 'mtai-queue-image',
	stream: 'mtai-queue-stream',
};

const cleanups = new Cleanups().watch();

function loadQueueWorkflow(file, credential) {
	const full = wf.readWorkflow(path.join(wf.WORKFLOW_DIR, 'queue', file));
	return wf.prepareWorkflow(full, { credential });
}

async function setUpMain(main, emulator) {
	await main.ensureOwner(OWNER);
	const apiKey = await main.createApiKey('queue-e2e');
	const credential = await wf.createCredential(main, apiKey, {
		name: 'MiniToolAI emulator',
		apiKey: EMULATOR_KEY,
		baseUrl: emulator.baseUrl,
	});
	const ids = {};
	for (const [role, file] of Object.entries(QUEUE_WORKFLOWS)) {
		ids[role] = await wf.createActiveWorkflow(main, apiKey, loadQueueWorkflow(file, credential));
	}
	return { apiKey, ids };
}

/** Right after activation a webhook answers 404 briefly; the first real answer is a warm-up. */
async function warmUp(main) {
	const bodies = {
		chat: { text: 'warm-up chat' },
		image: { prompt: 'warm-up image' },
		stream: { text: 'warm-up stream' },
	};
	for (const [role, webhook] of Object.entries(WEBHOOKS)) {
		await waitFor(
			`webhook ${webhook}`,
			async () => {
				const res = await q.postWebhook(main, webhook, bodies[role]);
				if (res.status === 404) return false;
				if (res.status !== 200)
					throw new Error(`warm-up ${webhook}: HTTP ${res.status} ${res.text}`);
				return true;
			},
			{ timeoutMs: 60000, intervalMs: 200 },
		);
	}
}

function printReport(report) {
	const j = JSON.stringify;
	const out = (...parts) => console.log(parts.join(''));
	const b = report.burst;
	if (b) {
		const s = (b.burstMs / 1000).toFixed(1);
		out(`\nburst: ${b.requests} requests (${b.chats} chat, ${b.images} image) in ${s} s`);
		out(`  per worker: ${j(b.perWorker)}; failures ${b.failures}; duplicates ${b.duplicates}`);
		out(`  emulator: ${j(b.emulator)}, job polls ${b.jobPolls}`);
		out(`  n8n executions: ${j(b.executions)}`);
		out(`  polls per image job (delay:polls): ${b.pollsPerJob}`);
	}
	const c = report.chaos;
	if (c) {
		out(`\nchaos: execution ${c.executionId} on ${c.worker}, job delay ${c.jobDelayMs} ms`);
		out(`  ${c.pollsBeforeSigterm} polls before SIGTERM, ${c.pollsDuringDrain} while draining`);
		out(`  worker exit ${j(c.exit)} ${c.shutdownMs} ms after SIGTERM`);
		out(`  processes of its group left behind: ${c.leftoverProcesses}`);
		for (const line of c.workerLog || []) out(`    | ${line}`);
		out(`  caller: ${j(c.response)}`);
		out(`  execution in n8n: ${j(c.execution)}`);
		out(`  polls after exit ${c.pollsAfterExit} (total ${c.pollsTotal})`);
		out(`  finished before exit ${c.jobFinishedBeforeExit}, resubmits ${c.resubmits}`);
		out(`  restart ${c.restartMs} ms; after restart ${j(c.afterRestart)}`);
	}
	const s = report.streaming;
	if (s) {
		out(`\nstreaming: HTTP ${s.status} ${s.contentType} (${s.transferEncoding})`);
		out(`  ran on ${j(s.ranOn)}; ${s.items} item chunks in ${s.itemReads} reads`);
		out(`  first item at ${s.firstItemMs} ms, last ${s.spanMs} ms later`);
		out(`  joined ${j(s.joined)}`);
		out(`  item arrivals (ms): ${s.arrivalsMs}`);
		out(`  chunk types: ${s.types}`);
	}
}

async function main() {
	const stages = new Stages();
	const checks = new Checks(log);
	const report = {};
	const sampler = new MemorySampler({ intervalMs: 500 });
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-queue-'));
	const userFolder = path.join(workDir, 'user');
	const logDir = path.join(workDir, 'logs');
	fs.mkdirSync(userFolder);
	fs.mkdirSync(logDir);
	// Postgres needs a folder the postgres user owns, outside our private (0700) work folder.
	const pgRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-queue-pg-'));
	if (!args.has('--keep')) {
		cleanups.push(() => {
			// The n8n, Redis and Postgres logs are what explains a failure: keep them then.
			if (checks.failed > 0) return log(`failed: keeping ${workDir} (logs in ${logDir})`);
			fs.rmSync(workDir, { recursive: true, force: true });
		});
		cleanups.push(() => fs.rmSync(pgRoot, { recursive: true, force: true }));
	}
	cleanups.push(() => sampler.stop());
	log(`work folder ${workDir}, logs in ${logDir}`);

	try {
		const host = await stages.time('n8n host', () => ensureN8nHost());
		const tgz = await stages.time('build + pack', () =>
			buildAndPack({ skipBuild: args.has('--skip-build') }),
		);
		cleanups.push(() => fs.rmSync(path.dirname(tgz), { recursive: true, force: true }));
		// One user folder for main and workers: every worker needs the package installed.
		await stages.time('install tarball', () => installPackage(userFolder, tgz));

		const [redisPort, pgPort, mainPort, ...more] = await freePorts(new Array(9).fill(0));
		const [mainBroker, w1Health, w1Broker, w2Health, w2Broker] = more;
		const { redis, pg } = await stages.time('redis + postgres', async () => {
			await ensureDebianPackages();
			const r = await startRedis({ dir: path.join(workDir, 'redis'), port: redisPort });
			cleanups.push(() => r.stop());
			const p = await startPostgres({ root: pgRoot, port: pgPort });
			cleanups.push(() => p.stop());
			return { redis: r, pg: p };
		});
		sampler.add('redis', () => ({ pids: [redis.pid] }));
		sampler.add('postgres', () => ({ trees: [pg.postmasterPid()] }));

		const emulator = await stages.time('emulator', () =>
			startLocalEmulator({ jobDelayMs: 1000, quiet: true }),
		);
		cleanups.push(() => emulator.close());
		const delays = q.jobDelayWatcher(emulator);
		cleanups.push(() => delays.stop());

		const env = clusterEnv({ redisPort, pgPort });
		const n8nMain = new N8nInstance({
			host,
			userFolder,
			port: mainPort,
			brokerPort: mainBroker,
			extraEnv: env,
			logFile: path.join(logDir, 'main.log'),
		});
		cleanups.push(() => n8nMain.stop());
		const workers = [
			['worker-1', w1Health, w1Broker],
			['worker-2', w2Health, w2Broker],
		].map(([name, healthPort, brokerPort]) =>
			queueWorker({
				name,
				host,
				userFolder,
				logDir,
				healthPort,
				brokerPort,
				concurrency: WORKER_CONCURRENCY,
				env: { ...env, N8N_GRACEFUL_SHUTDOWN_TIMEOUT: String(WORKER_SHUTDOWN_TIMEOUT_S) },
			}),
		);
		for (const w of workers) cleanups.push(() => w.instance.stop());
		const groupOf = (inst) => (inst.server ? [inst.server.pid] : []);
		sampler.add('n8n main', () => ({ groups: groupOf(n8nMain) }));
		for (const w of workers) sampler.add(w.name, () => ({ groups: groupOf(w.instance) }));
		sampler.start();

		// The main runs the migrations on the empty database; workers start once it is ready.
		await stages.time('main start', () => n8nMain.start());
		await stages.time('workers start', () => Promise.all(workers.map((w) => w.instance.start())));
		const { apiKey, ids } = await stages.time('owner, api key, workflows', () =>
			setUpMain(n8nMain, emulator),
		);
		await stages.time('webhooks registered', () => warmUp(n8nMain));

		const ctx = { main: n8nMain, workers, emulator, checks, apiKey, ids, delays, report, log };
		await stages.time('burst', () => q.runBurst(ctx)).catch((e) => checks.fail('burst', e));
		await stages.time('chaos', () => q.runChaos(ctx)).catch((e) => checks.fail('chaos', e));
		await stages.time('crash', () => q.runCrash(ctx)).catch((e) => checks.fail('crash', e));
		await stages
			.time('streaming', () => q.runStreaming(ctx))
			.catch((e) => checks.fail('streaming', e));
	} catch (error) {
		checks.fail('stage', error);
	} finally {
		sampler.sample();
		sampler.stop();
		await stages.time('stop', () => cleanups.runAll());
	}
	printReport(report);
	stages.print();
	console.log(`memory: ${sampler.report()}`);
	checks.finish('queue');
}

runStage('queue', main, cleanups);
