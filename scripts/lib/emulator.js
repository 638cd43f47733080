'use strict';
/** Starts the MiniToolAI emulator (test/emulator) in this process on free loopback ports. */
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT, freePorts, log, waitFor } = require('./util');

const EMULATOR_DIR = path.join(REPO_ROOT, 'test', 'emulator');
const EMULATOR_KEY = 'emulator-key';

async function startLocalEmulator({ preferredPorts = [], quiet = true, ...opts } = {}) {
	const entry = path.join(EMULATOR_DIR, 'index.js');
	if (!fs.existsSync(entry)) {
		log(`emulator: waiting for ${path.relative(REPO_ROOT, entry)} to appear`);
		await waitFor('test/emulator/index.js', () => fs.existsSync(entry), {
			timeoutMs: 10 * 60000,
			intervalMs: 2000,
		});
	}
	const { startEmulator } = require(entry);
	const [port, imagePort] = await freePorts([preferredPorts[0], preferredPorts[1]]);
	const emulator = await startEmulator({
		port,
		imagePort,
		keys: { [EMULATOR_KEY]: 100 },
		quiet,
		...opts,
	});
	return emulator;
}

module.exports = { startLocalEmulator, EMULATOR_KEY };
