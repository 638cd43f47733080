'use strict';
/**
 * n8n's verification scanner (@n8n/scan-community-package), installed once into .cache/scanner
 * from the committed recipe in test/release/scanner (package.json + lockfile), reused while a
 * stamp holds the recipe's hash. Its CLI only scans published packages (it fetches the tarball
 * and the provenance-attested source), so scripts/scan.js calls its exported analyzePackage()
 * on the two legs the CLI lints: the source tree and the packed tarball.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { REPO_ROOT, CACHE_DIR, log, run } = require('./util');

const RECIPE_DIR = path.join(REPO_ROOT, 'test', 'release', 'scanner');
const SCANNER_DIR = path.join(CACHE_DIR, 'scanner');
const RECIPE_FILES = ['package.json', 'package-lock.json', '.npmrc'];
const STAMP_FILE = '.minitoolai-scanner-stamp';
const MODULE = path.join(
	SCANNER_DIR,
	'node_modules',
	'@n8n',
	'scan-community-package',
	'scanner',
	'scanner.mjs',
);

function recipeHash() {
	const hash = crypto.createHash('sha256');
	for (const file of RECIPE_FILES) {
		hash.update(file);
		hash.update(fs.readFileSync(path.join(RECIPE_DIR, file)));
	}
	return hash.digest('hex');
}

/** Installs (or reuses) the scanner; resolves with its module ({ analyzePackage, ... }). */
async function loadScanner() {
	const wanted = recipeHash();
	const stampPath = path.join(SCANNER_DIR, STAMP_FILE);
	const stamp = fs.existsSync(stampPath) ? fs.readFileSync(stampPath, 'utf8').trim() : '';
	if (stamp !== wanted || !fs.existsSync(MODULE)) {
		log('scanner: installing @n8n/scan-community-package into .cache/scanner');
		fs.mkdirSync(SCANNER_DIR, { recursive: true });
		fs.rmSync(stampPath, { force: true });
		for (const file of RECIPE_FILES) {
			fs.copyFileSync(path.join(RECIPE_DIR, file), path.join(SCANNER_DIR, file));
		}
		// `npm ci`: exactly the lockfile's versions (TypeScript held at 5.9.2).
		await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: SCANNER_DIR });
		fs.writeFileSync(stampPath, `${wanted}\n`);
	}
	return import(pathToFileURL(MODULE).href);
}

/**
 * Warnings on a leg: analyzePackage() passes a leg with warnings and does not report them, so
 * lint the same files with the scanner's own ESLint and config (buildScanConfig) to list them.
 */
async function scanWarnings(scanner, dir, patterns) {
	const modules = path.join(SCANNER_DIR, 'node_modules');
	const { ESLint } = require(path.join(modules, 'eslint'));
	const glob = require(path.join(modules, 'fast-glob'));
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await scanner.buildScanConfig(),
	});
	// The same file selection as analyzePackage().
	const files = glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	const results = await eslint.lintFiles(files);
	return results.flatMap((r) =>
		r.messages
			.filter((m) => m.severity === 1)
			.map((m) => `${path.relative(dir, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`),
	);
}

module.exports = { loadScanner, scanWarnings, SCANNER_DIR, RECIPE_DIR };
