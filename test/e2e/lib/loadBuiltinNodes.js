'use strict';
/**
 * Run with the n8n host's Node, cwd = the host folder: requires every node and credential file that
 * n8n's built-in packages list in dist/known/*.json, the way n8n loads one when a workflow or the
 * editor first uses it. n8n loads built-in nodes lazily, so a node whose module is missing (e.g.
 * Extract From File without `date-fns`) starts fine and only fails when a user adds or runs it;
 * this finds such nodes up front. Prints one JSON line: { checked, failures: [{ type, file, error }] }.
 */
const fs = require('node:fs');
const path = require('node:path');

const PACKAGES = ['n8n-nodes-base', '@n8n/n8n-nodes-langchain'];

function packageDir(name) {
	return path.dirname(require.resolve(`${name}/package.json`, { paths: [process.cwd()] }));
}

const failures = [];
let checked = 0;
for (const name of PACKAGES) {
	const dir = packageDir(name);
	for (const kind of ['nodes', 'credentials']) {
		const known = JSON.parse(
			fs.readFileSync(path.join(dir, 'dist', 'known', `${kind}.json`), 'utf8'),
		);
		for (const [type, { sourcePath }] of Object.entries(known)) {
			checked++;
			try {
				require(path.join(dir, sourcePath));
			} catch (error) {
				const message = String((error && error.message) || error).split('\n')[0];
				failures.push({ type: `${name}.${type}`, file: sourcePath, error: message });
			}
		}
	}
}
console.log(JSON.stringify({ checked, failures }));
