'use strict';
/**
 * `npm run scan`: the release checks n8n's verification applies, run locally and in CI.
 * 1. The packed tarball ships exactly what n8n needs: package.json, README, LICENSE and the
 *    built files under dist/ (every node and credential the n8n section lists), and its
 *    package.json has no runtime, optional or override fields.
 * 2. n8n's scanner (@n8n/scan-community-package, see scripts/lib/scanner.js) on both of its legs:
 *    the source tree with its SOURCE_FILE_PATTERNS and the unpacked tarball with
 *    ['**\/*.js', 'package.json']. Any finding fails, warnings included (the scanner itself only
 *    fails on errors).
 * Ends with `scan: N passed, N failed`. Flag: --skip-build (pack the current dist/).
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { REPO_ROOT, Cleanups, Stages, log, run } = require('./lib/util');
const { buildAndPack, expectedDistFiles } = require('./lib/pack');
const { loadScanner, scanWarnings } = require('./lib/scanner');
const { Checks, runStage } = require('../test/e2e/lib/checks');

const args = new Set(process.argv.slice(2));
// The scanner CLI's tarball leg (scanner.mjs, analyzePackageByName).
const TARBALL_PATTERNS = ['**/*.js', 'package.json'];
// Files outside dist/ that belong in the tarball; npm adds package.json, README and LICENSE.
const TOP_LEVEL_FILES = ['package.json', 'README.md', 'LICENSE.md'];
const FORBIDDEN_FIELDS = [
	'dependencies',
	'optionalDependencies',
	'overrides',
	'bundleDependencies',
];

const cleanups = new Cleanups().watch();

async function main() {
	const stages = new Stages();
	const checks = new Checks(log);
	const work = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-scan-'));
	cleanups.push(() => fs.rmSync(work, { recursive: true, force: true }));
	try {
		const scanner = await stages.time('scanner', () => loadScanner());
		const tgz = await stages.time('build + pack', () =>
			buildAndPack({ skipBuild: args.has('--skip-build') }),
		);
		cleanups.push(() => fs.rmSync(path.dirname(tgz), { recursive: true, force: true }));
		await run('tar', ['-xzf', tgz, '-C', work]);
		const unpacked = path.join(work, 'package');
		const { stdout } = await run('tar', ['-tzf', tgz]);
		const files = stdout
			.split('\n')
			.filter(Boolean)
			.map((f) => f.replace(/^package\//, ''));
		log(`tarball: ${files.length} files`);

		await checks.check('pack: only package.json, README.md, LICENSE.md and dist/', () => {
			const extra = files.filter((f) => !TOP_LEVEL_FILES.includes(f) && !f.startsWith('dist/'));
			assert.deepEqual(extra, []);
			for (const f of TOP_LEVEL_FILES) assert.ok(files.includes(f), `${f} missing`);
		});
		await checks.check('pack: every node and credential of the n8n section is shipped', () => {
			const missing = expectedDistFiles().filter((f) => !files.includes(f));
			assert.deepEqual(missing, []);
		});
		await checks.check('pack: dist/ has no tests, sources or build caches', () => {
			const stray = files.filter(
				(f) =>
					/\.(test|spec)\.js$/.test(f) ||
					/\.tsbuildinfo$/.test(f) ||
					(f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
					f.startsWith('dist/test/'),
			);
			assert.deepEqual(stray, []);
		});
		await checks.check('pack: package.json has no runtime, optional or override fields', () => {
			const pkg = JSON.parse(fs.readFileSync(path.join(unpacked, 'package.json'), 'utf8'));
			const present = FORBIDDEN_FIELDS.filter(
				(field) => pkg[field] && Object.keys(pkg[field]).length > 0,
			);
			assert.deepEqual(present, []);
			// The repository's own package.json keeps them (restored after packing).
			const repoPkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
			assert.ok(repoPkg.optionalDependencies, 'postpack did not restore package.json');
		});

		const leg = async (name, dir, patterns) => {
			const started = Date.now();
			const result = await scanner.analyzePackage(dir, patterns);
			log(`scan ${name}: ${result.passed ? 'passed' : 'FAILED'} in ${Date.now() - started} ms`);
			if (!result.passed) {
				const detail = result.details || (result.error && result.error.stack) || '';
				throw new Error(`${result.message}\n${detail}`);
			}
			const warnings = await scanWarnings(scanner, dir, patterns);
			assert.deepEqual(warnings, [], `${name} leg warnings`);
		};
		await stages.time('scan source', () =>
			checks.check('scan: source leg (n8n scanner, SOURCE_FILE_PATTERNS), no findings', () =>
				leg('source', REPO_ROOT, scanner.SOURCE_FILE_PATTERNS),
			),
		);
		await stages.time('scan tarball', () =>
			checks.check('scan: tarball leg (n8n scanner, **/*.js + package.json), no findings', () =>
				leg('tarball', unpacked, TARBALL_PATTERNS),
			),
		);
	} catch (error) {
		checks.fail('stage', error);
	} finally {
		await cleanups.runAll();
	}
	console.log(`\nstage durations:\n${stages.summary()}`);
	checks.finish('scan');
}

runStage('scan', main, cleanups);
