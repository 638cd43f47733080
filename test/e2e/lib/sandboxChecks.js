'use strict';
/**
 * What a user meets in the sandbox and the editor, beyond the nodes' own outputs:
 * - every built-in n8n node loads in the host (n8n loads them lazily, so a missing module only
 *   shows when a user adds the node), and the server log has no load errors;
 * - after a run, the editor shows no "No parameters are set up to be filled by AI" notice on our
 *   plain nodes (n8n shows it for any type containing "tool", and our package name does);
 * - `npm start` imports the demos (AI chain and agent included) with the sandbox's credential,
 *   prints how to chat offline, and a SIGTERM or SIGINT sent to the npm process alone stops n8n and
 *   the emulator and frees their ports.
 */
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { REPO_ROOT, isPortFree, run, waitFor } = require('../../../scripts/lib/util');
const { hostEnv } = require('../../../scripts/lib/n8nHost');
const wf = require('../../../scripts/lib/workflows');

const AI_NOTICE = 'No parameters are set up to be filled by AI';
// What n8n prints when a node or credential file fails to load, and what Node says for a
// dependency that is not installed.
const LOAD_ERROR_PATTERNS = [
	/Cannot find module/i,
	/Error loading (node|credential)/i,
	/failed to load/i,
	/Unrecognized node type/i,
];
// The sandbox prints this once everything runs (scripts/sandbox.js).
const SANDBOX_READY = 'MiniToolAI sandbox is running';
// The summary's line after the login and the editor URL (scripts/sandbox.js).
const SANDBOX_SUMMARY_READ = /stop with Ctrl-C, or: kill \d+/;
const SANDBOX_START_TIMEOUT_MS = 240000;
// n8n gets up to 10 s to stop before it is killed; the rest is the emulator and npm.
const SANDBOX_STOP_TIMEOUT_MS = 40000;

/** Every built-in node and credential file of the host, required with the host's Node. */
async function checkBuiltinNodesLoad({ host, checks, log }) {
	await checks.check('host: every built-in n8n node and credential loads', async () => {
		const script = path.join(__dirname, 'loadBuiltinNodes.js');
		const res = await run(host.nodeBin, [script], {
			cwd: host.hostDir,
			env: hostEnv(host),
			allowFail: true,
		});
		const line = res.stdout.trim().split('\n').pop() || '';
		let report;
		try {
			report = JSON.parse(line);
		} catch {
			throw new Error(`loader printed no report (exit ${res.code}):\n${res.stderr.slice(-2000)}`);
		}
		log(`built-in node files loaded: ${report.checked}, failed: ${report.failures.length}`);
		const listed = report.failures.map((f) => `${f.type}: ${f.error}`).join('\n  ');
		assert.equal(report.failures.length, 0, `built-in nodes that fail to load:\n  ${listed}`);
		assert.ok(report.checked > 400, `only ${report.checked} files checked`);
	});
}

/** The server's log (start-up and everything since) names no node or module that failed to load. */
function checkServerLog({ n8n, checks }) {
	return checks.check('host: the n8n server log has no node load errors', () => {
		const text = fs.readFileSync(n8n.logFile, 'utf8');
		const bad = text.split('\n').filter((l) => LOAD_ERROR_PATTERNS.some((p) => p.test(l)));
		assert.deepEqual(bad, [], `load errors in ${n8n.logFile}`);
	});
}

/** The AI demos the sandbox imports answer with the emulator's text (run by `n8n execute`). */
async function checkAiDemos({ n8n, checks, ids }) {
	const demos = [
		{ id: ids.aiChainDemo, node: 'Basic LLM Chain', field: 'text' },
		{ id: ids.aiAgentDemo, node: 'AI Agent', field: 'output' },
	];
	for (const demo of demos) {
		await checks.check(`demo: "${demo.node}" demo answers through the Chat Model`, async () => {
			const result = await n8n.execute(demo.id);
			const tail = result.stdout.slice(-2000) + result.stderr.slice(-2000);
			assert.equal(result.code, 0, tail);
			const run = result.output.data.resultData.runData[demo.node][0];
			const answer = run.data.main[0][0].json[demo.field];
			assert.match(String(answer), /^Echo: /, JSON.stringify(run.data.main[0][0].json));
		});
	}
}

async function openWorkflow(page, base, id) {
	await page.goto(`${base}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60000 });
	await page.waitForTimeout(500);
}

async function executeInEditor(page, successCount) {
	await page.locator('[data-test-id="execute-workflow-button"]').first().click();
	await page.waitForFunction(
		(n) => document.querySelectorAll('[data-test-id="canvas-node-status-success"]').length >= n,
		successCount,
		{ timeout: 90000 },
	);
	await page.waitForTimeout(500);
}

// What a node's panel shows once the run's output is in it.
const SHOWS_RUN = /item|token|Echo|imageUrl|response/i;
const NOTICE_SETTLE_MS = 1000;

/**
 * Opens a node's panel and returns its visible text (parameters and output pane) once the run's
 * output shows; with `shotName` it also saves a screenshot of the panel.
 */
async function ndvText(page, nodeName, shotName) {
	const { renderedWhen } = require('../../../scripts/lib/chromium');
	await page
		.locator('[data-test-id="canvas-node"]')
		.filter({ hasText: nodeName })
		.first()
		.dblclick();
	const ndv = page.locator('[data-test-id="ndv"]').first();
	await ndv.waitFor({ timeout: 20000 });
	await renderedWhen(
		`"${nodeName}" panel with the run`,
		() => ndv.innerText(),
		(t) => SHOWS_RUN.test(t),
	);
	// Run shown; a notice rendered a moment later must still be seen (this settle can only make
	// the notice check stricter, never fail a good run).
	await page.waitForTimeout(NOTICE_SETTLE_MS);
	if (shotName) await require('./browserChecks').shot(page, shotName);
	const text = await ndv.innerText();
	await page.keyboard.press('Escape');
	await ndv.waitFor({ state: 'hidden', timeout: 10000 }).catch(() => {});
	return text;
}

/** After a run in the editor, our plain nodes' output panes carry no AI-parameters notice. */
async function checkNoAiNotice({ n8n, checks, owner, ids, log }) {
	const { openEditor } = require('../../../scripts/lib/chromium');
	const base = n8n.baseUrl;
	const { browser, page } = await openEditor({ baseUrl: base, owner, log });
	try {
		const cases = [
			{
				id: ids.aiChainDemo,
				success: 4,
				nodes: ['MiniToolAI Chat Model'],
				shots: { 'MiniToolAI Chat Model': 'chat-model-after-run.png' },
			},
			{
				id: ids.content,
				success: 5,
				nodes: ['Write post', 'Illustrate post'],
				shots: { 'Write post': 'chat-node-after-run.png' },
			},
		];
		for (const c of cases) {
			await checks.check(
				`ui: no "${AI_NOTICE}" notice after a run (${c.nodes.join(', ')})`,
				async () => {
					await openWorkflow(page, base, c.id);
					await executeInEditor(page, c.success);
					for (const node of c.nodes) {
						// Read once the panel shows the run (else the notice could not appear either).
						const text = await ndvText(page, node, c.shots[node]);
						assert.ok(!text.includes(AI_NOTICE), `"${node}" shows the notice:\n${text}`);
					}
				},
			);
		}
	} finally {
		await browser.close();
	}
}

// ---- the sandbox, started as a user starts it ----

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

/** Every demo file is in the sandbox, its MiniToolAI nodes on the sandbox's own credential. */
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
	const demoFiles = wf.listWorkflowFiles('demo');
	const names = demoFiles.map((f) => wf.readWorkflow(f).name);
	for (const name of ['AI Agent', 'Basic LLM Chain']) {
		assert.ok(
			names.some((n) => n.includes(name)),
			`no demo file with "${name}" in its name: ${names.join(', ')}`,
		);
	}
	for (const file of demoFiles) {
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
}

async function checkSandbox({ checks, log }) {
	const sandboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-sandbox-'));
	try {
		let first;
		await checks.check('sandbox: npm start imports every demo with its credential', async () => {
			first = await startSandbox(sandboxDir, log);
			await verifyDemos(first.output, sandboxDir);
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

module.exports = {
	checkBuiltinNodesLoad,
	checkAiDemos,
	checkServerLog,
	checkNoAiNotice,
	checkSandbox,
};
