/**
 * n8n's editor shows "No parameters are set up to be filled by AI" after a run of a node whose type
 * contains "tool" (ours all do: n8n-nodes-minitoolai) unless the node's parameters, with defaults
 * filled in, contain `$fromAI`. The plain nodes carry that text; the tool variants n8n builds for
 * `usableAsTool` (type names ending in "Tool") do not, so n8n's advice for tools still shows there.
 * Same resolution as the editor: NodeHelpers.getNodeParameters with defaults.
 */
import {
	NodeHelpers,
	type INode,
	type INodeParameters,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { MiniToolAiChat } from '../../nodes/MiniToolAiChat/MiniToolAiChat.node';
import { MiniToolAiChatModel } from '../../nodes/MiniToolAiChatModel/MiniToolAiChatModel.node';
import { MiniToolAiTextToImage } from '../../nodes/MiniToolAiTextToImage/MiniToolAiTextToImage.node';

const PACKAGE = 'n8n-nodes-minitoolai';

/** The editor's condition, as in n8n 2.41.1's getGenericHints. */
function editorShowsNotice(type: string, parameters: INodeParameters): boolean {
	return (
		type.toLocaleLowerCase().includes('tool') && !JSON.stringify(parameters).includes('$fromAI')
	);
}

function resolvedParameters(description: INodeTypeDescription, type: string): INodeParameters {
	const node: INode = {
		id: '1',
		name: description.defaults.name ?? 'node',
		type,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const parameters = NodeHelpers.getNodeParameters(
		description.properties,
		{},
		true,
		false,
		node,
		description,
	);
	return parameters ?? {};
}

const descriptions = [
	new MiniToolAiChat().description,
	new MiniToolAiTextToImage().description,
	new MiniToolAiChatModel().description,
];

describe('the editor notice about parameters filled by AI', () => {
	it.each(descriptions.map((d) => [d.name, d]))(
		'%s: the type contains "tool", the parameters hold $fromAI, so no notice',
		(name, description) => {
			const type = `${PACKAGE}.${name}`;
			expect(type.toLowerCase()).toContain('tool');
			expect(editorShowsNotice(type, resolvedParameters(description, type))).toBe(false);
		},
	);

	it.each(descriptions.filter((d) => d.usableAsTool).map((d) => [d.name, d]))(
		'%s as an AI Agent tool: no $fromAI text in its parameters, n8n advises as for any tool',
		(name, description) => {
			// n8n's tool variant of a usableAsTool node: same properties, name + "Tool".
			const toolDescription = { ...description, name: `${name}Tool` };
			const type = `${PACKAGE}.${name}Tool`;
			expect(editorShowsNotice(type, resolvedParameters(toolDescription, type))).toBe(true);
		},
	);

	it('the marker is not a $fromAI(…) call, so it never adds a tool argument', () => {
		for (const description of descriptions) {
			const text = JSON.stringify(resolvedParameters(description, description.name));
			expect(text).not.toMatch(/\$fromAI\s*\(/i);
		}
	});
});
