'use strict';
/** Node-only helpers for the bench (the TypeScript side is under the strict community lint). */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const OUT_DIR = path.join(REPO_ROOT, 'bench-out');

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Straight to stdout: jest's console wrapper would add a stack line to every print. */
function print(text) {
	process.stdout.write(`${text}\n`);
}

function writeOut(name, content) {
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const file = path.join(OUT_DIR, name);
	fs.writeFileSync(file, content);
	return file;
}

function machineInfo() {
	const cpus = os.cpus();
	return {
		nproc: os.availableParallelism ? os.availableParallelism() : cpus.length,
		cpuModel: cpus[0] ? cpus[0].model.trim() : 'unknown',
		memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
		node: process.version,
		platform: `${os.platform()} ${os.release()} ${os.arch()}`,
		loadAvg: os.loadavg().map((l) => Math.round(l * 100) / 100),
		date: new Date().toISOString(),
	};
}

/** Wall-clock ms since the epoch with sub-ms precision (same clock as the emulator's Date.now()). */
function nowMs() {
	return performance.timeOrigin + performance.now();
}

/** BENCH_ONLY=1,4 runs only those measurements (ids as in the table; "2+6" is the real n8n). */
function selectedMeasurements() {
	const only = process.env.BENCH_ONLY;
	return only ? only.split(',').map((s) => s.trim()) : null;
}

/** Runs and empties `cleanups` last-in first-out; a failing step does not stop the others. */
async function runCleanups(cleanups) {
	while (cleanups.length) {
		const fn = cleanups.pop();
		await Promise.resolve()
			.then(fn)
			.catch(() => undefined);
	}
}

module.exports = {
	runCleanups,
	REPO_ROOT,
	OUT_DIR,
	sleep,
	print,
	writeOut,
	machineInfo,
	nowMs,
	selectedMeasurements,
};
