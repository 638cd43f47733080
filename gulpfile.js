/**
 * Build steps after `n8n-node build` (tsc + copying every png/svg in the tree):
 * - icons: minify the SVG icons into dist/icons (they are sent to every editor that loads n8n);
 * - prune: drop static files the copy step picked up that are not part of the package
 *   (README screenshots under docs/), so the published tarball holds only what n8n loads;
 * - verify: load every node and credential that package.json lists, from dist, and check that each
 *   has its icons and codex file, so a broken package fails the build instead of a user's editor.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { Transform } = require('node:stream');
const { dest, series, src } = require('gulp');

const DIST = path.join(__dirname, 'dist');
/** What n8n-node build leaves in dist that the package must not ship. */
const NOT_SHIPPED = ['docs', 'test', 'scripts', 'coverage', 'tsconfig.tsbuildinfo'];

function minifySvg(svg) {
	return svg
		.replace(/<!--[\s\S]*?-->/g, '')
		.replace(/<\?xml[\s\S]*?\?>/g, '')
		.replace(/>\s+</g, '><')
		.replace(/\s{2,}/g, ' ')
		.trim();
}

function icons() {
	const minify = new Transform({
		objectMode: true,
		transform(file, _encoding, callback) {
			if (file.isBuffer()) file.contents = Buffer.from(minifySvg(file.contents.toString('utf8')));
			callback(null, file);
		},
	});
	return src('icons/*.svg').pipe(minify).pipe(dest('dist/icons'));
}

async function prune() {
	for (const folder of NOT_SHIPPED) {
		await fs.promises.rm(path.join(DIST, folder), { recursive: true, force: true });
	}
}

function iconFiles(icon, baseDir) {
	if (!icon) return [];
	const values = typeof icon === 'string' ? [icon] : [icon.light, icon.dark];
	return values.filter((v) => v && v.startsWith('file:')).map((v) => path.join(baseDir, v.slice(5)));
}

async function verify() {
	const pkg = require('./package.json');
	const problems = [];
	const entries = [
		...pkg.n8n.credentials.map((file) => ({ file, kind: 'credential' })),
		...pkg.n8n.nodes.map((file) => ({ file, kind: 'node' })),
	];
	for (const { file, kind } of entries) {
		const full = path.join(__dirname, file);
		if (!fs.existsSync(full)) {
			problems.push(`${file} is listed in package.json but was not built`);
			continue;
		}
		const exported = Object.values(require(full));
		if (exported.length !== 1) problems.push(`${file} must export exactly one class`);
		const instance = new exported[0]();
		const description = kind === 'node' ? instance.description : instance;
		const baseName = path.basename(file).split('.')[0];
		const expectedName = baseName[0].toLowerCase() + baseName.slice(1);
		if (description.name !== expectedName) {
			problems.push(`${file}: name "${description.name}" should be "${expectedName}" (file naming)`);
		}
		for (const iconFile of iconFiles(description.icon, path.dirname(full))) {
			if (!fs.existsSync(iconFile)) problems.push(`${file}: icon ${path.relative(DIST, iconFile)} missing`);
		}
		if (kind === 'node') {
			const codexFile = full.replace(/\.js$/, '.json');
			if (!fs.existsSync(codexFile)) {
				problems.push(`${file}: codex file ${path.basename(codexFile)} missing`);
			} else {
				const codex = JSON.parse(fs.readFileSync(codexFile, 'utf8'));
				const expectedNode = `${pkg.name}.${description.name}`;
				if (codex.node !== expectedNode) problems.push(`${codexFile}: node should be ${expectedNode}`);
			}
		}
	}
	if (problems.length) throw new Error(`The built package is broken:\n- ${problems.join('\n- ')}`);
	console.log(`verified ${entries.length} entries in dist (classes, names, icons, codex files)`);
}

exports.icons = icons;
exports.prune = prune;
exports.verify = verify;
exports.build = series(icons, prune, verify);
