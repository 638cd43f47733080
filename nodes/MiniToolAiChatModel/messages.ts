import type { ContentFile, Message, MessageContent } from '@n8n/ai-node-sdk';
import { NodeOperationError, type INode } from 'n8n-workflow';

import type { ChatContentPart, ChatMessage } from '../shared/chat/chatRequest';
import { imageInputMimeType, MAX_INLINE_IMAGE_BYTES, type ChatRole } from '../shared/constants';

/**
 * Conversion from the AI SDK's messages to the documented chat-completions messages.
 *
 * The API documents three roles (`developer`, `user`, `assistant`), text content, and image parts
 * in user messages. It documents no tool calling, so tool traffic that reaches the model (e.g. from
 * a memory filled by another model) is kept as readable text instead of being dropped:
 * - `system` becomes `developer`;
 * - an assistant's tool calls become text lines `[tool call <name>: <arguments>]`;
 * - a `tool` message (a tool's result) becomes a `user` message `[tool result <name>]: <result>`;
 * - reasoning, citations and provider-specific blocks are not sent;
 * - images (`file` blocks with an image/* type) are sent as `image_url` parts in user messages and
 *   left out of other roles; other files are refused with an error naming their type.
 */

type ApiContentPart = ChatContentPart;
export type ApiMessage = ChatMessage;

const ROLE_MAP: Record<Message['role'], ChatRole> = {
	system: 'developer',
	user: 'user',
	assistant: 'assistant',
	tool: 'user',
};

export function toApiMessages(messages: Message[], node: INode): ApiMessage[] {
	const out: ApiMessage[] = [];
	for (const message of messages) {
		const role = ROLE_MAP[message.role] ?? 'user';
		const parts: ApiContentPart[] = [];
		for (const block of message.content ?? []) {
			const part = toPart(block, message, node);
			if (part) parts.push(part);
		}
		const hasImage = parts.some((part) => part.type === 'image_url');
		if (hasImage) {
			out.push({ role, content: parts });
			continue;
		}
		const text = parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
		// A message with nothing the API understands (only reasoning, say) is left out.
		if (text.trim() === '') continue;
		out.push({ role, content: text });
	}
	if (out.length === 0) {
		throw new NodeOperationError(node, 'There is no message with text to send to MiniToolAI', {
			description:
				'The prompt that reached the model was empty. Check the prompt (or chat input) of the chain or agent this model is connected to.',
		});
	}
	return out;
}

function toPart(block: MessageContent, message: Message, node: INode): ApiContentPart | undefined {
	switch (block.type) {
		case 'text':
			return { type: 'text', text: block.text };
		case 'tool-call':
			return { type: 'text', text: `[tool call ${block.toolName}: ${block.input}]` };
		case 'tool-result': {
			const label = message.name ? ` ${message.name}` : '';
			return { type: 'text', text: `[tool result${label}]: ${stringify(block.result)}` };
		}
		case 'file':
			return fileToPart(block, message, node);
		default:
			// reasoning, citation, invalid-tool-call, provider: nothing the API documents.
			return undefined;
	}
}

function fileToPart(block: ContentFile, message: Message, node: INode): ApiContentPart | undefined {
	const declared = String(block.mediaType ?? '').toLowerCase();
	if (declared.startsWith('text/') && typeof block.data === 'string') {
		return { type: 'text', text: block.data };
	}
	const mediaType = imageInputMimeType(declared);
	if (!mediaType) {
		throw new NodeOperationError(
			node,
			`MiniToolAI cannot read a file of type ${declared || 'unknown'}`,
			{
				description:
					'The MiniToolAI chat API accepts text and images (jpg, png, webp, gif) only. Remove the file from the conversation or convert it first.',
			},
		);
	}
	// The API documents images in user messages only.
	if (message.role !== 'user') return undefined;
	const url = imageUrl(block, mediaType);
	if (url.startsWith('data:') && (url.length * 3) / 4 > MAX_INLINE_IMAGE_BYTES) {
		throw new NodeOperationError(
			node,
			`An image in the conversation is larger than the ${MAX_INLINE_IMAGE_BYTES / 1024 / 1024} MiB the node sends inline`,
			{ description: 'Resize or compress the image before it reaches the chain or agent.' },
		);
	}
	return { type: 'image_url', image_url: { url } };
}

function imageUrl(block: ContentFile, mediaType: string): string {
	const metadataUrl = block.providerMetadata?.url;
	if (typeof metadataUrl === 'string' && metadataUrl !== '') return metadataUrl;
	if (typeof block.data === 'string') {
		if (/^(https?:|data:)/i.test(block.data)) return block.data;
		return `data:${mediaType};base64,${block.data}`;
	}
	return `data:${mediaType};base64,${Buffer.from(block.data).toString('base64')}`;
}

function stringify(value: unknown): string {
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) {
		// A result in content blocks: keep its text.
		const texts = value
			.map((item) =>
				item && typeof item === 'object' && (item as { type?: unknown }).type === 'text'
					? String((item as { text?: unknown }).text ?? '')
					: '',
			)
			.filter((text) => text !== '');
		if (texts.length > 0) return texts.join('\n');
	}
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}
