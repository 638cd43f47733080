'use strict';
/** Debian's Chromium for playwright-core; installed on demand (the registry has no browser). */
const fs = require('node:fs');
const path = require('node:path');
const os = require('node:os');
const { log, run } = require('./util');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run',
];

async function ensureChromium() {
	if (fs.existsSync(CHROMIUM)) return CHROMIUM;
	log('chromium: installing Debian chromium (apt-get, about 15 s)');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	const install = ['install', '-y', '--no-install-recommends', 'chromium'];
	const first = await run('apt-get', install, { env, allowFail: true });
	// A fresh machine may have empty package lists.
	if (first.code !== 0) {
		await run('apt-get', ['update'], { env });
		await run('apt-get', install, { env });
	}
	if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium: ${CHROMIUM} missing after install`);
	return CHROMIUM;
}

/** A browser with a fresh profile; close() also removes the profile. */
async function launchBrowser() {
	const { chromium } = require('playwright-core');
	const executablePath = await ensureChromium();
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1440, height: 900 },
	});
	return {
		context,
		async close() {
			await context.close().catch(() => {});
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}

/**
 * A browser logged in to the n8n editor at `baseUrl` as `owner`, and one page whose script errors
 * go to `log`. Close it with `browser.close()`.
 */
async function openEditor({ baseUrl, owner, log }) {
	const browser = await launchBrowser();
	try {
		const login = await browser.context.request.post(`${baseUrl}/rest/login`, {
			data: { emailOrLdapLoginId: owner.email, password: owner.password },
		});
		if (login.status() !== 200) throw new Error(`login failed: HTTP ${login.status()}`);
		const page = await browser.context.newPage();
		page.on('pageerror', (e) => log(`browser page error: ${e.message}`));
		return { browser, page };
	} catch (error) {
		await browser.close();
		throw error;
	}
}

// How long the editor may take to render what a check waits for (a loaded 2-core machine).
const RENDER_TIMEOUT_MS = 30000;
const RENDER_POLL_MS = 200;

/**
 * Polls `read()` (e.g. a locator's innerText) until `done(value)` holds; returns that value. A
 * check waits for the condition it asserts, never a fixed delay; on timeout the last value read
 * is in the error.
 */
async function renderedWhen(what, read, done, { timeoutMs = RENDER_TIMEOUT_MS } = {}) {
	const deadline = Date.now() + timeoutMs;
	let value;
	for (;;) {
		value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline) {
			throw new Error(
				`${what} not rendered in ${timeoutMs} ms; last seen: ${JSON.stringify(value)}`,
			);
		}
		await new Promise((resolve) => setTimeout(resolve, RENDER_POLL_MS));
	}
}

module.exports = { ensureChromium, launchBrowser, openEditor, renderedWhen, CHROMIUM_ARGS };
