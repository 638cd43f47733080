import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { NODE_ICON } from '../shared/constants';
import { NOT_A_TOOL_MARKER } from '../shared/notAToolMarker';
import { generateDescription } from './descriptions/generate.operation';
import { getJobDescription } from './descriptions/getJob.operation';
import { operationProperty } from './descriptions/operation.description';
import { submitJobDescription } from './descriptions/submitJob.operation';

export class MiniToolAiTextToImage implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MiniToolAI Text to Image',
		name: 'miniToolAiTextToImage',
		icon: NODE_ICON,
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + ($parameter["model"] || "")}}',
		description: 'Create images from text with MiniToolAI image models',
		defaults: { name: 'MiniToolAI Text to Image' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'miniToolAiApi', required: true }],
		requestDefaults: {
			headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
			json: true,
			// HTTP errors reach the postReceive steps, which turn them into errors with hints.
			ignoreHttpStatusErrors: true,
		},
		properties: [
			operationProperty,
			...generateDescription,
			...submitJobDescription,
			...getJobDescription,
			NOT_A_TOOL_MARKER,
		],
	};
}
