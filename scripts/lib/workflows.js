'use strict';
/**
 * Loads the committed workflow JSON (test/e2e/workflows) and fills in what differs per run:
 * the credential a MiniToolAI node points at, and the demo image URL (the emulator's image host,
 * or a public image when the sandbox talks to the real API).
 */
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT } = require('./util');

const WORKFLOW_DIR = path.join(REPO_ROOT, 'test', 'e2e', 'workflows');
const CREDENTIAL_TYPE = 'miniToolAiApi';
// What the committed files reference; imports with `n8n import:credentials` reuse this id.
const DEFAULT_CREDENTIAL = { id: 'minitoolaiCred01', name: 'MiniToolAI account' };

function readWorkflow(file) {
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The demo workflows (top level) or the test-only cases (`cases/`). */
function listWorkflowFiles(kind = 'demo') {
	const dir = kind === 'demo' ? WORKFLOW_DIR : path.join(WORKFLOW_DIR, 'cases');
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => path.join(dir, f));
}

/**
 * A copy of the workflow with placeholders replaced and every MiniToolAI credential reference
 * pointed at `credential` ({ id, name }).
 */
function prepareWorkflow(workflow, { credential = DEFAULT_CREDENTIAL, demoImageUrl }) {
	let text = JSON.stringify(workflow);
	if (demoImageUrl) text = text.split('__DEMO_IMAGE_URL__').join(demoImageUrl);
	const copy = JSON.parse(text);
	for (const node of copy.nodes) {
		if (node.credentials && node.credentials[CREDENTIAL_TYPE]) {
			node.credentials[CREDENTIAL_TYPE] = { id: credential.id, name: credential.name };
		}
	}
	return copy;
}

/** The credential in the shape `n8n import:credentials` accepts (plaintext data). */
function credentialForImport({ apiKey, baseUrl, credential = DEFAULT_CREDENTIAL }) {
	return { ...credential, type: CREDENTIAL_TYPE, data: { apiKey, baseUrl } };
}

module.exports = {
	WORKFLOW_DIR,
	CREDENTIAL_TYPE,
	DEFAULT_CREDENTIAL,
	readWorkflow,
	listWorkflowFiles,
	prepareWorkflow,
	credentialForImport,
};
