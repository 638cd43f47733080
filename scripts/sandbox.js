'use strict';
/**
 * `npm start`: a real n8n with this package installed, talking to the local MiniToolAI emulator
 * (or to https://minitoolai.com when MINITOOLAI_API_KEY is set), with the templates of
 * `examples/` imported as demos.
 * State lives in ~/.cache/n8n-nodes-minitoolai/sandbox-<checkout> (outside the repository, like a
 * user's n8n; MINITOOLAI_SANDBOX_DIR overrides it) and survives restarts (your edits stay);
 * `npm start -- --fresh` starts over. Stops everything it started on Ctrl-C, on SIGINT / SIGTERM /
 * SIGHUP to this process or to `npm start` (its script `exec`s node, so npm's forwarded signal
 * reaches us), and when its parent dies.
 */
const fs = require('node:fs');
const path = require('node:path');
const { Cleanups, REPO_ROOT, Stages, freePorts, log, waitFor } = require('./lib/util');
const { ensureN8nHost } = require('./lib/n8nHost');
const { buildAndPack, installPackage, outsideRepoFolder } = require('./lib/pack');
const { N8nInstance } = require('./lib/n8nProcess');
const { startLocalEmulator, EMULATOR_KEY } = require('./lib/emulator');
const { DEMO_PICTURE } = require('../test/emulator/pictures');
const wf = require('./lib/workflows');

const SANDBOX_DIR = process.env.MINITOOLAI_SANDBOX_DIR
	? path.resolve(process.env.MINITOOLAI_SANDBOX_DIR)
	: outsideRepoFolder('sandbox');
const STATE_FILE = path.join(SANDBOX_DIR, 'sandbox-state.json');
// Documented in the README: a local-only login for a loopback-only server.
const OWNER = { email: 'sandbox@minitoolai.local', password: 'MiniToolAI-Sandbox-1' };
// The emulator's pause between streamed words: about 65 tokens per second, the pace of a fast
// model (gpt-4o-mini streams 60-100), so a canned answer of 60-150 words takes 1-2.5 s and the
// chatbot still visibly writes word by word.
const TOKEN_DELAY_MS = 15;

const args = new Set(process.argv.slice(2));
const realApiKey = process.env.MINITOOLAI_API_KEY;
// Ctrl-C is how a user ends the sandbox: exit 0 then.
const cleanups = new Cleanups().watch(0);
// A closed terminal sends SIGHUP: without a handler Node dies at once and leaves n8n running.
process.once('SIGHUP', () => cleanups.exit('SIGHUP', 0));

function readState() {
	try {
		return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8'));
	} catch {
		return { workflows: {} };
	}
}

/** Creates the credential, or points the existing one at this run's API (ports may change). */
async function upsertCredential(n8n, state, { apiKey, baseUrl }) {
	const name = realApiKey ? 'MiniToolAI account (live API)' : 'MiniToolAI account (emulator)';
	const body = { name, type: wf.CREDENTIAL_TYPE, data: { apiKey, baseUrl } };
	if (state.credentialId) {
		try {
			await n8n.request('PATCH', `/rest/credentials/${state.credentialId}`, body);
			return { id: state.credentialId, name };
		} catch (error) {
			if (error.status !== 404) throw error;
		}
	}
	const created = await n8n.request('POST', '/rest/credentials', body);
	return { id: created.id, name };
}

/** Imports each template once; a workflow the user deleted comes back on the next start. */
async function importDemos(n8n, state, credential, demoImageUrl) {
	const existing = await n8n.request('GET', '/rest/workflows');
	const existingIds = new Set((existing || []).map((w) => w.id));
	const report = [];
	for (const file of wf.listWorkflowFiles('examples')) {
		const key = path.basename(file);
		const known = state.workflows[key];
		if (known && existingIds.has(known)) {
			report.push({ name: existing.find((w) => w.id === known).name, id: known, status: 'kept' });
			continue;
		}
		const prepared = wf.prepareWorkflow(wf.readWorkflow(file), { credential, demoImageUrl });
		const { name, nodes, connections, settings } = prepared;
		const created = await n8n.request('POST', '/rest/workflows', {
			name,
			nodes,
			connections,
			settings,
			active: false,
		});
		state.workflows[key] = created.id;
		report.push({ name, id: created.id, status: 'imported' });
	}
	return report;
}

// The demo whose Chat Trigger is published: its hosted chat streams the answer word by word.
const STREAMING_CHATBOT_FILE = 'streaming-chatbot-with-memory.json';
const CHAT_TRIGGER_TYPE = '@n8n/n8n-nodes-langchain.chatTrigger';

/**
 * Activates the streaming chatbot demo (if it is not active yet) and returns its public chat URL
 * once the hosted chat page answers. A workflow the user deactivated is activated again.
 */
async function activateStreamingChatbot(n8n, state) {
	const id = state.workflows[STREAMING_CHATBOT_FILE];
	if (!id) return null;
	const workflow = await n8n.request('GET', `/rest/workflows/${id}`);
	const trigger = (workflow.nodes || []).find((n) => n.type === CHAT_TRIGGER_TYPE);
	if (!trigger || !trigger.webhookId) return null;
	if (!workflow.active) {
		await n8n.request('POST', `/rest/workflows/${id}/activate`, {
			versionId: workflow.versionId,
		});
	}
	const url = `${n8n.baseUrl}/webhook/${trigger.webhookId}/chat`;
	// Right after activation the webhook answers 404 for a moment.
	await waitFor(
		`the chat page ${url}`,
		async () => {
			const res = await fetch(url);
			await res.arrayBuffer();
			return res.status === 200;
		},
		{ timeoutMs: 30000, intervalMs: 100 },
	);
	return { id, url };
}

/**
 * How to chat with the streaming chatbot demo. The editor's own chat panel is part of the editor
 * and works offline; the hosted public page loads its chat widget from a CDN, so it stays blank
 * on a machine without internet access.
 */
function chatLines(n8n, state, chatbot) {
	const id = state.workflows[STREAMING_CHATBOT_FILE];
	if (!id) return ['  chat:        (the streaming chatbot demo was not imported)'];
	return [
		`  chat:        open ${n8n.baseUrl}/workflow/${id} and click "Open chat" below the canvas`,
		'               (or press C); answers stream in word by word, also offline',
		chatbot
			? `               public chat page: ${chatbot.url} (needs internet: its widget comes from a CDN)`
			: '               (public chat page not active: see the log above)',
	];
}

async function main() {
	const stages = new Stages();
	if (args.has('--fresh')) fs.rmSync(SANDBOX_DIR, { recursive: true, force: true });
	fs.mkdirSync(SANDBOX_DIR, { recursive: true });

	const host = await stages.time('n8n host', () => ensureN8nHost());
	const tgz = await stages.time('build + pack', () =>
		buildAndPack({ skipBuild: args.has('--skip-build') }),
	);
	await stages.time('install package', () => installPackage(SANDBOX_DIR, tgz));
	fs.rmSync(path.dirname(tgz), { recursive: true, force: true });

	let api;
	// With the real API the image question keeps the template's public picture.
	let demoImageUrl;
	if (realApiKey) {
		api = { apiKey: realApiKey, baseUrl: 'https://minitoolai.com' };
	} else {
		const emulator = await stages.time('emulator', () =>
			startLocalEmulator({
				preferredPorts: [8787, 8788],
				quiet: false,
				tokenDelayMs: TOKEN_DELAY_MS,
				replies: 'canned',
			}),
		);
		cleanups.push(() => emulator.close());
		api = { apiKey: EMULATOR_KEY, baseUrl: emulator.baseUrl };
		// The emulator's own demo picture: the one picture it can describe.
		demoImageUrl = `${emulator.imageBaseUrl}${DEMO_PICTURE.path}`;
	}

	const [port, brokerPort] = await freePorts([5678, 5679]);
	const n8n = new N8nInstance({
		host,
		userFolder: SANDBOX_DIR,
		port,
		brokerPort,
		logFile: path.join(SANDBOX_DIR, 'n8n.log'),
	});
	cleanups.push(() => n8n.stop());
	await stages.time('n8n start', () => n8n.start());

	const state = readState();
	const { report, credential } = await stages.time('owner, credential, workflows', async () => {
		await n8n.ensureOwner({ ...OWNER, firstName: 'Sandbox', lastName: 'User' });
		const cred = await upsertCredential(n8n, state, api);
		state.credentialId = cred.id;
		const list = await importDemos(n8n, state, cred, demoImageUrl);
		fs.writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
		return { report: list, credential: cred };
	});
	const chatbot = await stages.time('activate streaming chatbot', () =>
		activateStreamingChatbot(n8n, state).catch((error) => {
			log(`streaming chatbot not activated: ${error.message}`);
			return null;
		}),
	);

	const lines = [
		'',
		'MiniToolAI sandbox is running',
		`  editor:      ${n8n.baseUrl}/`,
		`  login:       ${OWNER.email} / ${OWNER.password}`,
		// After login n8n 2.41 may open its Assistant page, which stays empty without internet.
		`  workflows:   ${n8n.baseUrl}/home/workflows (open this after logging in)`,
		`  credential:  "${credential.name}" -> ${api.baseUrl}${realApiKey ? '' : ` (key ${EMULATOR_KEY})`}`,
		'  templates (examples/):',
		...report.map((w) => `    - ${w.name} (${w.status}): ${n8n.baseUrl}/workflow/${w.id}`),
		...chatLines(n8n, state, chatbot),
		`  n8n log:     ${path.relative(REPO_ROOT, n8n.logFile)}`,
		realApiKey
			? '  answers:     from the real MiniToolAI API (requests cost credits)'
			: `  answers:     from the local emulator (canned text, not a model; ${TOKEN_DELAY_MS} ms per streamed word)`,
		`  start over:  npm start -- --fresh (deletes the sandbox's n8n data: ${SANDBOX_DIR})`,
		`  stop with Ctrl-C, or: kill ${process.pid}`,
		'',
		'startup times:',
		stages.summary(),
		'',
	];
	console.log(lines.join('\n'));
}

main().catch(async (error) => {
	console.error(error);
	await cleanups.exit('error', 1);
});
