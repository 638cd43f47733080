/**
 * Every documentation link the n8n editor shows (the codex files' docs links, the credential's
 * documentationUrl) is a page of this repository that exists, without an anchor: n8n's editor
 * appends `?utm_source=…` to a node's docs URL (`useNodeDocsUrl` in n8n-editor-ui 2.41.0 and 1.123.0),
 * which would land inside a `#` anchor and open the top of the page.
 */
import { listRepoFiles, readRepoFile, repoPathExists } from '../harness/repoFiles';

const REPOSITORY = (
	JSON.parse(readRepoFile('package.json')) as { repository: { url: string } }
).repository.url
	.replace(/^git\+/, '')
	.replace(/\.git$/, '');
const PAGE_URL = `${REPOSITORY}/blob/main/`;

/** Why a link the editor shows would not land on a page, or null when it does. */
function editorLinkProblem(url: string): string | null {
	if (!url.startsWith(PAGE_URL)) return `not under ${PAGE_URL}`;
	if (/[#?]/.test(url)) return 'an anchor or query: the editor appends its own query';
	const page = url.slice(PAGE_URL.length);
	return page.endsWith('.md') && repoPathExists(page) ? null : `no page ${page}`;
}

const editorLinks = [...listRepoFiles('nodes'), ...listRepoFiles('credentials')]
	.filter((file) => /\.(ts|json)$/.test(file))
	.flatMap((file) =>
		(readRepoFile(file).match(/https:\/\/github\.com\/[^\s'"`)]+/g) ?? []).map(
			(url) => [file, url] as const,
		),
	);

describe('documentation links the n8n editor shows', () => {
	it("every node's codex links its page and the credential's page, and the credential its page", () => {
		const codexFiles = listRepoFiles('nodes').filter((file) => file.endsWith('.node.json'));
		expect(codexFiles.length).toBeGreaterThanOrEqual(3);
		for (const file of codexFiles) {
			const codex = JSON.parse(readRepoFile(file)) as {
				resources: Record<string, Array<{ url: string }>>;
			};
			expect([file, codex.resources.primaryDocumentation?.length]).toEqual([file, 1]);
			expect([file, codex.resources.credentialDocumentation?.length]).toEqual([file, 1]);
		}
		expect(readRepoFile('credentials/MiniToolAiApi.credentials.ts')).toMatch(
			/documentationUrl =\s*'https:\/\/github\.com\//,
		);
	});

	it.each(editorLinks)('%s: %s is a page of this repository, without an anchor', (_file, url) => {
		expect(editorLinkProblem(url)).toBeNull();
	});
});
