'use strict';
/**
 * What the registry stage checks on an n8n that got the package from a registry with the README's
 * commands: the three nodes run in one webhook workflow (Chat → Text to Image with the download →
 * Basic LLM Chain on the Chat Model) against the emulator, and n8n reports the package version it
 * loaded (each node type's `communityNodePackageVersion` in /types/nodes.json).
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const wf = require('../../../scripts/lib/workflows');
const { EMULATOR_KEY } = require('../../../scripts/lib/emulator');
const { PNG_SIGNATURE } = require('./cliChecks');
const { postWebhook, listExecutions, CHAT_PATH, SUBMIT_PATH, JOB_PATH } = require('./queueHelpers');

const WORKFLOW_FILE = path.join(wf.WORKFLOW_DIR, 'registry', 'three-nodes.json');
const WEBHOOK_PATH = 'mtai-registry';
const NODE_TYPES = [
	'n8n-nodes-minitoolai.miniToolAiChat',
	'n8n-nodes-minitoolai.miniToolAiTextToImage',
	'n8n-nodes-minitoolai.miniToolAiChatModel',
];
const EXECUTION_TIMEOUT_MS = 30000;

/** Owner, API key, the emulator credential and the workflow (active) on a fresh instance. */
async function setUpInstance(n8n, emulator, owner) {
	await n8n.ensureOwner(owner);
	const apiKey = await n8n.createApiKey('registry-e2e');
	const credential = await wf.createCredential(n8n, apiKey, {
		name: 'MiniToolAI emulator',
		apiKey: EMULATOR_KEY,
		baseUrl: emulator.baseUrl,
	});
	const prepared = wf.prepareWorkflow(wf.readWorkflow(WORKFLOW_FILE), { credential });
	return { apiKey, workflowId: await wf.createActiveWorkflow(n8n, apiKey, prepared) };
}

/** Calls the webhook (waiting out the moment after start-up when it is not registered yet). */
async function callWebhook(n8n, body) {
	const deadline = Date.now() + EXECUTION_TIMEOUT_MS;
	for (;;) {
		const res = await postWebhook(n8n, WEBHOOK_PATH, body);
		if (res.status !== 404 || Date.now() > deadline) return res;
		await new Promise((r) => setTimeout(r, 200));
	}
}

/** The newest execution of the workflow with its run data, once it has ended. */
async function lastExecution(n8n, apiKey, workflowId, notIds) {
	const deadline = Date.now() + EXECUTION_TIMEOUT_MS;
	for (;;) {
		const list = await listExecutions(n8n, apiKey, workflowId);
		const fresh = list.filter((e) => !notIds.has(String(e.id)) && e.stoppedAt);
		if (fresh.length) {
			const id = fresh.sort((a, b) => Number(b.id) - Number(a.id))[0].id;
			return n8n.request('GET', `/api/v1/executions/${id}?includeData=true`, undefined, {
				apiKey,
			});
		}
		assert.ok(Date.now() < deadline, `no finished execution of ${workflowId}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

function nodeItems(execution, nodeName) {
	const runs = execution.data.resultData.runData[nodeName];
	assert.ok(runs && runs[0], `node "${nodeName}" did not run`);
	assert.ok(!runs[0].error, `node "${nodeName}" failed: ${runs[0].error && runs[0].error.message}`);
	return runs[0].data.main[0];
}

/** The downloaded image as n8n serves it to the editor (any binary data mode). */
async function fetchBinary(n8n, binary) {
	if (binary.data && !binary.id) return Buffer.from(binary.data, 'base64');
	const url = `${n8n.baseUrl}/rest/binary-data?id=${encodeURIComponent(binary.id)}&action=download`;
	const res = await fetch(url, { headers: { cookie: n8n.cookie } });
	assert.equal(res.status, 200, `binary ${binary.id}: HTTP ${res.status}`);
	return Buffer.from(await res.arrayBuffer());
}

/**
 * Runs the workflow through its webhook and checks every node's output and every request the
 * emulator received. Returns the execution. `n8n` is the instance that takes the webhook.
 */
async function runThreeNodes({ n8n, apiKey, workflowId, emulator, topic }) {
	emulator.clearFaults();
	emulator.reset();
	const before = new Set((await listExecutions(n8n, apiKey, workflowId)).map((e) => String(e.id)));
	const res = await callWebhook(n8n, { topic });
	assert.equal(res.status, 200, `webhook: HTTP ${res.status} ${res.text.slice(0, 500)}`);
	const summaryPrompt = `Summarise in one line: Echo: ${topic}`;
	assert.equal(res.json && res.json.text, `Echo: ${summaryPrompt}`, res.text.slice(0, 500));

	const execution = await lastExecution(n8n, apiKey, workflowId, before);
	assert.equal(execution.status, 'success', JSON.stringify(execution).slice(0, 800));
	const [chat] = nodeItems(execution, 'Write caption');
	assert.equal(chat.json.text, `Echo: ${topic}`);
	assert.ok(chat.json.costUsd > 0 && chat.json.usage.totalTokens > 0, JSON.stringify(chat.json));
	const [image] = nodeItems(execution, 'Illustrate');
	const [job] = [...emulator.jobs.values()];
	assert.ok(job, 'the emulator got no image job');
	assert.equal(image.json.imageUrl, `${emulator.imageBaseUrl}/images/${job.jobid}.png`);
	const binary = image.binary && image.binary.data;
	assert.ok(binary, 'Download Image gave no binary "data"');
	assert.equal(binary.mimeType, 'image/png');
	assert.equal(binary.fileName, `minitoolai-${job.jobid}.png`);
	const bytes = await fetchBinary(n8n, binary);
	assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'the stored image is not a PNG');
	const [summary] = nodeItems(execution, 'Summarise');
	assert.equal(summary.json.text, `Echo: ${summaryPrompt}`);

	// What reached the API: the Chat node's and the Chat Model's requests, one job and its polls,
	// all with the key; the picture fetched from the image host without it.
	const api = (p) => emulator.requests.filter((r) => r.server === 'api' && r.path.startsWith(p));
	const chats = api(CHAT_PATH);
	assert.equal(chats.length, 2, `chat requests: ${chats.length}`);
	const lastUser = (r) => r.body.messages.filter((m) => m.role === 'user').pop().content;
	assert.deepEqual(chats.map(lastUser), [topic, summaryPrompt]);
	assert.deepEqual(
		chats.map((r) => r.body.model),
		['gpt-4o-mini', 'gpt-4o-mini'],
	);
	const submits = emulator.requests.filter((r) => r.server === 'api' && r.path === SUBMIT_PATH);
	assert.equal(submits.length, 1, 'one image job submitted');
	assert.equal(submits[0].body.prompt, topic);
	assert.equal(submits[0].body.width, 512);
	assert.ok(api(JOB_PATH).length >= 1, 'the job was never polled');
	for (const r of emulator.requests.filter((x) => x.server === 'api')) {
		assert.equal(r.headers.authorization, `Bearer ${EMULATOR_KEY}`, `${r.method} ${r.path}`);
	}
	const downloads = emulator.requests.filter((r) => r.server === 'image' && r.method === 'GET');
	assert.equal(downloads.length, 1, 'one image download');
	assert.equal(downloads[0].headers.authorization, undefined, 'the key went to the image host');
	return execution;
}

/** The package version n8n reports for each of our node types (null: type not loaded). */
async function loadedVersions(n8n) {
	const res = await fetch(`${n8n.baseUrl}/types/nodes.json`, { headers: { cookie: n8n.cookie } });
	assert.equal(res.status, 200, `/types/nodes.json: HTTP ${res.status}`);
	const types = await res.json();
	const out = {};
	for (const name of NODE_TYPES) {
		const found = types.filter((t) => t.name === name);
		out[name] = found.length ? found.map((t) => t.communityNodePackageVersion) : null;
	}
	return out;
}

/** Asserts that n8n loaded all three node types from `version` of the package. */
async function assertLoadedVersion(n8n, version) {
	const versions = await loadedVersions(n8n);
	for (const [name, seen] of Object.entries(versions)) {
		assert.ok(seen, `${name} is not loaded: ${JSON.stringify(versions)}`);
		assert.deepEqual([...new Set(seen)], [version], `${name}: ${JSON.stringify(seen)}`);
	}
	return versions;
}

/** package.json version of the installed package, and the ledger entry npm wrote beside it. */
function installedOnDisk(n8n) {
	const nodesDir = path.join(n8n.userFolder, '.n8n', 'nodes');
	const modulesDir = path.join(nodesDir, 'node_modules');
	const pkgFile = path.join(modulesDir, 'n8n-nodes-minitoolai', 'package.json');
	const ledger = JSON.parse(fs.readFileSync(path.join(nodesDir, 'package.json'), 'utf8'));
	return {
		version: fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, 'utf8')).version : null,
		range: (ledger.dependencies || {})['n8n-nodes-minitoolai'] || null,
		modules: fs.existsSync(modulesDir)
			? fs.readdirSync(modulesDir).filter((f) => !f.startsWith('.'))
			: [],
	};
}

module.exports = {
	NODE_TYPES,
	WEBHOOK_PATH,
	setUpInstance,
	runThreeNodes,
	callWebhook,
	loadedVersions,
	assertLoadedVersion,
	installedOnDisk,
};
