'use strict';
/**
 * What a user meets in the sandbox and the editor, beyond the nodes' own outputs:
 * - every built-in n8n node loads in the host (n8n loads them lazily, so a missing module only
 *   shows when a user adds the node), and the server log has no load errors;
 * - after a run, the editor shows no "No parameters are set up to be filled by AI" notice on our
 *   plain nodes (n8n shows it for any type containing "tool", and our package name does);
 * (The sandbox itself, started with `npm start`, is checked in sandboxRun.js.)
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('../../../scripts/lib/util');
const { hostEnv } = require('../../../scripts/lib/n8nHost');

const AI_NOTICE = 'No parameters are set up to be filled by AI';
// What n8n prints when a node or credential file fails to load, and what Node says for a
// dependency that is not installed.
const LOAD_ERROR_PATTERNS = [
	/Cannot find module/i,
	/Error loading (node|credential)/i,
	/failed to load/i,
	/Unrecognized node type/i,
];

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

module.exports = {
	checkBuiltinNodesLoad,
	checkServerLog,
	checkNoAiNotice,
};
