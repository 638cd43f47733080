import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { NODE_ICON } from '../shared/constants';
import { NOT_A_TOOL_MARKER } from '../shared/notAToolMarker';
import { chatProperties } from './chat.description';

export class MiniToolAiChat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MiniToolAI Chat',
		name: 'miniToolAiChat',
		icon: NODE_ICON,
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["model"]}}',
		description: 'Chat with GPT-4o and GPT-4.1 models through MiniToolAI',
		defaults: { name: 'MiniToolAI Chat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'miniToolAiApi', required: true }],
		requestDefaults: {
			headers: { 'Content-Type': 'application/json' },
			// HTTP errors reach the postReceive step, which turns them into errors with hints.
			ignoreHttpStatusErrors: true,
		},
		properties: [...chatProperties, NOT_A_TOOL_MARKER],
	};
}
