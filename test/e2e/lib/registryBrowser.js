'use strict';
/**
 * The registry stage's editor checks in headless Chromium: the node panel offers the three nodes
 * of the installed package, and after uninstalling, the workflow shows its MiniToolAI nodes as not
 * installed. One browser serves the whole stage (n8n restarts in between; the session survives).
 */
const assert = require('node:assert/strict');
const { openEditor, renderedWhen } = require('../../../scripts/lib/chromium');
const { openWorkflow, searchNodePanel, shot } = require('./browserChecks');

const NODE_NAMES = ['MiniToolAI Chat', 'MiniToolAI Text to Image', 'MiniToolAI Chat Model'];
// Canvas names of the workflow's MiniToolAI nodes (test/e2e/workflows/registry/three-nodes.json).
const CANVAS_NAMES = ['Write caption', 'Illustrate', 'MiniToolAI Chat Model'];

async function openRegistryEditor({ n8n, owner, log }) {
	const { browser, page } = await openEditor({ baseUrl: n8n.baseUrl, owner, log });
	const base = n8n.baseUrl;

	async function assertNodePanel(workflowId) {
		await openWorkflow(page, base, workflowId);
		// Searched from the main panel, the sub-node is listed too.
		const texts = await searchNodePanel(page, null, NODE_NAMES);
		// A row reads "<name> <description>"; the longest name it starts with is its node.
		const names = texts.map(
			(t) => NODE_NAMES.filter((n) => t.startsWith(n)).sort((a, b) => b.length - a.length)[0],
		);
		const absent = NODE_NAMES.filter((n) => !names.includes(n));
		assert.deepEqual(absent, [], `rows: ${JSON.stringify(texts)}`);
		await shot(page, 'registry-node-panel.png');
		await page.keyboard.press('Escape');
	}

	async function assertNodesMissing(workflowId) {
		await openWorkflow(page, base, workflowId);
		for (const name of CANVAS_NAMES) {
			const node = page.locator('[data-test-id="canvas-node"]').filter({ hasText: name }).first();
			await node.waitFor({ timeout: 20000 });
			const marks = node.locator('[data-test-id="node-not-installed"]');
			await renderedWhen(
				`"${name}" marked as not installed`,
				() => marks.count(),
				(n) => n === 1,
			);
		}
		await shot(page, 'registry-nodes-missing.png');
	}

	return { assertNodePanel, assertNodesMissing, close: () => browser.close() };
}

module.exports = { openRegistryEditor };
