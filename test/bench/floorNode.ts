import { NodeConnectionTypes, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { BASE_URL_EXPRESSION, CREDENTIAL_TYPE } from '../../nodes/shared/constants';

/**
 * The declarative floor: the smallest declarative node that sends the Chat node's request (same
 * credential, same Base URL expression, the user's prompt routed into the body), with no preSend
 * or postReceive step and no output shaping. What n8n's RoutingNode costs any declarative node.
 */
export class DeclarativeFloor implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Declarative Floor',
		name: 'declarativeFloor',
		group: ['transform'],
		version: 1,
		description: 'Bench only: a minimal declarative chat request',
		defaults: { name: 'Declarative Floor' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		requestDefaults: {
			baseURL: BASE_URL_EXPRESSION,
			headers: { 'Content-Type': 'application/json' },
		},
		properties: [
			{
				displayName: 'Prompt',
				name: 'prompt',
				type: 'string',
				default: '',
				routing: {
					request: { method: 'POST', url: '/api/chat-completions/', json: false },
					send: {
						type: 'body',
						property: 'messages',
						value: '={{ [{ role: "user", content: $value }] }}',
					},
				},
			},
			{
				displayName: 'Model',
				name: 'model',
				type: 'string',
				default: 'gpt-4o-mini',
				routing: { send: { type: 'body', property: 'model' } },
			},
			{
				displayName: 'Temperature',
				name: 'temperature',
				type: 'number',
				default: 1,
				routing: { send: { type: 'body', property: 'temperature' } },
			},
			{
				displayName: 'Max Completion Tokens',
				name: 'maxCompletionTokens',
				type: 'number',
				default: 1000,
				routing: { send: { type: 'body', property: 'max_completion_tokens' } },
			},
		],
	};
}
