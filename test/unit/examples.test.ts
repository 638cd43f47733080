/**
 * The templates in examples/ as committed, before anything fills them in: they must import into
 * anyone's n8n. n8n's editor drops a credential reference whose id it does not know and gives the
 * node the user's own credential of that type; its CLI and REST imports keep such an id (or look
 * one up by name), so a template names no credential at all. Services a user would connect are
 * their real n8n nodes, disabled; nothing points at the local emulator; every template says what
 * it shows and where the sandbox's answers come from. The e2e imports and runs each one
 * (test/e2e/lib/templateChecks.js).
 */
import { listRepoFiles, readRepoFile } from '../harness/repoFiles';

interface WorkflowNode {
	name: string;
	type: string;
	disabled?: boolean;
	credentials?: Record<string, unknown>;
	parameters: Record<string, unknown>;
}
interface Workflow {
	id: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string }>>>>;
}

const files = listRepoFiles('examples').filter((file) => file.endsWith('.json'));
const templates = files.map((file) => [file, readRepoFile(file)] as const);
// Nodes of services a user connects with their own account.
const EXTERNAL_SERVICE = /^n8n-nodes-base\.(gmail|googleSheets|slack|googleDrive)$/;
const KNOWN_PACKAGES = /^(n8n-nodes-base|@n8n\/n8n-nodes-langchain|n8n-nodes-minitoolai)\./;

describe('templates in examples/', () => {
	it('there are the templates the docs show', () => {
		expect(files.length).toBeGreaterThanOrEqual(5);
	});

	it.each(templates)('%s: names no credential and no local address', (_file, text) => {
		const workflow = JSON.parse(text) as Workflow;
		for (const node of workflow.nodes) expect(node.credentials).toBeUndefined();
		expect(text).not.toMatch(/127\.0\.0\.|localhost|__[A-Z_]+__|emulator-key|minitoolaiCred/);
	});

	it.each(templates)('%s: external services are real n8n nodes, disabled', (_file, text) => {
		const workflow = JSON.parse(text) as Workflow;
		for (const node of workflow.nodes) {
			expect(node.type).toMatch(KNOWN_PACKAGES);
			if (EXTERNAL_SERVICE.test(node.type))
				expect([node.name, node.disabled]).toEqual([node.name, true]);
		}
	});

	it.each(templates)(
		'%s: a sticky note says what it shows and where sandbox answers come from',
		(_file, text) => {
			const workflow = JSON.parse(text) as Workflow;
			const notes = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
			expect(notes).toHaveLength(1);
			const content = String(notes[0].parameters.content);
			expect(content).toMatch(/^## /);
			expect(content).toContain('answers come from the local MiniToolAI emulator');
		},
	);

	it.each(templates)(
		'%s: connections join nodes that exist; ids and names are unique',
		(_file, text) => {
			const workflow = JSON.parse(text) as Workflow;
			const names = new Set(workflow.nodes.map((n) => n.name));
			expect(names.size).toBe(workflow.nodes.length);
			for (const [from, outputs] of Object.entries(workflow.connections)) {
				expect(names).toContain(from);
				for (const list of Object.values(outputs).flat()) {
					for (const target of list) expect(names).toContain(target.node);
				}
			}
			expect(workflow.id).toMatch(/^mtaiDemo\w+$/);
		},
	);

	it('workflow ids are unique across templates', () => {
		const ids = templates.map(([, text]) => (JSON.parse(text) as Workflow).id);
		expect(new Set(ids).size).toBe(ids.length);
	});
});
