import type { INodeParameters } from 'n8n-workflow';

/** HTTP Request 4.2 parameters sending the Chat node's request; the SSE answer kept as text. */
export declare function httpChatParameters(baseUrl: string): INodeParameters;
