'use strict';
/**
 * The emulator in a process of its own (its CLI), driven over its HTTP control endpoints: a real
 * API runs elsewhere, so its work does not share the event loop of the n8n engine under test.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { REPO_ROOT } = require('./util');

const CLI = path.join(REPO_ROOT, 'test', 'emulator', 'cli.js');
const START_TIMEOUT_MS = 20_000;

async function startRemoteEmulator({ keys, latencyMs = 0, tokenDelayMs = 0 }) {
	const args = [CLI, '--port', '0', '--image-port', '0', '--replies', 'echo', '--quiet'];
	args.push('--latency-ms', String(latencyMs), '--token-delay-ms', String(tokenDelayMs));
	for (const [key, usd] of Object.entries(keys)) args.push('--key', `${key}=${usd}`);
	const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	const baseUrl = await new Promise((resolve, reject) => {
		let out = '';
		const timer = setTimeout(
			() => reject(new Error(`emulator: no base URL in ${out}`)),
			START_TIMEOUT_MS,
		);
		child.stdout.on('data', (chunk) => {
			out += chunk;
			const found = /API base URL:\s+(\S+)/.exec(out);
			if (found) {
				clearTimeout(timer);
				resolve(found[1]);
			}
		});
		child.stderr.on('data', (chunk) => (out += chunk));
		child.once('exit', (code) => reject(new Error(`emulator exited ${code}: ${out}`)));
	});
	child.stdout.resume();
	const control = async (method, what, body) => {
		const res = await fetch(`${baseUrl}/__emulator/${what}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		if (!res.ok) throw new Error(`emulator ${method} ${what}: HTTP ${res.status}`);
		return await res.json();
	};
	return {
		baseUrl,
		configure: (options) => control('POST', 'configure', options),
		reset: () => control('POST', 'reset'),
		/** What the emulator recorded since its last reset (a copy). */
		requests: () => control('GET', 'requests'),
		close: () =>
			new Promise((resolve) => {
				if (child.exitCode !== null) return resolve();
				child.once('exit', () => resolve());
				child.kill('SIGTERM');
			}),
	};
}

module.exports = { startRemoteEmulator };
