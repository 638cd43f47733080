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

module.exports = { loadScanner, SCANNER_DIR, RECIPE_DIR };
