import type { Message } from '@n8n/ai-node-sdk';
import type { INode, INodeProperties } from 'n8n-workflow';

import { MiniToolAiChatModel } from '../../nodes/MiniToolAiChatModel/MiniToolAiChatModel.node';
import { toApiMessages } from '../../nodes/MiniToolAiChatModel/messages';
import { MiniToolAiLanguageModel } from '../../nodes/MiniToolAiChatModel/model';
import { CHAT_MODELS, MAX_COMPLETION_TOKENS, TEMPERATURE } from '../../nodes/shared/constants';

const NODE: INode = {
	id: 'n',
	name: 'MiniToolAI Chat Model',
	type: 'miniToolAiChatModel',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

const text = (value: string) => ({ type: 'text' as const, text: value });

describe('toApiMessages: SDK messages -> documented chat messages', () => {
	it('maps system -> developer, user -> user, assistant -> assistant', () => {
		const messages: Message[] = [
			{ role: 'system', content: [text('rules')] },
			{ role: 'user', content: [text('question')] },
			{ role: 'assistant', content: [text('answer')] },
		];
		expect(toApiMessages(messages, NODE)).toEqual([
			{ role: 'developer', content: 'rules' },
			{ role: 'user', content: 'question' },
			{ role: 'assistant', content: 'answer' },
		]);
	});

	it('joins several text blocks with a newline and leaves out reasoning, citations, provider blocks', () => {
		const messages: Message[] = [
			{
				role: 'assistant',
				content: [
					{ type: 'reasoning', text: 'thinking…' },
					text('first'),
					{ type: 'citation', text: 'cited' },
					text('second'),
					{ type: 'provider', value: { x: 1 } },
				],
			},
		];
		expect(toApiMessages(messages, NODE)).toEqual([
			{ role: 'assistant', content: 'first\nsecond' },
		]);
	});

	it('renders tool calls and tool results as text (the API documents no tool calling)', () => {
		const messages: Message[] = [
			{
				role: 'assistant',
				content: [
					text('Let me look.'),
					{ type: 'tool-call', toolCallId: 'a', toolName: 'search', input: '{"q":"n8n"}' },
				],
			},
			{
				role: 'tool',
				name: 'search',
				content: [
					{ type: 'tool-result', toolCallId: 'a', result: [text('n8n is'), text('great')] },
				],
			},
			{
				role: 'tool',
				content: [{ type: 'tool-result', toolCallId: 'b', result: 'plain', isError: true }],
			},
		];
		expect(toApiMessages(messages, NODE)).toEqual([
			{ role: 'assistant', content: 'Let me look.\n[tool call search: {"q":"n8n"}]' },
			{ role: 'user', content: '[tool result search]: n8n is\ngreat' },
			{ role: 'user', content: '[tool result]: plain' },
		]);
	});

	it('sends images in user messages as image_url parts (URL, base64 text, bytes, data URL)', () => {
		const messages: Message[] = [
			{
				role: 'user',
				content: [
					text('What is this?'),
					{
						type: 'file',
						mediaType: 'image/png',
						data: '',
						providerMetadata: { url: 'https://example.com/a.png' },
					},
					{ type: 'file', mediaType: 'image/jpeg', data: 'QUJD' },
					{ type: 'file', mediaType: 'image/gif', data: new Uint8Array([65, 66, 67]) },
					{ type: 'file', mediaType: 'image/webp', data: 'data:image/webp;base64,QUJD' },
				],
			},
		];
		expect(toApiMessages(messages, NODE)).toEqual([
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'What is this?' },
					{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
					{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,QUJD' } },
					{ type: 'image_url', image_url: { url: 'data:image/gif;base64,QUJD' } },
					{ type: 'image_url', image_url: { url: 'data:image/webp;base64,QUJD' } },
				],
			},
		]);
	});

	it('leaves images out of non-user messages and reads text files as text', () => {
		const messages: Message[] = [
			{
				role: 'assistant',
				content: [text('see'), { type: 'file', mediaType: 'image/png', data: 'QUJD' }],
			},
			{ role: 'user', content: [{ type: 'file', mediaType: 'text/plain', data: 'notes' }] },
		];
		expect(toApiMessages(messages, NODE)).toEqual([
			{ role: 'assistant', content: 'see' },
			{ role: 'user', content: 'notes' },
		]);
	});

	it('refuses files the API cannot read, naming the type', () => {
		const messages: Message[] = [
			{ role: 'user', content: [{ type: 'file', mediaType: 'application/pdf', data: 'JVBER' }] },
		];
		expect(() => toApiMessages(messages, NODE)).toThrow(
			'MiniToolAI cannot read a file of type application/pdf',
		);
	});

	it('skips messages without text, and refuses a conversation with nothing to send', () => {
		expect(
			toApiMessages(
				[
					{ role: 'system', content: [text('  ')] },
					{ role: 'user', content: [text('hi')] },
				],
				NODE,
			),
		).toEqual([{ role: 'user', content: 'hi' }]);
		expect(() => toApiMessages([{ role: 'user', content: [text('')] }], NODE)).toThrow(
			'There is no message with text to send to MiniToolAI',
		);
	});
});

describe('MiniToolAiLanguageModel.buildRequestBody', () => {
	const transport = async () => ({ statusCode: 200, body: '' });

	it('builds exactly the documented fields from the node settings', () => {
		const model = new MiniToolAiLanguageModel(
			'gpt-4.1',
			{ transport, node: NODE },
			{ temperature: 0.2, maxTokens: 64 },
		);
		expect(model.buildRequestBody([{ role: 'user', content: [text('x')] }])).toEqual({
			model: 'gpt-4.1',
			messages: [{ role: 'user', content: 'x' }],
			temperature: 0.2,
			max_completion_tokens: 64,
		});
		expect(model.provider).toBe('minitoolai');
		expect(model.modelId).toBe('gpt-4.1');
	});

	it('ignores call options that do not set a value (LangChain passes many undefined keys)', () => {
		const model = new MiniToolAiLanguageModel(
			'gpt-4.1',
			{ transport, node: NODE },
			{ temperature: 0.2, maxTokens: 64 },
		);
		const body = model.buildRequestBody([{ role: 'user', content: [text('x')] }], {
			temperature: undefined as unknown as number,
			maxTokens: undefined as unknown as number,
		});
		expect(body).toMatchObject({ temperature: 0.2, max_completion_tokens: 64 });
	});
});

describe('MiniToolAI Chat Model node description', () => {
	const description = new MiniToolAiChatModel().description;
	const property = (name: string) =>
		description.properties.find((p) => p.name === name) as INodeProperties;

	it('is an AI language-model sub-node with the shared credential', () => {
		expect(description.name).toBe('miniToolAiChatModel');
		expect(description.inputs).toEqual([]);
		expect(description.outputs).toEqual(['ai_languageModel']);
		expect(description.credentials).toEqual([{ name: 'miniToolAiApi', required: true }]);
		expect(description.codex?.subcategories).toEqual({
			AI: ['Language Models', 'Root Nodes'],
			'Language Models': ['Chat Models (Recommended)'],
		});
	});

	it('offers the documented models and the documented defaults', () => {
		expect(property('model').options?.map((o) => (o as { value: string }).value)).toEqual([
			...CHAT_MODELS,
		]);
		expect(property('temperature').default).toBe(TEMPERATURE.default);
		expect(property('temperature').typeOptions).toMatchObject({
			minValue: TEMPERATURE.min,
			maxValue: TEMPERATURE.max,
		});
		expect(property('maxCompletionTokens').default).toBe(MAX_COMPLETION_TOKENS.default);
	});
});
