'use strict';
/**
 * Drives one real n8n instance: its environment, the CLI (import, execute), the server and the
 * REST calls a first-time user makes. Every spawned server runs in its own process group and is
 * killed on exit, so a failed run never leaves an n8n behind holding ports.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { log, run, sleep, waitFor } = require('./util');
const { hostEnv } = require('./n8nHost');
const { withCoreDumps, coreBacktrace } = require('./coreDump');

// Fixed so that credentials imported in one command can be decrypted by the next.
const ENCRYPTION_KEY = 'minitoolai-e2e-fixed-encryption-key';
// The expression engine of `n8n execute`. With n8n's default (`vm`, isolated-vm) the command exits
// while its isolate pool is still warming the next isolate, and that thread can crash the exiting
// process (test/e2e/README.md). `n8n start` and workers keep the default.
const CLI_EXPRESSION_ENGINE = 'legacy';

const liveGroups = new Set();
// Last line of defence: whatever way the runner exits, no server survives it.
process.on('exit', () => {
	for (const pid of liveGroups) {
		try {
			process.kill(-pid, 'SIGKILL');
		} catch {
			// already gone
		}
	}
});

class N8nInstance {
	/**
	 * @param {object} opts
	 * @param {{nodeBin: string, n8nBin: string, nodeDir: string}} opts.host from ensureN8nHost()
	 * @param {string} opts.userFolder holds .n8n (database, settings, community nodes)
	 * @param {number} opts.port  @param {number} opts.brokerPort task-runner broker port
	 * @param {string[]} [opts.command] what start() runs, e.g. ['worker', '--concurrency=8']
	 * @param {string} [opts.readyUrl] answers 200 when ready (a worker's health-check port)
	 */
	constructor({ host, userFolder, port, brokerPort, extraEnv = {}, logFile, command, readyUrl }) {
		this.host = host;
		this.userFolder = userFolder;
		this.port = port;
		this.brokerPort = brokerPort;
		this.extraEnv = extraEnv;
		this.scratch = path.join(userFolder, 'scratch');
		this.logFile = logFile || path.join(userFolder, 'n8n-server.log');
		this.baseUrl = `http://127.0.0.1:${port}`;
		this.command = command || ['start'];
		this.readyUrl = readyUrl || `${this.baseUrl}/healthz/readiness`;
		this.server = null;
		this.cookie = '';
		// `n8n execute` runs whose process died after printing the finished run: "<id> (<signal>)".
		this.deathsAfterRun = [];
		fs.mkdirSync(path.join(this.scratch, 'tmp'), { recursive: true });
	}

	env() {
		return hostEnv(this.host, {
			N8N_USER_FOLDER: this.userFolder,
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_SECURE_COOKIE: 'false',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_HOST: '127.0.0.1',
			N8N_PORT: String(this.port),
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
			N8N_LOG_LEVEL: 'info',
			HOME: this.scratch,
			TMPDIR: path.join(this.scratch, 'tmp'),
			// The emulator is on loopback; a proxy from the environment must not intercept it.
			NO_PROXY: '127.0.0.1,localhost,::1',
			no_proxy: '127.0.0.1,localhost,::1',
			...this.extraEnv,
		});
	}

	/** Runs one n8n CLI command with the host's Node. */
	cli(args, opts = {}) {
		return run(this.host.nodeBin, [this.host.n8nBin, ...args], {
			cwd: this.userFolder,
			env: this.env(),
			...opts,
		});
	}

	async importJson(kind, data) {
		const file = path.join(this.scratch, `import-${kind}-${Date.now()}.json`);
		fs.writeFileSync(file, JSON.stringify(data, null, 2));
		await this.cli([`import:${kind}`, `--input=${file}`]);
	}

	/** Plaintext `data` is accepted; n8n encrypts it with ENCRYPTION_KEY. */
	importCredentials(list) {
		return this.importJson('credentials', Array.isArray(list) ? list : [list]);
	}

	importWorkflow(workflow) {
		return this.importJson('workflow', workflow);
	}

	/** Several workflows with one n8n start-up: one file each in a folder, `--separate`. */
	async importWorkflows(workflows) {
		const dir = path.join(this.scratch, `workflows-${Date.now()}`);
		fs.mkdirSync(dir);
		workflows.forEach((w, i) => {
			fs.writeFileSync(path.join(dir, `${String(i).padStart(2, '0')}.json`), JSON.stringify(w));
		});
		await this.cli(['import:workflow', '--separate', `--input=${dir}`]);
	}

	/**
	 * `n8n execute --id --rawOutput`: log lines, then the run data as pretty JSON from the first
	 * line that is exactly `{` to the last that is exactly `}` (log lines, e.g. the task runner
	 * registering, may follow it). Exit code 1 when a node failed (n8n then also prints the run).
	 * Never run twice: a second run would send its requests to the emulator again.
	 * Runs with the legacy expression engine (CLI_EXPRESSION_ENGINE). Should n8n's process still die
	 * by a signal after it printed the finished run, the run is judged by what it printed (the exit
	 * code n8n would have given: 1 if the run has an error), `diedAfterRun` names the signal and the
	 * crashing thread's backtrace is logged when a core file is there to read. A process that dies
	 * without a complete, finished run printed throws.
	 * `expressionEngine: null` keeps n8n's default engine (what users run; the bench measures it).
	 */
	async execute(id, { expressionEngine = CLI_EXPRESSION_ENGINE } = {}) {
		const started = Date.now();
		const [cmd, args] = withCoreDumps(this.host.nodeBin, [
			this.host.n8nBin,
			...['execute', `--id=${id}`, '--rawOutput'],
		]);
		const env = this.env();
		if (expressionEngine) env.N8N_EXPRESSION_ENGINE = expressionEngine;
		const res = await run(cmd, args, { cwd: this.userFolder, env, allowFail: true });
		const output = parseRunJson(res.stdout);
		let code = res.code;
		if (res.signal) {
			const finished = Boolean(output && output.finished !== undefined && output.data);
			const backtrace = await coreBacktrace({
				cwd: this.userFolder,
				pid: res.pid,
				binary: this.host.nodeBin,
			});
			const tail = `${res.stdout.slice(-1500)}\n${res.stderr.slice(-1500)}`;
			if (!finished) {
				throw new Error(
					`n8n execute ${id} died by ${res.signal} before printing a finished run. ` +
						`Backtrace:\n${backtrace}\nLast output:\n${tail}`,
				);
			}
			this.deathsAfterRun.push(`${id} (${res.signal})`);
			log(`n8n execute ${id} died by ${res.signal} after printing its finished run. Backtrace:`);
			log(backtrace);
			code = output.data.resultData && output.data.resultData.error ? 1 : 0;
		}
		return {
			code,
			diedAfterRun: res.signal || null,
			output,
			stdout: res.stdout,
			stderr: res.stderr,
			ms: Date.now() - started,
		};
	}

	/** `n8n start` (or `command`) in its own process group; resolves when readyUrl answers 200. */
	async start({ timeoutMs = 120000 } = {}) {
		const out = fs.openSync(this.logFile, 'a');
		this.server = spawn(this.host.nodeBin, [this.host.n8nBin, ...this.command], {
			cwd: this.userFolder,
			env: this.env(),
			stdio: ['ignore', out, out],
			detached: true,
		});
		fs.closeSync(out);
		const child = this.server;
		liveGroups.add(child.pid);
		let exited = null;
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			liveGroups.delete(child.pid);
		});
		await waitFor(
			`n8n on ${this.baseUrl} (log: ${this.logFile})`,
			async () => {
				if (exited) {
					const tail = fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-20).join('\n');
					throw Object.assign(new Error(`n8n exited early (${exited.code})\n${tail}`), {
						fatal: true,
					});
				}
				const res = await fetch(this.readyUrl).catch(() => null);
				return res && res.status === 200;
			},
			{ timeoutMs, intervalMs: 500 },
		);
	}

	/** SIGTERM the whole group, SIGKILL after the grace period. Safe to call twice. */
	async stop({ graceMs = 10000 } = {}) {
		const child = this.server;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const gone = new Promise((r) => child.once('exit', r));
		try {
			process.kill(-child.pid, 'SIGTERM');
		} catch {
			return;
		}
		const timedOut = await Promise.race([gone.then(() => false), sleep(graceMs).then(() => true)]);
		if (timedOut) {
			log(`n8n on port ${this.port} ignored SIGTERM for ${graceMs} ms, killing`);
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// gone meanwhile
			}
			await gone;
		}
		liveGroups.delete(child.pid);
	}

	/** JSON request against the server with the session cookie (internal REST) or an API key. */
	async request(method, urlPath, body, { apiKey } = {}) {
		const headers = { accept: 'application/json' };
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (this.cookie) headers.cookie = this.cookie;
		if (apiKey) headers['x-n8n-api-key'] = apiKey;
		const res = await fetch(`${this.baseUrl}${urlPath}`, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = res.headers.getSetCookie ? res.headers.getSetCookie() : [];
		const auth = setCookie.find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth.split(';')[0];
		const text = await res.text();
		let json = null;
		try {
			json = text ? JSON.parse(text) : null;
		} catch {
			json = null;
		}
		if (!res.ok) {
			const err = new Error(`${method} ${urlPath} -> ${res.status}: ${text.slice(0, 300)}`);
			err.status = res.status;
			throw err;
		}
		return json && json.data !== undefined && !apiKey ? json.data : json;
	}

	/** Creates the instance owner on first use; logs in either way (sets the session cookie). */
	async ensureOwner({ email, password, firstName = 'Sandbox', lastName = 'Owner' }) {
		const settings = await this.request('GET', '/rest/settings');
		const needsSetup =
			settings && settings.userManagement && settings.userManagement.showSetupOnFirstLoad;
		if (needsSetup) {
			await this.request('POST', '/rest/owner/setup', { email, firstName, lastName, password });
		}
		await this.login({ email, password });
		return { created: Boolean(needsSetup) };
	}

	login({ email, password }) {
		return this.request('POST', '/rest/login', { emailOrLdapLoginId: email, password });
	}

	/** A key for the public API (/api/v1), with every scope the instance offers. */
	async createApiKey(label = `minitoolai-${Date.now()}`) {
		const scopes = await this.request('GET', '/rest/api-keys/scopes');
		const created = await this.request('POST', '/rest/api-keys', {
			label,
			scopes,
			expiresAt: null,
		});
		return created.rawApiKey || created.apiKey;
	}
}

/** The run JSON in the stdout of `n8n execute --rawOutput`, or null. */
function parseRunJson(stdout) {
	const lines = stdout.split('\n');
	const first = lines.indexOf('{');
	const last = lines.lastIndexOf('}');
	if (first < 0 || last < first) return null;
	try {
		return JSON.parse(lines.slice(first, last + 1).join('\n'));
	} catch {
		return null;
	}
}

module.exports = { N8nInstance, ENCRYPTION_KEY };
