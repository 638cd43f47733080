'use strict';
/**
 * The sandbox started as a user starts it (`npm start -- --skip-build`, its own state folder):
 * it imports the templates of examples/ with its credential, prints the workflows page, how to
 * chat offline and how to start over; its chatbot answers (the time it takes is logged); a
 * SIGTERM or SIGINT sent to the npm process alone stops n8n and the emulator and frees every
 * port they listened on.
 */
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { REPO_ROOT, isPortFree, waitFor } = require('../../../scripts/lib/util');
const wf = require('../../../scripts/lib/workflows');

// The sandbox prints this once everything runs (scripts/sandbox.js).
const SANDBOX_READY = 'MiniToolAI sandbox is running';
// The summary's line after the login and the editor URL (scripts/sandbox.js).
const SANDBOX_SUMMARY_READ = /stop with Ctrl-C, or: kill \d+/;
const SANDBOX_START_TIMEOUT_MS = 240000;
// n8n gets up to 10 s to stop before it is killed; the rest is the emulator and npm.
const SANDBOX_STOP_TIMEOUT_MS = 40000;

/** pid -> ppid for every process, from /proc. */
function processTable() {
	const table = new Map();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// The command name may contain spaces and parentheses: fields follow the last ')'.
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			table.set(Number(entry), Number(fields[1]));
		} catch {
			// exited meanwhile
		}
	}
	return table;
}

function descendants(rootPid) {
	const table = processTable();
	const out = new Set([rootPid]);
	let grew = true;
	while (grew) {
		grew = false;
		for (const [pid, ppid] of table) {
			if (out.has(ppid) && !out.has(pid)) {
				out.add(pid);
				grew = true;
			}
		}
	}
	return [...out];
}

function isAlive(pid) {
	try {
		// A zombie still answers kill(0); it holds no ports, but count it as gone only when reaped.
		const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return !/^\d+ \(.*\) Z/.test(state);
	} catch {
		return false;
	}
}

/** Ports in LISTEN state held by the given processes (from their socket fds and /proc/net). */
function listeningPorts(pids) {
	const inodes = new Set();
	for (const pid of pids) {
		let fds = [];
		try {
			fds = fs.readdirSync(`/proc/${pid}/fd`);
		} catch {
			continue;
		}
		for (const fd of fds) {
			try {
				const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
				if (m) inodes.add(m[1]);
			} catch {
				// closed meanwhile
			}
		}
	}
	const ports = new Set();
	for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
		let lines = [];
		try {
			lines = fs.readFileSync(file, 'utf8').split('\n').slice(1);
		} catch {
			continue;
		}
		for (const line of lines) {
			const f = line.trim().split(/\s+/);
			// f[1] local address:port (hex), f[3] state (0A = LISTEN), f[9] inode
			if (f.length > 9 && f[3] === '0A' && inodes.has(f[9])) {
				ports.add(parseInt(f[1].split(':').pop(), 16));
			}
		}
	}
	return [...ports].sort((a, b) => a - b);
}

/** `npm start -- --skip-build` with its own sandbox folder; resolves once it printed its summary. */
async function startSandbox(sandboxDir, log) {
	const child = spawn('npm', ['start', '--', '--skip-build'], {
		cwd: REPO_ROOT,
		env: { ...process.env, MINITOOLAI_SANDBOX_DIR: sandboxDir },
		stdio: ['ignore', 'pipe', 'pipe'],
		// Its own group, only so that a failed check can still clean up everything; the checks
		// signal the npm process alone.
		detached: true,
	});
	let output = '';
	child.stdout.on('data', (c) => (output += c));
	child.stderr.on('data', (c) => (output += c));
	let exited = null;
	child.on('exit', (code, signal) => (exited = { code, signal }));
	const sandbox = {
		child,
		get output() {
			return output;
		},
		get exited() {
			return exited;
		},
		killGroup() {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// gone
			}
		},
	};
	try {
		await waitFor(
			'the sandbox summary',
			() => {
				if (exited) {
					throw Object.assign(new Error(`npm start exited early: ${output.slice(-3000)}`), {
						fatal: true,
					});
				}
				return output.includes(SANDBOX_READY) && SANDBOX_SUMMARY_READ.test(output);
			},
			{ timeoutMs: SANDBOX_START_TIMEOUT_MS, intervalMs: 500 },
		);
	} catch (error) {
		sandbox.killGroup();
		error.message = `${error.message}\n${output.slice(-3000)}`;
		throw error;
	}
	log(`sandbox (npm pid ${child.pid}) is up`);
	return sandbox;
}

/** Sends `signal` to the npm process only; everything it started must end and free its ports. */
async function stopAndVerify(sandbox, signal, log) {
	const pids = descendants(sandbox.child.pid);
	const ports = listeningPorts(pids);
	log(`sandbox processes ${pids.join(', ')}; listening ports ${ports.join(', ')}`);
	assert.ok(pids.length >= 3, `expected npm, the sandbox and n8n, found ${pids.length}`);
	assert.ok(ports.length >= 3, `expected n8n and emulator ports, found ${ports.join(', ')}`);
	const started = Date.now();
	process.kill(sandbox.child.pid, signal);
	try {
		await waitFor(
			`every sandbox process to exit after ${signal}`,
			() => pids.every((pid) => !isAlive(pid)),
			{ timeoutMs: SANDBOX_STOP_TIMEOUT_MS, intervalMs: 250 },
		);
	} catch (error) {
		const left = pids.filter(isAlive);
		sandbox.killGroup();
		for (const pid of left) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// gone
			}
		}
		throw new Error(`${error.message}; still running: ${left.join(', ')}`);
	}
	const busy = [];
	for (const port of ports) if (!(await isPortFree(port))) busy.push(port);
	assert.deepEqual(busy, [], `ports still taken after ${signal}`);
	log(`${signal} to npm: ${pids.length} processes gone, ports free in ${Date.now() - started} ms`);
}

/** The summary's login and editor URL. */
function sandboxLogin(output) {
	const editor = /editor:\s+(http:\/\/\S+?)\/?\s*$/m.exec(output);
	const login = /login:\s+(\S+) \/ (\S+)/.exec(output);
	assert.ok(editor && login, `no editor URL or login in:\n${output}`);
	return { base: editor[1], email: login[1], password: login[2] };
}

async function restJson(base, cookie, method, urlPath, body) {
	const res = await fetch(`${base}${urlPath}`, {
		method,
		headers: {
			accept: 'application/json',
			...(body ? { 'content-type': 'application/json' } : {}),
			...(cookie ? { cookie } : {}),
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	assert.ok(res.ok, `${method} ${urlPath} -> ${res.status}: ${text.slice(0, 300)}`);
	return { res, json: text ? JSON.parse(text) : null };
}

/** Every template is in the sandbox, its MiniToolAI nodes on the sandbox's own credential. */
async function verifyDemos(output, sandboxDir) {
	const { base, email, password } = sandboxLogin(output);
	const { res } = await restJson(base, '', 'POST', '/rest/login', {
		emailOrLdapLoginId: email,
		password,
	});
	const cookie = res.headers
		.getSetCookie()
		.find((c) => c.startsWith('n8n-auth='))
		.split(';')[0];
	const state = JSON.parse(fs.readFileSync(path.join(sandboxDir, 'sandbox-state.json'), 'utf8'));
	const templates = wf.listWorkflowFiles('examples');
	assert.ok(templates.length >= 5, `only ${templates.length} templates`);
	for (const file of templates) {
		const key = path.basename(file);
		const id = state.workflows[key];
		assert.ok(id, `${key} not imported (state: ${JSON.stringify(state.workflows)})`);
		const { json } = await restJson(base, cookie, 'GET', `/rest/workflows/${id}`);
		const workflow = json.data;
		assert.equal(workflow.name, wf.readWorkflow(file).name);
		for (const node of workflow.nodes) {
			const cred = node.credentials && node.credentials[wf.CREDENTIAL_TYPE];
			if (!node.type.startsWith('n8n-nodes-minitoolai.')) continue;
			assert.ok(cred, `${key}: "${node.name}" has no MiniToolAI credential`);
			assert.equal(cred.id, state.credentialId, `${key}: "${node.name}" credential`);
		}
	}
	assert.match(output, /Open chat/, 'the summary says how to chat in the editor');
	assert.match(output, /workflows: +http:\/\/\S+\/home\/workflows/, 'the workflows page');
	assert.match(output, /npm start -- --fresh/, 'how to start over');
}

/** The sandbox's chatbot answers over its public chat URL; logs how long the answer took. */
async function timeChatbotAnswer(output, log) {
	const m = /public chat page: (http:\/\/\S+\/chat)/.exec(output);
	assert.ok(m, 'no public chat URL in the summary');
	const started = Date.now();
	const res = await fetch(m[1], {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			action: 'sendMessage',
			sessionId: `sandbox-${started}`,
			chatInput: 'Give me three tips for a first trip to Lisbon',
		}),
	});
	const text = await res.text();
	assert.equal(res.status, 200, text.slice(0, 300));
	const words = text
		.split('\n')
		.filter((l) => l.trim().startsWith('{'))
		.map((l) => JSON.parse(l))
		.filter((c) => c.type === 'item')
		.map((c) => c.content)
		.join('')
		.split(/\s+/)
		.filter(Boolean).length;
	assert.ok(words >= 20, `a short answer: ${words} words`);
	log(`sandbox chatbot: ${words} words streamed in ${Date.now() - started} ms`);
}

async function checkSandbox({ checks, log }) {
	const sandboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-sandbox-'));
	try {
		let first;
		await checks.check(
			'sandbox: npm start imports every template with its credential',
			async () => {
				first = await startSandbox(sandboxDir, log);
				await verifyDemos(first.output, sandboxDir);
			},
		);
		await checks.check('sandbox: the chatbot answers over its public chat URL', async () => {
			assert.ok(first, 'the sandbox did not start');
			await timeChatbotAnswer(first.output, log);
		});
		await checks.check('sandbox: SIGTERM to the npm start process stops it all', async () => {
			assert.ok(first, 'the sandbox did not start');
			await stopAndVerify(first, 'SIGTERM', log);
		});
		await checks.check('sandbox: SIGINT to the npm start process stops it all', async () => {
			const second = await startSandbox(sandboxDir, log);
			await stopAndVerify(second, 'SIGINT', log);
		});
	} finally {
		fs.rmSync(sandboxDir, { recursive: true, force: true });
	}
}

module.exports = { checkSandbox };
