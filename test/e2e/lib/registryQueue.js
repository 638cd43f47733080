'use strict';
/**
 * The registry stage in queue mode: Redis and PostgreSQL (scripts/lib/queueInfra.js), an n8n main
 * and one worker, each with its own user folder given the package by the README's install command
 * (as separate containers or hosts are), then the three-node workflow through the main's webhook,
 * run by the worker.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { freePorts } = require('../../../scripts/lib/util');
const { N8nInstance } = require('../../../scripts/lib/n8nProcess');
const {
	clusterEnv,
	ensureDebianPackages,
	startRedis,
	startPostgres,
} = require('../../../scripts/lib/queueInfra');
const rc = require('./registryChecks');
const { workerLog, logSize } = require('./queueHelpers');

const WORKER_CONCURRENCY = 2;

/** `install(n8n, registry, 'install')` runs the README's install command for an instance. */
async function runQueueInstall(ctx) {
	const { host, registry, emulator, workDir, checks, stages, cleanups, owner, install } = ctx;
	const dir = path.join(workDir, 'queue');
	fs.mkdirSync(dir);
	const [redisPort, pgPort, mainPort, mainBroker, health, workerBroker] = await freePorts(
		new Array(6).fill(0),
	);
	await stages.time('redis + postgres', async () => {
		await ensureDebianPackages();
		const redis = await startRedis({ dir: path.join(dir, 'redis'), port: redisPort });
		cleanups.push(() => redis.stop());
		// Postgres needs a folder its user owns, outside our private (0700) work folder.
		const pgRoot = fs.mkdtempSync(path.join(path.dirname(workDir), 'minitoolai-registry-pg-'));
		cleanups.push(() => fs.rmSync(pgRoot, { recursive: true, force: true }));
		const pg = await startPostgres({ root: pgRoot, port: pgPort });
		cleanups.push(() => pg.stop());
	});
	const env = clusterEnv({ redisPort, pgPort });
	const main = new N8nInstance({
		host,
		userFolder: path.join(dir, 'main'),
		port: mainPort,
		brokerPort: mainBroker,
		extraEnv: env,
	});
	cleanups.push(() => main.stop());
	const worker = {
		name: 'worker',
		instance: new N8nInstance({
			host,
			userFolder: path.join(dir, 'worker'),
			port: health,
			brokerPort: workerBroker,
			command: ['worker', `--concurrency=${WORKER_CONCURRENCY}`],
			readyUrl: `http://127.0.0.1:${health}/healthz/readiness`,
			extraEnv: {
				...env,
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(health),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			},
		}),
	};
	cleanups.push(() => worker.instance.stop());

	let instance = null;
	await checks.check(
		'queue: the README command gives the main and the worker the package',
		async () => {
			for (const n8n of [main, worker.instance]) {
				await install(n8n, registry, 'install');
				assert.ok(rc.installedOnDisk(n8n).version, `nothing installed in ${n8n.userFolder}`);
			}
			// The main runs the migrations on the empty database; the worker starts once it is ready.
			await stages.time('queue: main + worker start', async () => {
				await main.start();
				await worker.instance.start();
			});
			instance = await rc.setUpInstance(main, emulator, owner);
		},
	);
	await checks.check('queue: the worker runs the three nodes', async () => {
		assert.ok(instance, 'the cluster did not start');
		const offset = logSize(worker);
		const execution = await rc.runThreeNodes({
			n8n: main,
			emulator,
			...instance,
			topic: 'night train through the mountains',
		});
		const seen = workerLog(worker, offset);
		assert.ok(
			seen.started.includes(String(execution.id)),
			`execution ${execution.id} not started by the worker: ${JSON.stringify(seen.started)}`,
		);
	});
}

module.exports = { runQueueInstall };
