'use strict';
/**
 * The editor in headless Chromium: our nodes in the node panel with their icons, the parameter
 * panels, the 18 schedulers, the credential form, a template run from the UI, every template's
 * canvas, and a template imported through the editor's "Import from File". Screenshots go to
 * docs/screenshots/ with --update-screenshots (committed: the README and docs/templates.md show
 * them).
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { openEditor, renderedWhen } = require('../../../scripts/lib/chromium');
const wf = require('../../../scripts/lib/workflows');
const { receivedFrom } = require('./runs');
const { TEMPLATES } = require('./templateChecks');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
// README images are refreshed only on request (`--update-screenshots`); by default screenshots go
// to a git-ignored folder so a test run leaves the work tree clean.
const README_SHOTS = path.join(REPO_ROOT, 'docs', 'screenshots');
let shotsDir = path.join(REPO_ROOT, '.e2e', 'screenshots');
// The documented list, as the emulator (our mirror of the API docs) holds it.
const { SCHEDULERS } = require('../../emulator');
const NODE_NAMES = ['MiniToolAI Chat', 'MiniToolAI Text to Image'];
// After a credential test shows its result, how long a second test would have to arrive.
const TEST_SETTLE_MS = 500;

/** Saves a screenshot where this run's screenshots go (the README's copies with --update-screenshots). */
function shot(page, name) {
	fs.mkdirSync(shotsDir, { recursive: true });
	return page.screenshot({ path: path.join(shotsDir, name) });
}

async function openWorkflow(page, base, id) {
	await page.goto(`${base}/workflow/${id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60000 });
	await page.waitForTimeout(500);
	// Wide workflows overflow the first view; fit them so screenshots show every node.
	await page.locator('[data-test-id="zoom-to-fit"]').first().click();
	await page.waitForTimeout(500);
}

async function openNode(page, name) {
	await page.locator('[data-test-id="canvas-node"]').filter({ hasText: name }).first().dblclick();
	await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: 20000 });
	await page.waitForTimeout(500);
}

async function closeNdv(page) {
	await page.locator('[data-test-id="ndv-close-button"]').first().click();
	await page.locator('[data-test-id="ndv"]').first().waitFor({ state: 'hidden', timeout: 10000 });
}

/** The panel's text once every label in `labels` shows. */
function textWithLabels(locator, labels, what) {
	return renderedWhen(
		`${what} (${labels.join(', ')})`,
		() => locator.innerText(),
		(text) => labels.every((label) => text.includes(label)),
	);
}

/**
 * Opens the node panel (optionally a category first), searches, returns the item texts once
 * every name in `names` is listed.
 */
async function searchNodePanel(page, category, names) {
	await page.locator('[data-test-id="node-creator-plus-button"]').first().click();
	const search = page.locator('[data-test-id="node-creator-search-bar"]').first();
	await search.waitFor({ timeout: 10000 });
	if (category) {
		await page
			.locator('[data-test-id="node-creator"]')
			.getByText(category, { exact: true })
			.first()
			.click();
		await page.waitForTimeout(500);
	}
	await search.fill('MiniToolAI');
	return renderedWhen(
		'search results',
		async () => (await resultItems(page).allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()),
		(texts) => names.every((name) => texts.some((t) => t.includes(name))),
	);
}

/** Result rows of the node panel (plain nodes and nodes with actions alike). */
function resultItems(page) {
	return page
		.locator('[data-test-id="node-creator"] [data-test-id="item-iterator-item"]')
		.filter({ hasText: 'MiniToolAI' });
}

/** True when every icon inside the element is a loaded <img> or an inline <svg>. */
function iconsRendered(locator) {
	return locator.evaluate((el) => {
		const imgs = [...el.querySelectorAll('img')];
		const svgs = [...el.querySelectorAll('svg')];
		if (imgs.length === 0) return svgs.length > 0;
		return imgs.every((img) => img.complete && img.naturalWidth > 0);
	});
}

/** The credential tests (the test's smallest paid call) among what a check received. */
function credentialTests(received) {
	return received().requests.filter(
		(r) => r.path === '/api/chat-completions/' && r.body && r.body.max_completion_tokens === 1,
	);
}

async function runBrowserChecks(ctx) {
	const { n8n, emulator, checks, ids, owner, log, credentialId, updateReadme } = ctx;
	const { wrongKeyCredentialId } = ctx;
	if (updateReadme) shotsDir = README_SHOTS;
	log(`screenshots go to ${path.relative(REPO_ROOT, shotsDir)}`);
	const base = n8n.baseUrl;
	const { browser, page } = await openEditor({ baseUrl: base, owner, log });
	try {
		await checks.check(
			'ui: node panel finds both nodes by "MiniToolAI", icons render',
			async () => {
				await openWorkflow(page, base, ids.content);
				// From the main panel, as a user searches: the codex subcategories decide whether
				// n8n lists the nodes there or only inside the AI section.
				await searchNodePanel(page, null, NODE_NAMES);
				const items = resultItems(page);
				assert.ok((await items.count()) >= 2, 'fewer than two result rows');
				for (let i = 0; i < (await items.count()); i++) {
					await renderedWhen(`icon of item ${i}`, () => iconsRendered(items.nth(i)), Boolean);
				}
				await shot(page, 'node-panel-search.png');
				await page.keyboard.press('Escape');
			},
		);

		await checks.check('ui: chat node parameters open', async () => {
			await openWorkflow(page, base, ids.content);
			await openNode(page, 'Write post');
			const ndv = page.locator('[data-test-id="ndv"]').first();
			await textWithLabels(ndv, ['Model', 'Messages', 'Simplify Output'], 'the chat panel');
			await shot(page, 'chat-node.png');
			await closeNdv(page);
		});

		await checks.check('ui: chat node shows the JSON Schema response format', async () => {
			await openWorkflow(page, base, ids.jsonRows);
			await openNode(page, 'Extract order');
			await textWithLabels(
				page.locator('[data-test-id="ndv"]').first(),
				['Response Format', 'Schema Type', 'JSON Schema', 'Put Output in Field'],
				'the chat panel',
			);
			// The format fields sit below the messages: show them in the screenshot.
			await page
				.locator('[data-test-id="parameter-input-outputField"]')
				.first()
				.scrollIntoViewIfNeeded({ timeout: 5000 })
				.catch(() => {});
			await shot(page, 'chat-node-json-schema.png');
			await closeNdv(page);
		});

		await checks.check('ui: text to image offers the 18 documented schedulers', async () => {
			await openWorkflow(page, base, ids.content);
			await openNode(page, 'Illustrate post');
			const select = page.locator('[data-test-id="parameter-input-scheduler"]').first();
			await select.scrollIntoViewIfNeeded();
			await select.click();
			const options = page.locator('.el-select-dropdown__item:visible, [role="option"]:visible');
			await options.first().waitFor({ timeout: 10000 });
			const missing = await renderedWhen(
				'the 18 schedulers',
				async () => {
					const found = (await options.allInnerTexts()).map((t) => t.split('\n')[0].trim());
					return SCHEDULERS.filter((s) => !found.includes(s));
				},
				(left) => left.length === 0,
			).catch((error) => error.message);
			assert.deepEqual(missing, [], 'schedulers not offered');
			await shot(page, 'text-to-image-node-schedulers.png');
			await page.keyboard.press('Escape');
			await closeNdv(page).catch(() => {});
		});

		await checks.check(
			'ui: credential form shows API Key and Base URL, tests once on open',
			async () => {
				const received = receivedFrom(emulator);
				await page.goto(`${base}/home/credentials/${credentialId}`);
				const dialog = page.locator('[data-test-id="credential-edit-dialog"]').first();
				await dialog.waitFor({ timeout: 30000 });
				await textWithLabels(
					dialog,
					['API Key', 'Base URL', 'n8n tests this credential each time this form opens'],
					'the credential form',
				);
				// The editor runs the credential's test request on open; against the emulator it passes.
				await dialog.getByText('Connection tested successfully').waitFor({ timeout: 20000 });
				// A second test could only come later: give it a moment before counting.
				await page.waitForTimeout(TEST_SETTLE_MS);
				assert.equal(credentialTests(received).length, 1, 'paid tests on open');
				await shot(page, 'credential-form.png');
				await page.keyboard.press('Escape');
			},
		);

		if (wrongKeyCredentialId) {
			await checks.check('ui: a refused key shows what to do; saving tests again', async () => {
				const received = receivedFrom(emulator);
				await page.goto(`${base}/home/credentials/${wrongKeyCredentialId}`);
				const dialog = page.locator('[data-test-id="credential-edit-dialog"]').first();
				await dialog.waitFor({ timeout: 30000 });
				// n8n's banner "Couldn't connect with these settings" holds the message as its details.
				await dialog
					.getByText(/Couldn.t connect with these settings/)
					.first()
					.waitFor({ timeout: 20000 });
				const details = dialog.getByText(/More details/i).first();
				if (await details.isVisible().catch(() => false)) await details.click();
				await page.waitForTimeout(500);
				const text = await dialog.innerText();
				await shot(page, 'credential-refused-key.png');
				assert.match(
					text,
					/MiniToolAI refused this API key \(HTTP 401\)\. Copy the key again/,
					text,
				);
				const onOpen = credentialTests(received).length;
				// Save is enabled once something changed: another wrong key.
				await dialog.locator('input[type="password"]').first().fill('still-not-a-minitoolai-key');
				// The modal's header (with Save) is not inside the dialog's content element.
				await page.locator('[data-test-id="credential-save-button"]').first().click();
				// One test each time; n8n sends a request refused with 401 twice.
				const onSave = await renderedWhen(
					'the test requests of the save',
					() => credentialTests(received).length - onOpen,
					(n) => n >= 2,
				);
				log(
					`credential form with a refused key: ${onOpen} test request(s) on open, ${onSave} on save`,
				);
				assert.equal(onOpen, 2, 'test requests on open');
				assert.ok(onSave >= 2, 'saving runs the test');
				await page.keyboard.press('Escape');
			});
		}

		await checkTemplateCanvases({ page, base, checks });

		await checks.check('ui: the scheduled-post template runs from the editor', async () => {
			await openWorkflow(page, base, ids.content);
			await page.locator('[data-test-id="execute-workflow-button"]').first().click();
			const done = page.locator('[data-test-id="canvas-node-status-success"]');
			await page.waitForFunction(
				() => document.querySelectorAll('[data-test-id="canvas-node-status-success"]').length >= 5,
				null,
				{ timeout: 60000 },
			);
			assert.ok((await done.count()) >= 5);
			await page.waitForTimeout(500);
			await shot(page, 'demo-run-finished.png');
		});
		// Last: it leaves an unsaved workflow open.
		await checkEditorImport({ page, base, checks, log });
	} finally {
		await browser.close();
	}
}

/** Every template's canvas, as the editor draws it (docs/templates.md shows these). */
async function checkTemplateCanvases({ page, base, checks }) {
	await checks.check('ui: every template opens in the editor with all its nodes', async () => {
		await openWorkflow(page, base, Object.values(TEMPLATES)[0]);
		for (const [file, id] of Object.entries(TEMPLATES)) {
			const workflow = wf.readWorkflow(path.join(wf.EXAMPLES_DIR, file));
			const names = workflow.nodes
				.filter((n) => n.type !== 'n8n-nodes-base.stickyNote')
				.map((n) => n.name);
			// Inside the editor's app (a full page load per template takes seconds each).
			await page.evaluate((url) => {
				window.history.pushState({}, '', url);
				window.dispatchEvent(new PopStateEvent('popstate'));
			}, `/workflow/${id}`);
			await page.waitForFunction(
				(expected) => {
					const shown = [...document.querySelectorAll('[data-test-id="canvas-node"]')].map(
						(el) => el.textContent || '',
					);
					return expected.every((name) => shown.some((text) => text.includes(name)));
				},
				names,
				{ timeout: 30000 },
			);
			// Fitted, then one step out: the editor's floating buttons cover the fitted canvas's edge.
			await page.locator('[data-test-id="zoom-to-fit"]').first().click();
			await page.locator('[data-test-id="zoom-out-button"]').first().click();
			await page.waitForTimeout(700);
			await shot(page, `template-${path.basename(file, '.json')}.png`);
		}
	});
}

/**
 * A template as a user imports it: the committed file, unchanged, through the editor's "Import
 * from File". It names no credential, so n8n gives each MiniToolAI node the user's own
 * MiniToolAI credential; no node then lacks one (the disabled Gmail node is the user's to set up).
 */
async function checkEditorImport({ page, base, checks, log }) {
	await checks.check(
		'ui: a template imported from its file gets the MiniToolAI credential',
		async () => {
			const file = path.join(wf.EXAMPLES_DIR, 'scheduled-post-with-illustration.json');
			await page.goto(`${base}/workflow/new`);
			await page
				.locator('[data-test-id="canvas-add-button"], [data-test-id="canvas-node"]')
				.first()
				.waitFor({ timeout: 60000 });
			// The input behind the workflow menu's Import > From File... (n8n-editor-ui 2.41.0).
			await page.locator('[data-test-id="workflow-import-input"]').setInputFiles(file);
			await page
				.locator('[data-test-id="canvas-node"]')
				.filter({ hasText: 'Write post' })
				.first()
				.waitFor({ timeout: 20000 });
			await page.waitForTimeout(1000);
			const warnings = page.locator('[data-test-id="canvas-node"]').filter({
				has: page.locator('[data-test-id="canvas-node-status-warning"]'),
			});
			const warned = await warnings.allInnerTexts();
			log(`imported template: nodes with a warning: ${JSON.stringify(warned)}`);
			for (const name of ['Write post', 'Illustrate post']) {
				assert.ok(!warned.some((t) => t.includes(name)), `"${name}" has a warning after import`);
				await openNode(page, name);
				// The instance's newest MiniToolAI credential (the e2e's are all named "MiniToolAI …").
				const select = page.locator('[data-test-id="node-credentials-select"]').first();
				const chosen = await select.evaluate((el) => {
					const input = el.querySelector('input');
					return (input && input.value) || el.textContent || '';
				});
				log(`imported template: "${name}" credential: ${chosen.trim()}`);
				assert.match(chosen, /MiniToolAI/, `"${name}" got no MiniToolAI credential`);
				await closeNdv(page);
			}
		},
	);
}

module.exports = { runBrowserChecks, SCHEDULERS, shot, openWorkflow, searchNodePanel, resultItems };
