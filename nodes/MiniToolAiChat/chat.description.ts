import type { INodeProperties } from 'n8n-workflow';

import { MODEL_PROPERTY } from '../shared/chat/chatModels';
import { rangeLabel } from '../shared/validation';
import {
	CHAT_PATH,
	DEFAULT_MAX_COMPLETION_TOKENS,
	DEFAULT_TEMPERATURE,
	MAX_COMPLETION_TOKENS,
	TEMPERATURE,
} from '../shared/constants';
import { buildChatRequest } from './buildChatRequest';
import { outputChatAnswer } from './chatOutput';
import { responseFormatProperties } from './responseFormat.description';

const showForList = { show: { inputMode: ['list'] } };

export const chatProperties: INodeProperties[] = [
	{
		...MODEL_PROPERTY,
		// The node's one request: no parameter maps itself into the body. buildChatRequest checks
		// every parameter and builds the whole documented body (the messages need assembling from
		// two input modes and binary data), outputChatAnswer reads the streamed answer.
		routing: {
			request: { method: 'POST', url: CHAT_PATH },
			send: { preSend: [buildChatRequest] },
			output: { postReceive: [outputChatAnswer] },
		},
	},
	{
		displayName: 'Messages Input',
		name: 'inputMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Define Below', value: 'list', description: 'Write the messages in this node' },
			{
				name: 'Using JSON',
				value: 'json',
				description:
					'Give the whole messages array as JSON, e.g. from an earlier node to continue a conversation',
			},
		],
		default: 'list',
	},
	{
		displayName: 'Messages',
		name: 'messages',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Message',
		default: { message: [{ role: 'user', content: '' }] },
		displayOptions: showForList,
		options: [
			{
				displayName: 'Message',
				name: 'message',
				values: [
					{
						displayName: 'Content',
						name: 'content',
						type: 'string',
						typeOptions: { rows: 4 },
						default: '',
						hint: 'Who says this is set under Role, below',
						description: 'The text of the message. With an image it may stay empty.',
					},
					{
						displayName: 'Image',
						name: 'imageSource',
						type: 'options',
						displayOptions: { show: { role: ['user'] } },
						options: [
							{ name: 'None', value: 'none' },
							{
								name: 'Image URL',
								value: 'url',
								description: 'A public jpg, png, webp or gif URL',
							},
							{
								name: 'Binary File',
								value: 'binary',
								description:
									'An image in the input item, sent inline as a data: URL (the API documents URLs; inline images are not documented)',
							},
						],
						default: 'none',
						description: 'An image for the model to look at (gpt-4o and gpt-4o-mini read images)',
					},
					{
						displayName: 'Image Detail',
						name: 'imageDetail',
						type: 'options',
						displayOptions: { show: { role: ['user'], imageSource: ['url', 'binary'] } },
						options: [
							{ name: 'Auto', value: 'auto' },
							{ name: 'High', value: 'high', description: 'Finer detail, more input tokens' },
							{ name: 'Low', value: 'low', description: 'Faster and cheaper' },
						],
						default: 'auto',
					},
					{
						displayName: 'Image URL',
						name: 'imageUrl',
						type: 'string',
						displayOptions: { show: { role: ['user'], imageSource: ['url'] } },
						default: '',
						placeholder: 'https://example.com/photo.jpg',
					},
					{
						displayName: 'Input Binary Field',
						name: 'binaryProperty',
						type: 'string',
						displayOptions: { show: { role: ['user'], imageSource: ['binary'] } },
						default: 'data',
						description: 'Name of the binary property of the input item that holds the image',
					},
					{
						displayName: 'Role',
						name: 'role',
						type: 'options',
						options: [
							{
								name: 'Developer',
								value: 'developer',
								description: 'Instructions the model follows (the system prompt)',
							},
							{ name: 'User', value: 'user', description: 'What the user says or asks' },
							{
								name: 'Assistant',
								value: 'assistant',
								description: 'An earlier answer of the model, to continue a conversation',
							},
						],
						default: 'user',
					},
				],
			},
		],
	},
	{
		displayName: 'Messages (JSON)',
		name: 'messagesJson',
		type: 'json',
		default:
			'[\n  {"role": "developer", "content": "You are a helpful assistant."},\n  {"role": "user", "content": "Hello!"}\n]',
		displayOptions: { show: { inputMode: ['json'] } },
		description:
			'An array of {"role", "content"} objects; roles developer, user, assistant. Content may be a list of {"type": "text"} and {"type": "image_url"} parts.',
	},
	...responseFormatProperties,
	{
		displayName: 'Temperature',
		name: 'temperature',
		type: 'number',
		typeOptions: { minValue: TEMPERATURE.min, maxValue: TEMPERATURE.max, numberPrecision: 2 },
		default: DEFAULT_TEMPERATURE,
		hint: rangeLabel(TEMPERATURE),
		description:
			'Higher values (0.8) give more creative answers, lower values (0.2) more focused and repeatable ones',
	},
	{
		displayName: 'Max Completion Tokens',
		name: 'maxCompletionTokens',
		type: 'number',
		typeOptions: { minValue: MAX_COMPLETION_TOKENS.min },
		default: DEFAULT_MAX_COMPLETION_TOKENS,
		hint: rangeLabel(MAX_COMPLETION_TOKENS),
		description:
			'Upper bound on the tokens the model may generate; a longer answer is cut and ends with finish reason "length"',
	},
	{
		displayName: 'Simplify Output',
		name: 'simplifyOutput',
		type: 'boolean',
		default: true,
		description:
			'Whether to return only text, finish reason, model, token usage and cost instead of the whole chat.completion object',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Stream Response',
				name: 'streamResponse',
				type: 'boolean',
				default: true,
				description:
					'Whether to send the answer to the caller piece by piece as it is written, when the workflow was started by a Chat Trigger or a Webhook in streaming mode',
			},
		],
	},
];
