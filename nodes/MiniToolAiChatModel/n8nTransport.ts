import type { ISupplyDataFunctions } from 'n8n-workflow';

import type { ChatAnswer } from '../shared/chat/chatAnswer';
import { chatHttpRequest, type ChatRequestBody } from '../shared/chat/chatRequest';
import { sendApiRequest } from '../shared/transport/transport';
import type { ChatTransport } from './model';

/**
 * The model's transport inside n8n: the package's one way to send (the credential adds the key,
 * which only goes to the credential's Base URL; 429s retried; HTTP errors returned as answers for
 * the shared reader). Requests are cancelled with the execution, or earlier when the chain or
 * agent passes its own signal.
 */
export function n8nChatTransport(ctx: ISupplyDataFunctions): ChatTransport {
	return async (body: ChatRequestBody, callSignal?: AbortSignal): Promise<ChatAnswer> => {
		const response = await sendApiRequest(ctx, chatHttpRequest(body), { signal: callSignal });
		return { statusCode: response.statusCode, body: response.body, headers: response.headers };
	};
}
