import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { checkChatSettings } from '../shared/chat/chatModels';
import { chatHttpRequest } from '../shared/chat/chatRequest';
import { assertHttpBaseUrl } from '../shared/transport/credentials';
import { prepareItem, userTimeoutMs } from '../shared/transport/preparedItem';
import { InputValidator } from '../shared/validation';
import { FIELDS } from './chatFields';
import { chatMessages } from './chatMessages';
import { readResponseFormat, withSchemaMessage, type StructuredOutputPlan } from './responseFormat';

/** How the Chat node shapes its output item, decided with the request. */
export interface ChatOutputOptions {
	/** The model asked for (the answer reports a dated id, which may be unknown to the price table). */
	model: string;
	simplify: boolean;
	/** Forward text to a streaming caller (Chat Trigger, Webhook) as it arrives. */
	streamResponse: boolean;
	/** A stream silent for this long counts as stalled: Request Options > Timeout when set. */
	idleTimeoutMs?: number;
	/** Response Format JSON or JSON Schema: the schema the answer must match, and its field. */
	structured?: StructuredOutputPlan;
}

/**
 * The Chat node's one request step (preSend): every parameter checked, the messages assembled and
 * the documented body built, before anything is sent, so a mistake never costs credit. The plan
 * (request and output options) is what the answer reader works from.
 */
export async function buildChatRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const check = new InputValidator(() => this.getNode(), this.getItemIndex());
	const credentials = await assertHttpBaseUrl(this);
	const settings = checkChatSettings(check, FIELDS, {
		model: this.getNodeParameter('model'),
		temperature: this.getNodeParameter('temperature'),
		maxCompletionTokens: this.getNodeParameter('maxCompletionTokens'),
	});
	const messages = await chatMessages(
		this,
		check,
		this.getNodeParameter('inputMode', 'list') as string,
	);
	const simplify = this.getNodeParameter('simplifyOutput', true) === true;
	const structured = readResponseFormat(this, check, simplify);
	const request: IHttpRequestOptions = {
		...requestOptions,
		...chatHttpRequest({
			...settings,
			messages: structured ? withSchemaMessage(messages, structured.schema) : messages,
		}),
		abortSignal: this.getExecutionCancelSignal(),
	};
	return prepareItem<ChatOutputOptions>(this, {
		request,
		credentials,
		output: {
			model: settings.model,
			simplify,
			streamResponse: this.getNodeParameter('options.streamResponse', true) !== false,
			idleTimeoutMs: userTimeoutMs(this),
			structured,
		},
	});
}
