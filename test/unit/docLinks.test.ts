/**
 * Every link between the Markdown pages (the README, the changelog, docs/ and the tests' READMEs)
 * resolves: a relative link names a file that exists, an anchor a heading of its page, as GitHub
 * builds anchors. Links the n8n editor shows: editorDocLinks.test.ts.
 */
import { listRepoFiles, readRepoFile, repoPathExists } from '../harness/repoFiles';

const MARKDOWN_FILES = [
	'README.md',
	'CHANGELOG.md',
	...listRepoFiles('docs'),
	...listRepoFiles('test').filter((file) => file.endsWith('README.md')),
].filter((file) => file.endsWith('.md'));

/** GitHub's anchor for a heading: lower case, punctuation dropped, each space a hyphen. */
function githubAnchor(heading: string): string {
	return heading
		.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\s-]/gu, '')
		.replace(/\s/g, '-');
}

/** The page's lines outside fenced code blocks. */
function proseLines(markdown: string): string[] {
	let inFence = false;
	return markdown.split('\n').filter((line) => {
		if (/^\s*(```|~~~)/.test(line)) {
			inFence = !inFence;
			return false;
		}
		return !inFence;
	});
}

/** Every anchor of a page, repeated headings numbered as GitHub does (`name`, `name-1`, ...). */
function anchorsOf(file: string): Set<string> {
	const seen = new Map<string, number>();
	const anchors = new Set<string>();
	for (const line of proseLines(readRepoFile(file))) {
		const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const base = githubAnchor(heading[1]);
		const count = seen.get(base) ?? 0;
		seen.set(base, count + 1);
		anchors.add(count === 0 ? base : `${base}-${count}`);
	}
	return anchors;
}

/** Link targets of a page: inline links and images, and reference definitions. */
function linkTargets(file: string): string[] {
	return proseLines(readRepoFile(file)).flatMap((line) => {
		const text = line.replace(/`[^`]*`/g, '');
		const inline = [...text.matchAll(/\]\(\s*([^)\s]+)(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
		const reference = /^\s*\[[^\]]+\]:\s*(\S+)/.exec(text);
		return reference ? [...inline, reference[1]] : inline;
	});
}

/** A target relative to the page, as a path from the repository root; null if it leaves it. */
function resolveFrom(file: string, target: string): string | null {
	const parts = file.split('/').slice(0, -1);
	for (const part of decodeURIComponent(target).split('/')) {
		if (part === '..') {
			if (parts.length === 0) return null;
			parts.pop();
		} else if (part !== '.' && part !== '') parts.push(part);
	}
	return parts.join('/');
}

/** Why a relative link is broken, or null when it resolves. */
function brokenLink(file: string, target: string): string | null {
	const [pathPart, anchor] = target.split('#', 2);
	const resolved = pathPart === '' ? file : resolveFrom(file, pathPart);
	if (resolved === null || !repoPathExists(resolved)) return `no file ${pathPart}`;
	if (anchor === undefined) return null;
	if (!resolved.endsWith('.md')) return `an anchor into ${resolved}, which is not a page`;
	return anchorsOf(resolved).has(anchor) ? null : `no heading #${anchor} in ${resolved}`;
}

const relativeLinks = MARKDOWN_FILES.flatMap((file) =>
	linkTargets(file)
		.filter((target) => !/^[a-z][a-z\d+.-]*:/i.test(target))
		.map((target) => [file, target] as const),
);

describe('links between the Markdown pages', () => {
	it('covers the README and every page under docs/', () => {
		expect(MARKDOWN_FILES).toEqual(expect.arrayContaining(['README.md', 'docs/ARCHITECTURE.md']));
		const linkedFrom = new Set(relativeLinks.map(([file]) => file));
		expect(linkedFrom).toContain('README.md');
		expect(relativeLinks.length).toBeGreaterThanOrEqual(50);
	});

	it.each(relativeLinks)('%s → %s resolves', (file, target) => {
		expect(brokenLink(file, target)).toBeNull();
	});

	it('every page under docs/ is linked from the README or the docs index', () => {
		const linked = new Set(
			relativeLinks
				.filter(([file]) => file === 'README.md' || file === 'docs/README.md')
				.map(([file, target]) => resolveFrom(file, target.split('#')[0])),
		);
		const pages = MARKDOWN_FILES.filter((f) => f.startsWith('docs/') && f !== 'docs/README.md');
		expect(pages.filter((page) => !linked.has(page))).toEqual([]);
	});
});
