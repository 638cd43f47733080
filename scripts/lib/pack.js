'use strict';
/**
 * Builds the package and installs the packed tarball into an n8n user folder, the same way a
 * user's n8n gets it (no links into the repo, only what `files` publishes).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { REPO_ROOT, log, run } = require('./util');

/** The node files package.json's n8n section promises; all must exist after the build. */
function expectedDistFiles() {
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
	const n8n = pkg.n8n || {};
	return [...(n8n.credentials || []), ...(n8n.nodes || [])];
}

/** `npm run build` then `npm pack`; returns the absolute path of the .tgz in a temp folder. */
async function buildAndPack({ skipBuild = false } = {}) {
	if (!skipBuild) {
		log('pack: npm run build');
		await run('npm', ['run', 'build'], { cwd: REPO_ROOT }).catch((error) => {
			error.message = `${error.message}\n(--skip-build packs the current dist/ instead)`;
			throw error;
		});
	}
	const missing = expectedDistFiles().filter((f) => !fs.existsSync(path.join(REPO_ROOT, f)));
	if (missing.length) throw new Error(`pack: build output missing: ${missing.join(', ')}`);

	const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-pack-'));
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dest], {
		cwd: REPO_ROOT,
	});
	// npm may print notices before the JSON array.
	const info = JSON.parse(stdout.slice(stdout.indexOf('[')));
	const tgz = path.join(dest, info[0].filename);
	log(`pack: ${path.basename(tgz)} (${info[0].entryCount} files, ${info[0].size} bytes)`);
	return tgz;
}

/** Installs the tarball into <userFolder>/.n8n/nodes, where n8n looks for community packages. */
async function installPackage(userFolder, tgz) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		const content = { name: 'installed-nodes', private: true, dependencies: {} };
		fs.writeFileSync(manifest, `${JSON.stringify(content, null, 2)}\n`);
	}
	await run(
		'npm',
		['install', tgz, '--ignore-scripts', '--legacy-peer-deps', '--no-audit', '--no-fund'],
		{ cwd: nodesDir },
	);
	const pkgDir = path.join(nodesDir, 'node_modules', 'n8n-nodes-minitoolai');
	if (!fs.existsSync(path.join(pkgDir, 'package.json'))) {
		throw new Error(`pack: the package did not land in ${pkgDir}`);
	}
	return pkgDir;
}

module.exports = { buildAndPack, installPackage, expectedDistFiles };
