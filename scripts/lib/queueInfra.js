'use strict';
/**
 * What n8n queue mode needs besides n8n: Redis (the job queue) and PostgreSQL (shared database),
 * both from Debian's packages, run on loopback from folders of our own so nothing system-wide
 * (services, /etc, /var/lib) is touched. Plus a memory sampler reading RSS from /proc.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { log, run, sleep, waitFor } = require('./util');
const { N8nInstance } = require('./n8nProcess');

const PG_USER = 'postgres';

/** The newest PostgreSQL bin folder Debian installed, or null. */
function findPgBin() {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return null;
	const versions = fs
		.readdirSync(root)
		.filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
		.sort((a, b) => Number(b) - Number(a));
	return versions.length ? path.join(root, versions[0], 'bin') : null;
}

function findRedis() {
	return ['/usr/bin/redis-server', '/usr/sbin/redis-server'].find((p) => fs.existsSync(p)) || null;
}

/** Installs redis-server and postgresql from Debian only when one of them is missing. */
async function ensureDebianPackages() {
	if (findRedis() && findPgBin()) return { installed: false };
	if (process.getuid() !== 0) {
		throw new Error('redis-server/postgresql missing and not root: apt-get install them first');
	}
	log('queue: apt-get install redis-server postgresql');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	await run('apt-get', ['update', '-qq'], { env });
	await run('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server', 'postgresql'], {
		env,
	});
	if (!findRedis() || !findPgBin()) throw new Error('apt-get ran but redis/postgresql missing');
	return { installed: true };
}

function tcpAnswers(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		socket.once('connect', () => {
			socket.destroy();
			resolve(true);
		});
		socket.once('error', () => resolve(false));
	});
}

/**
 * redis-server in the foreground as our child (not --daemonize), so its pid is known for the
 * memory sampler and stopping it cannot hit anyone else's Redis.
 */
async function startRedis({ dir, port }) {
	fs.mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'redis.log');
	const out = fs.openSync(logFile, 'a');
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
	args.push('--daemonize', 'no', '--save', '', '--appendonly', 'no');
	const child = spawn(findRedis(), args, { stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	let exited = false;
	child.on('exit', () => {
		exited = true;
	});
	await waitFor(`redis on ${port} (log: ${logFile})`, async () => {
		if (exited) throw Object.assign(new Error('redis-server exited early'), { fatal: true });
		return tcpAnswers(port);
	});
	return {
		port,
		pid: child.pid,
		async stop() {
			if (exited) return;
			const gone = new Promise((r) => child.once('exit', r));
			child.kill('SIGTERM');
			await Promise.race([gone, sleep(5000)]);
			if (!exited) child.kill('SIGKILL');
		},
	};
}

/** Runs a PostgreSQL tool as the postgres user when we are root (initdb refuses root). */
function asPgUser(bin, args) {
	if (process.getuid() !== 0) return run(bin, args, { cwd: os.tmpdir() });
	return run('runuser', ['-u', PG_USER, '--', bin, ...args], { cwd: os.tmpdir() });
}

/**
 * initdb + pg_ctl start in a fresh folder owned by the postgres user; trust auth, loopback only,
 * the socket in the same folder. Returns { port, dataDir, postmasterPid(), stop() }.
 */
async function startPostgres({ root, port }) {
	const bin = findPgBin();
	fs.mkdirSync(root, { recursive: true });
	if (process.getuid() === 0) await run('chown', [`${PG_USER}:${PG_USER}`, root]);
	const dataDir = path.join(root, 'data');
	const logFile = path.join(root, 'postgres.log');
	await asPgUser(path.join(bin, 'initdb'), [
		'-D',
		dataDir,
		'-U',
		PG_USER,
		'--auth=trust',
		'--no-sync',
	]);
	const opts = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
	await asPgUser(path.join(bin, 'pg_ctl'), [
		'-D',
		dataDir,
		'-o',
		opts,
		'-l',
		logFile,
		'-w',
		'start',
	]);
	let stopped = false;
	return {
		port,
		dataDir,
		logFile,
		postmasterPid() {
			try {
				return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
			} catch {
				return null;
			}
		},
		async stop() {
			if (stopped) return;
			stopped = true;
			await asPgUser(path.join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
		},
	};
}

/** Settings every n8n process of a queue-mode cluster shares: queue, Redis, Postgres, Bull. */
function clusterEnv({ redisPort, pgPort }) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(pgPort),
		DB_POSTGRESDB_DATABASE: 'postgres',
		DB_POSTGRESDB_USER: 'postgres',
		DB_POSTGRESDB_PASSWORD: '',
		// Bull's defaults (60 s lock, 30 s stalled check) would make a killed worker slow to settle.
		QUEUE_WORKER_LOCK_DURATION: '10000',
		QUEUE_WORKER_LOCK_RENEW_TIME: '2500',
		QUEUE_WORKER_STALLED_INTERVAL: '5000',
	};
}

/**
 * An `n8n worker` of the cluster (not started): its own health-check and task-broker ports, its
 * log in `logDir`. Returns { name, instance }.
 */
function queueWorker({ name, host, userFolder, env, logDir, healthPort, brokerPort, concurrency }) {
	const instance = new N8nInstance({
		host,
		userFolder,
		port: healthPort,
		brokerPort,
		command: ['worker', `--concurrency=${concurrency}`],
		readyUrl: `http://127.0.0.1:${healthPort}/healthz/readiness`,
		logFile: path.join(logDir, `${name}.log`),
		extraEnv: {
			...env,
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		},
	});
	return { name, instance };
}

/** Every process on the machine: pid -> { ppid, pgrp, rssKb }. */
function readProcTable() {
	const table = new Map();
	for (const name of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(name)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
			// The command name may contain spaces and parentheses: fields start after the last ')'.
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			const rssPages = Number(fields[21]);
			table.set(Number(name), {
				ppid: Number(fields[1]),
				pgrp: Number(fields[2]),
				rssKb: (rssPages * 4096) / 1024,
			});
		} catch {
			// exited while we looked
		}
	}
	return table;
}

/**
 * Samples the summed RSS of the stack every `intervalMs`: whole process groups (n8n and its task
 * runners), single pids (redis) and process trees (the postmaster and its backends).
 */
class MemorySampler {
	constructor({ intervalMs = 500 } = {}) {
		this.intervalMs = intervalMs;
		this.sources = [];
		this.peakKb = 0;
		this.peakDetail = null;
		this.samples = 0;
		this.timer = null;
	}
	/** source: () => ({ groups: [pgid], pids: [pid], trees: [pid] }) for one named component. */
	add(name, source) {
		this.sources.push({ name, source });
	}
	sample() {
		const table = readProcTable();
		const detail = {};
		let total = 0;
		for (const { name, source } of this.sources) {
			const { groups = [], pids = [], trees = [] } = source() || {};
			const want = new Set(pids.filter(Boolean));
			for (const [pid, p] of table) {
				if (groups.includes(p.pgrp)) want.add(pid);
				if (trees.includes(p.ppid)) want.add(pid);
			}
			for (const t of trees) if (t) want.add(t);
			let kb = 0;
			for (const pid of want) kb += table.has(pid) ? table.get(pid).rssKb : 0;
			detail[name] = (detail[name] || 0) + kb;
			total += kb;
		}
		this.samples++;
		if (total > this.peakKb) {
			this.peakKb = total;
			this.peakDetail = detail;
		}
	}
	start() {
		this.timer = setInterval(() => this.sample(), this.intervalMs);
		this.timer.unref();
	}
	stop() {
		if (this.timer) clearInterval(this.timer);
		this.timer = null;
	}
	report() {
		const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
		const parts = Object.entries(this.peakDetail || {}).map(([k, v]) => `${k} ${mb(v)}`);
		return `peak RSS ${mb(this.peakKb)} (${parts.join(', ')}; ${this.samples} samples)`;
	}
}

module.exports = {
	ensureDebianPackages,
	startRedis,
	startPostgres,
	clusterEnv,
	queueWorker,
	MemorySampler,
	findPgBin,
};
