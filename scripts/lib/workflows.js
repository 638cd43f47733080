'use strict';
/**
 * The committed workflow JSON: the templates users import (`examples/`, which the sandbox imports
 * too) and the test-only workflows (`test/e2e/workflows/`: `cases/`, `ai/`, `queue/`).
 * prepareWorkflow fills in what differs per run: the credential every MiniToolAI node uses (the
 * templates name none, so that they import cleanly anywhere), the picture the image question
 * asks about, and, for tests only, shorter Wait nodes.
 */
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('./util');

const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const WORKFLOW_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'workflows');
const CREDENTIAL_TYPE = 'miniToolAiApi';
const PACKAGE_NODE_PREFIX = 'n8n-nodes-minitoolai.';
// The credential the test workflows reference; imports with `n8n import:credentials` reuse this id.
const DEFAULT_CREDENTIAL = { id: 'minitoolaiCred01', name: 'MiniToolAI account' };
// The public picture the image-question template asks about (a model must be able to fetch it).
const PUBLIC_DEMO_IMAGE =
	'https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png';

function readWorkflow(file) {
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The templates (`examples`), or the test-only cases (`cases`) or AI workflows (`ai`). */
function listWorkflowFiles(kind) {
	const dirs = { examples: EXAMPLES_DIR, cases: path.join(WORKFLOW_DIR, 'cases') };
	const dir = dirs[kind] ?? path.join(WORKFLOW_DIR, kind);
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => path.join(dir, f));
}

/**
 * A copy of the workflow for this run: every node of this package on `credential` ({ id, name }),
 * the public demo picture replaced by `demoImageUrl` (the emulator's, which it can describe), and
 * with `waitSeconds` every Wait node waiting that long (tests; the templates wait minutes).
 */
function prepareWorkflow(workflow, { credential = DEFAULT_CREDENTIAL, demoImageUrl, waitSeconds }) {
	let text = JSON.stringify(workflow);
	if (demoImageUrl) text = text.split(PUBLIC_DEMO_IMAGE).join(demoImageUrl);
	const copy = JSON.parse(text);
	for (const node of copy.nodes) {
		if (node.type.startsWith(PACKAGE_NODE_PREFIX)) {
			node.credentials = {
				...node.credentials,
				[CREDENTIAL_TYPE]: { id: credential.id, name: credential.name },
			};
		}
		if (waitSeconds !== undefined && node.type === 'n8n-nodes-base.wait') {
			node.parameters = { ...node.parameters, amount: waitSeconds, unit: 'seconds' };
		}
	}
	return copy;
}

/** The credential in the shape `n8n import:credentials` accepts (plaintext data). */
function credentialForImport({ apiKey, baseUrl, credential = DEFAULT_CREDENTIAL }) {
	return { ...credential, type: CREDENTIAL_TYPE, data: { apiKey, baseUrl } };
}

/**
 * A MiniToolAI credential created through n8n's public API (`n8nApiKey`: an API key of the
 * instance, `N8nInstance.createApiKey`); returns `{ id, name }` for `prepareWorkflow`.
 */
async function createCredential(n8n, n8nApiKey, { name, apiKey, baseUrl }) {
	const created = await n8n.request(
		'POST',
		'/api/v1/credentials',
		{ name, type: CREDENTIAL_TYPE, data: { apiKey, baseUrl } },
		{ apiKey: n8nApiKey },
	);
	return { id: created.id, name: created.name };
}

/** A prepared workflow created and activated through the public API; returns its id. */
async function createActiveWorkflow(n8n, n8nApiKey, workflow) {
	// The public API accepts only these fields on create.
	const { name, nodes, connections, settings } = workflow;
	const opts = { apiKey: n8nApiKey };
	const created = await n8n.request(
		'POST',
		'/api/v1/workflows',
		{ name, nodes, connections, settings },
		opts,
	);
	await n8n.request('POST', `/api/v1/workflows/${created.id}/activate`, {}, opts);
	return created.id;
}

module.exports = {
	EXAMPLES_DIR,
	WORKFLOW_DIR,
	CREDENTIAL_TYPE,
	DEFAULT_CREDENTIAL,
	PUBLIC_DEMO_IMAGE,
	readWorkflow,
	listWorkflowFiles,
	prepareWorkflow,
	credentialForImport,
	createCredential,
	createActiveWorkflow,
};
