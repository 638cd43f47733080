'use strict';
/**
 * A local npm registry for the registry stage (scripts/registry-e2e.js): Verdaccio, installed from
 * the recipe test/e2e/verdaccio by the host mechanism of n8nHost.js, started on 127.0.0.1 with its
 * storage and config in a temporary folder and no uplinks, so it serves only what is published to
 * it and proxies nothing. Also the npm commands run against it: a publish as the publish workflow
 * runs it (less provenance), and the user's commands in an n8n user folder's `.n8n/nodes`.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { REPO_ROOT, freePort, log, run, sleep, waitFor } = require('./util');
const { ensureN8nHost } = require('./n8nHost');

const PACKAGE_NAME = 'n8n-nodes-minitoolai';
// The account the publishing side logs in with (`npm adduser` does the same PUT).
const PUBLISHER = { name: 'ci-publisher', password: 'Local-Registry-Passw0rd' };
const START_TIMEOUT_MS = 60000;

/**
 * Verdaccio's config: no uplinks (nothing but what we publish, so an install that needed another
 * package would fail with 404), one account, no web UI, request log as JSON lines on stdout.
 */
function verdaccioConfig(dir) {
	return [
		`storage: ${JSON.stringify(path.join(dir, 'storage'))}`,
		'auth:',
		'  htpasswd:',
		`    file: ${JSON.stringify(path.join(dir, 'htpasswd'))}`,
		'    max_users: 1',
		'uplinks: {}',
		'packages:',
		"  '**':",
		'    access: $all',
		'    publish: $authenticated',
		'    unpublish: $authenticated',
		'web:',
		'  enable: false',
		'log: { type: stdout, format: json, level: http }',
		'',
	].join('\n');
}

/**
 * npm's own settings that `npm run` hands its children (npm_config_*: the repo's .npmrc flags,
 * its userconfig, ...) and the script context: a user's shell has none of them.
 */
function userShellEnv(env) {
	const out = { ...env };
	for (const name of Object.keys(out)) {
		if (/^npm_/i.test(name) || name === 'INIT_CWD') delete out[name];
	}
	return out;
}

/** Starts Verdaccio in `dir` on a free loopback port; resolves once it answers its ping. */
async function startRegistry({ dir }) {
	const tool = await ensureN8nHost({ version: 'verdaccio' });
	fs.mkdirSync(dir, { recursive: true });
	const configFile = path.join(dir, 'config.yaml');
	fs.writeFileSync(configFile, verdaccioConfig(dir));
	const port = await freePort();
	const url = `http://127.0.0.1:${port}/`;
	const logFile = path.join(dir, 'verdaccio.log');
	const out = fs.openSync(logFile, 'a');
	const child = spawn(
		process.execPath,
		[tool.bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
		{ cwd: dir, env: userShellEnv(process.env), stdio: ['ignore', out, out], detached: true },
	);
	fs.closeSync(out);
	let exited = null;
	child.on('exit', (code, signal) => {
		exited = { code, signal };
	});
	await waitFor(
		`Verdaccio on ${url} (log: ${logFile})`,
		async () => {
			if (exited) {
				const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
				throw Object.assign(new Error(`Verdaccio exited (${JSON.stringify(exited)})\n${tail}`), {
					fatal: true,
				});
			}
			const res = await fetch(`${url}-/ping`).catch(() => null);
			return res && res.status === 200;
		},
		{ timeoutMs: START_TIMEOUT_MS, intervalMs: 200 },
	);
	log(`registry: ${tool.label} on ${url} (${tool.reused ? 'installed' : 'just installed'})`);

	return {
		url,
		logFile,
		/** The packument as npm sees it, or null when the registry does not know the package. */
		async packument(name = PACKAGE_NAME) {
			const res = await fetch(`${url}${name}`, { headers: { accept: 'application/json' } });
			if (res.status === 404) return null;
			if (!res.ok) throw new Error(`GET ${name}: HTTP ${res.status}`);
			return res.json();
		},
		/** Paths npm asked for since the start of `logFile` at `offset` (Verdaccio's http lines). */
		requestedPaths(offset = 0) {
			const text = fs.readFileSync(logFile, 'utf8').slice(offset);
			const paths = [];
			for (const line of text.split('\n')) {
				const m = /"url":"([^"]+)"/.exec(line);
				if (m && /"req":/.test(line)) paths.push(m[1]);
			}
			return paths;
		},
		logSize: () => fs.statSync(logFile).size,
		async stop() {
			if (exited) return;
			const gone = new Promise((r) => child.once('exit', r));
			try {
				process.kill(-child.pid, 'SIGTERM');
			} catch {
				return;
			}
			await Promise.race([gone, sleep(5000)]);
			if (!exited) process.kill(-child.pid, 'SIGKILL');
		},
	};
}

/**
 * Creates the publisher's account (the request `npm adduser` makes) and writes a user config
 * holding the registry's token, as the publish workflow does with `npm config set
 * //registry/:_authToken`. Returns the config's path.
 */
async function publisherConfig(registry, dir) {
	const res = await fetch(`${registry.url}-/user/org.couchdb.user:${PUBLISHER.name}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: PUBLISHER.name, password: PUBLISHER.password }),
	});
	const body = await res.json().catch(() => ({}));
	if (res.status !== 201 || !body.token) {
		throw new Error(`registry: adduser got HTTP ${res.status} ${JSON.stringify(body)}`);
	}
	const file = path.join(dir, 'publisher.npmrc');
	const hostPath = registry.url.replace(/^https?:/, '');
	fs.writeFileSync(file, `${hostPath}:_authToken=${body.token}\n`);
	return file;
}

/**
 * `npm publish` from the checkout, as `n8n-node release` runs it in the publish workflow: scripts
 * enabled (prepublishOnly = `n8n-node prerelease`, then prepack/postpack), `RELEASE_MODE` set by
 * the release command. `env` adds or removes (undefined) variables; `flags` are npm's.
 */
function publishCheckout(registry, userconfig, { env = {}, flags = [] } = {}) {
	const full = {
		...userShellEnv(process.env),
		NPM_CONFIG_IGNORE_SCRIPTS: 'false',
		RELEASE_MODE: 'true',
		...env,
	};
	for (const [k, v] of Object.entries(full)) if (v === undefined) delete full[k];
	const args = ['publish', `--registry=${registry.url}`, `--userconfig=${userconfig}`, ...flags];
	return run('npm', args, { cwd: REPO_ROOT, env: full, allowFail: true });
}

/** Puts back a package.json that a publish failing after `prepack` left stripped. */
function restoreManifest() {
	const script = path.join(REPO_ROOT, 'scripts', 'pack-manifest.js');
	return run(process.execPath, [script, 'restore'], { cwd: REPO_ROOT });
}

/** `npm publish <tarball>` (no lifecycle scripts run for a tarball) without provenance. */
function publishTarball(registry, userconfig, tgz) {
	const args = ['publish', tgz, '--provenance=false', `--registry=${registry.url}`];
	args.push(`--userconfig=${userconfig}`);
	return run('npm', args, { cwd: path.dirname(tgz), env: userShellEnv(process.env) });
}

/**
 * A patch release made from a published tarball: unpacked, `version` set, packed again
 * (`--ignore-scripts`: the checkout's prepack helper is not in the package). Returns the .tgz.
 */
async function bumpedTarball(tgz, version, dir) {
	const pkgDir = path.join(dir, 'package');
	fs.rmSync(pkgDir, { recursive: true, force: true });
	fs.mkdirSync(pkgDir, { recursive: true });
	await run('tar', ['-xzf', tgz, '-C', pkgDir, '--strip-components=1']);
	const manifestPath = path.join(pkgDir, 'package.json');
	const pkg = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	pkg.version = version;
	fs.writeFileSync(manifestPath, `${JSON.stringify(pkg, null, '\t')}\n`);
	const { stdout } = await run(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', dir],
		{ cwd: pkgDir, env: userShellEnv(process.env) },
	);
	const info = JSON.parse(stdout.slice(stdout.indexOf('[')));
	return path.join(dir, info[0].filename);
}

/** `npm pack name@version` from the registry into `dir` (what was published); returns the .tgz. */
async function fetchTarball(registry, spec, dir) {
	const args = ['pack', spec, '--json', `--registry=${registry.url}`, '--pack-destination', dir];
	const { stdout } = await run('npm', args, { cwd: dir, env: userShellEnv(process.env) });
	const info = JSON.parse(stdout.slice(stdout.indexOf('[')));
	return path.join(dir, info[0].filename);
}

/**
 * Runs a command as a user types it in `<user folder>/.n8n/nodes` of an n8n instance: its HOME
 * (where this registry stands in the user's ~/.npmrc, as a company mirror would), the host's Node
 * first on PATH, no npm settings inherited from this process.
 */
function userCommand(n8n, registry, argv) {
	const nodesDir = path.join(n8n.userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const env = userShellEnv(n8n.env());
	fs.mkdirSync(env.HOME, { recursive: true });
	fs.writeFileSync(path.join(env.HOME, '.npmrc'), `registry=${registry.url}\n`);
	const [cmd, ...args] = argv;
	return run(cmd, args, { cwd: nodesDir, env });
}

module.exports = {
	PACKAGE_NAME,
	startRegistry,
	publisherConfig,
	publishCheckout,
	restoreManifest,
	publishTarball,
	bumpedTarball,
	fetchTarball,
	userCommand,
	userShellEnv,
};
