import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { CHAT_PATH, type ChatRole } from '../constants';

export type ChatContentPart =
	| { type: 'text'; text: string }
	| { type: 'image_url'; image_url: { url: string; detail?: string } };

/** A message as the chat endpoint documents it. */
export interface ChatMessage {
	role: ChatRole;
	content: string | ChatContentPart[];
}

/** The documented request body of `POST /api/chat-completions/`. */
export interface ChatRequestBody {
	model: string;
	messages: ChatMessage[];
	temperature: number;
	max_completion_tokens: number;
}

/**
 * The chat request on the wire, for the Chat node and the Chat Model alike. The answer is read as
 * a stream: it is Server-Sent Events, and streaming callers get text as it arrives.
 */
export function chatHttpRequest(body: ChatRequestBody): IHttpRequestOptions {
	return {
		method: 'POST',
		url: CHAT_PATH,
		headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream, application/json' },
		body: body as unknown as IDataObject,
		encoding: 'stream',
	};
}
