/**
 * Every documentation link the editor shows (codex files, node descriptions, the credential)
 * points at a heading that exists in the README, as GitHub turns headings into anchors.
 */
import { listRepoFiles, readRepoFile } from '../harness/repoFiles';

const README_URL = 'https://github.com/minitoolai/n8n-nodes-minitoolai#';

function githubAnchor(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\s-]/gu, '')
		.replace(/\s/g, '-');
}

const anchors = new Set(
	readRepoFile('README.md')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => githubAnchor(line.replace(/^#+ /, ''))),
);

const links = [...listRepoFiles('nodes'), ...listRepoFiles('credentials')]
	.filter((file) => /\.(ts|json)$/.test(file))
	.flatMap((file) => {
		const text = readRepoFile(file);
		const found = text.match(/https:\/\/github\.com\/minitoolai\/n8n-nodes-minitoolai#[\w-]+/g);
		return (found ?? []).map((url) => [file, url] as const);
	});

describe('documentation links', () => {
	it('there are links to check', () => {
		expect(links.length).toBeGreaterThanOrEqual(6);
	});

	it.each(links)('%s: %s names a README heading', (_file, url) => {
		expect(anchors).toContain(url.slice(README_URL.length));
	});
});
