'use strict';
/**
 * Builds the package and installs the packed tarball into an n8n user folder, the same way
 * n8n's community-package installer does (no links into the repo, only what `files` publishes).
 */
const crypto = require('node:crypto');
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
	// The prepack/postpack scripts shape the published package.json (scripts/pack-manifest.js);
	// the project's .npmrc ignores scripts, so enable them for this command as `npm publish` in
	// the publish workflow does.
	const { stdout } = await run(
		'npm',
		['pack', '--json', '--ignore-scripts=false', '--pack-destination', dest],
		{
			cwd: REPO_ROOT,
		},
	);
	// npm may print notices before the JSON array.
	const info = JSON.parse(stdout.slice(stdout.indexOf('[')));
	const tgz = path.join(dest, info[0].filename);
	log(`pack: ${path.basename(tgz)} (${info[0].entryCount} files, ${info[0].size} bytes)`);
	return tgz;
}

// What n8n 2.41.1 deletes from a community package's package.json before installing it
// (CommunityPackagesService.downloadPackage): peers then come from n8n itself.
const N8N_DROPPED_FIELDS = ['devDependencies', 'peerDependencies', 'optionalDependencies'];
// The flags of n8n's `npm install` inside the unpacked package.
const N8N_INSTALL_FLAGS = [
	'install',
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--ignore-scripts=true',
	'--package-lock=false',
];

/**
 * A per-checkout folder under ~/.cache for state that must live outside the repository (the
 * sandbox's user folder, see installPackage) and survive restarts.
 */
function outsideRepoFolder(name) {
	const checkout = crypto.createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 8);
	return path.join(os.homedir(), '.cache', 'n8n-nodes-minitoolai', `${name}-${checkout}`);
}

function isInside(dir, parent) {
	const rel = path.relative(parent, dir);
	return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Installs the tarball into <userFolder>/.n8n/nodes the way n8n 2.41.1 installs a community
 * package: unpack into node_modules/<name>, drop the dev, peer and optional dependencies from its
 * package.json, `npm install` there with n8n's flags, and record the dependency in the nodes
 * folder's package.json. The folder must lie outside the repository: Node's module lookup walks
 * up the parent folders and would find the repo's node_modules (its n8n-workflow and AI node SDK),
 * hiding a module that n8n does not provide.
 */
async function installPackage(userFolder, tgz) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	if (isInside(path.resolve(nodesDir), REPO_ROOT)) {
		throw new Error(`pack: ${nodesDir} is inside the repository; install outside it`);
	}
	fs.mkdirSync(nodesDir, { recursive: true });
	const manifestPath = path.join(nodesDir, 'package.json');
	const manifest = fs.existsSync(manifestPath)
		? JSON.parse(fs.readFileSync(manifestPath, 'utf8'))
		: { name: 'installed-nodes', private: true, dependencies: {} };

	// n8n unpacks straight into the package folder (`tar --strip-components=1`).
	const { stdout: packedJson } = await run('tar', ['-xzOf', tgz, 'package/package.json']);
	const { name } = JSON.parse(packedJson);
	const pkgDir = path.join(nodesDir, 'node_modules', name);
	fs.rmSync(pkgDir, { recursive: true, force: true });
	fs.mkdirSync(pkgDir, { recursive: true });
	await run('tar', ['-xzf', tgz, '-C', pkgDir, '--strip-components=1']);
	const pkgJsonPath = path.join(pkgDir, 'package.json');
	const pkg = JSON.parse(fs.readFileSync(pkgJsonPath, 'utf8'));
	for (const field of N8N_DROPPED_FIELDS) delete pkg[field];
	fs.writeFileSync(pkgJsonPath, JSON.stringify(pkg, null, 2));
	await run('npm', N8N_INSTALL_FLAGS, { cwd: pkgDir });

	manifest.dependencies = { ...manifest.dependencies, [pkg.name]: pkg.version };
	fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
	return pkgDir;
}

module.exports = {
	buildAndPack,
	installPackage,
	expectedDistFiles,
	outsideRepoFolder,
	N8N_DROPPED_FIELDS,
};
