'use strict';
/**
 * Read-only access to the repository's own files for tests (plain JS: the strict lint keeps `fs`
 * and `path` out of .ts files).
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

/** The text of a file, by its path relative to the repository root. */
function readRepoFile(relative) {
	return fs.readFileSync(path.join(ROOT, relative), 'utf8');
}

/** Every file below a folder, as paths relative to the repository root. */
function listRepoFiles(relativeDir) {
	const walk = (dir) =>
		fs
			.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
			.flatMap((entry) =>
				entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
			);
	return walk(relativeDir);
}

/** Whether a file or folder exists, by its path relative to the repository root. */
function repoPathExists(relative) {
	return fs.existsSync(path.join(ROOT, relative));
}

module.exports = { readRepoFile, listRepoFiles, repoPathExists };
