'use strict';
/**
 * Environment for running n8n-core inside jest. Plain CommonJS on purpose: it needs `process`,
 * node built-ins and `@n8n/di`, which the strict lint forbids in .ts files.
 * Must be required before n8n-core is loaded (n8n-core reads config at import time).
 */
const os = require('node:os');
const path = require('node:path');
const fs = require('node:fs');

const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-harness-'));
const defaults = {
	N8N_USER_FOLDER: userFolder,
	N8N_ENCRYPTION_KEY: 'harness-encryption-key',
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
	N8N_DIAGNOSTICS_ENABLED: 'false',
	// As n8n 2.x stores binaries by default: on disk, written from the stream as it arrives.
	N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
	N8N_BINARY_DATA_STORAGE_PATH: path.join(userFolder, 'binaryData'),
	N8N_BINARY_DATA_SIGNING_SECRET: 'harness-signing-secret',
	N8N_LOG_LEVEL: 'silent',
};
for (const [key, value] of Object.entries(defaults)) {
	if (process.env[key] === undefined) process.env[key] = value;
}
// Requests to the local test servers must never go through a proxy from the environment.
const noProxy = ['127.0.0.1', 'localhost', '::1'];
for (const key of ['NO_PROXY', 'no_proxy']) {
	const current = process.env[key] ? process.env[key].split(',') : [];
	process.env[key] = [...new Set([...current, ...noProxy])].join(',');
}

module.exports = { userFolder };
