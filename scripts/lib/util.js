'use strict';
/** Small helpers shared by the sandbox and the end-to-end runner: processes, ports, timing. */
const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(REPO_ROOT, '.cache');

function log(...args) {
	console.log('[minitoolai]', ...args);
}

/**
 * Runs a command to completion. Output is streamed with a prefix when `echo` is set, so a slow
 * cold install shows that it is alive; otherwise it is kept for the error message.
 */
function run(cmd, args, opts = {}) {
	const { cwd = REPO_ROOT, env = process.env, echo = false, prefix = '', allowFail = false } = opts;
	const { onLine } = opts;
	return new Promise((resolve, reject) => {
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		const relay = (stream, chunk) => {
			if (!echo && !onLine) return;
			for (const line of chunk.toString().split('\n')) {
				if (!line.trim()) continue;
				if (onLine) onLine(line);
				else stream.write(`${prefix}${line}\n`);
			}
		};
		child.stdout.on('data', (c) => {
			stdout += c;
			relay(process.stdout, c);
		});
		child.stderr.on('data', (c) => {
			stderr += c;
			relay(process.stderr, c);
		});
		child.on('error', reject);
		child.on('close', (code, signal) => {
			const result = { code, signal, stdout, stderr, pid: child.pid };
			if (code === 0 || allowFail) return resolve(result);
			const tail = (stderr || stdout).split('\n').slice(-30).join('\n');
			reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}\n${tail}`));
		});
	});
}

/** Resolves true when nothing listens on 127.0.0.1:port (and we may bind it). */
function isPortFree(port) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
	});
}

/** A port the OS considers free right now; `preferred` is used when it is free. */
async function freePort(preferred) {
	if (preferred && (await isPortFree(preferred))) return preferred;
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** Distinct free ports: asking the OS twice in a row may hand out the same one. */
async function freePorts(preferredList) {
	const taken = new Set();
	const out = [];
	for (const preferred of preferredList) {
		let port;
		for (let i = 0; i < 20; i++) {
			port = await freePort(i === 0 ? preferred : undefined);
			if (!taken.has(port)) break;
		}
		taken.add(port);
		out.push(port);
	}
	return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or the deadline passes. */
async function waitFor(what, check, { timeoutMs = 60000, intervalMs = 250 } = {}) {
	const deadline = Date.now() + timeoutMs;
	let lastError;
	while (Date.now() < deadline) {
		try {
			const value = await check();
			if (value) return value;
		} catch (error) {
			if (error.fatal) throw error;
			lastError = error;
		}
		await sleep(intervalMs);
	}
	throw new Error(
		`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`,
	);
}

/** Times named stages so both runners can print where the minutes went. */
class Stages {
	constructor() {
		this.list = [];
		this.startedAt = Date.now();
	}
	async time(name, fn) {
		const started = Date.now();
		log(`stage ${name} ...`);
		try {
			return await fn();
		} finally {
			const ms = Date.now() - started;
			this.list.push({ name, ms });
			log(`stage ${name}: ${(ms / 1000).toFixed(1)} s`);
		}
	}
	summary() {
		return this.list.map((s) => `  ${s.name.padEnd(28)} ${(s.ms / 1000).toFixed(1)} s`).join('\n');
	}
	/** Every stage's time and the total since the runner began (made this object). */
	print() {
		const total = ((Date.now() - this.startedAt) / 1000).toFixed(1);
		console.log(`\nstage durations:\n${this.summary()}\n  ${'total'.padEnd(28)} ${total} s`);
	}
}

/**
 * What a runner started, stopped in reverse order on exit, Ctrl-C, SIGTERM, or when its parent
 * goes away (`kill <npm pid>` ends npm without passing the signal on).
 */
class Cleanups {
	constructor() {
		this.list = [];
		this.stopping = false;
	}

	push(fn) {
		this.list.push(fn);
	}

	async runAll() {
		while (this.list.length) {
			const fn = this.list.pop();
			await Promise.resolve()
				.then(fn)
				.catch((e) => log(`cleanup: ${e.message}`));
		}
	}

	/** Stops everything, then exits with `code`; later calls wait for the first. */
	async exit(reason, code) {
		if (this.stopping) return;
		this.stopping = true;
		log(`${reason}: stopping everything`);
		await this.runAll();
		process.exit(code);
	}

	/** Installs the signal and orphan handlers; `code` is the exit code they end with. */
	watch(code = 130) {
		for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => this.exit(signal, code));
		const parentPid = process.ppid;
		setInterval(() => {
			if (process.ppid !== parentPid) this.exit('parent gone', code);
		}, 1000).unref();
		return this;
	}
}

module.exports = {
	Cleanups,
	REPO_ROOT,
	CACHE_DIR,
	log,
	run,
	isPortFree,
	freePort,
	freePorts,
	sleep,
	waitFor,
	Stages,
};
