import type { INode, ISupplyDataFunctions } from 'n8n-workflow';

/**
 * n8n 1.x ships no @n8n/ai-node-sdk. The Chat Model's file must still load (n8n loads every node
 * of a package at start-up, and one failing file would take the Chat and Text to Image nodes
 * down too), and supplying the model must say what it needs.
 */
const NODE: INode = {
	id: 'n',
	name: 'MiniToolAI Chat Model',
	type: 'n8n-nodes-minitoolai.miniToolAiChatModel',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

describe('MiniToolAI Chat Model where n8n has no AI node SDK', () => {
	beforeEach(() => {
		jest.resetModules();
		jest.doMock('@n8n/ai-node-sdk', () => {
			// What Node's require throws where the package is not installed.
			throw Object.assign(new Error("Cannot find module '@n8n/ai-node-sdk'"), {
				code: 'MODULE_NOT_FOUND',
			});
		});
	});

	afterEach(() => {
		jest.dontMock('@n8n/ai-node-sdk');
		jest.resetModules();
	});

	it('loads the node file and describes the node', async () => {
		const { MiniToolAiChatModel } = await import(
			'../../nodes/MiniToolAiChatModel/MiniToolAiChatModel.node'
		);
		expect(new MiniToolAiChatModel().description.name).toBe('miniToolAiChatModel');
	});

	it('fails supplyData with a message naming n8n 2.x and the AI node SDK', async () => {
		const { MiniToolAiChatModel } = await import(
			'../../nodes/MiniToolAiChatModel/MiniToolAiChatModel.node'
		);
		const context = { getNode: () => NODE } as unknown as ISupplyDataFunctions;
		const supplied = new MiniToolAiChatModel().supplyData.call(context, 0);
		await expect(supplied).rejects.toMatchObject({
			message: expect.stringContaining('needs n8n 2.x with the AI node SDK (@n8n/ai-node-sdk)'),
			description: expect.stringContaining('n8n 1.123.x has no AI node SDK'),
		});
	});
});
