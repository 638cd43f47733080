import type { ISupplyDataFunctions } from 'n8n-workflow';

import { CHAT_PATH } from '../shared/constants';
import { apiRequest } from '../shared/transport';
import type { ChatAnswer, ChatRequestBody, ChatTransport } from './model';

/**
 * The model's transport inside n8n: the package's one API helper (the credential adds the key, which
 * is only sent to the credential's Base URL; 429s retried; HTTP errors returned as answers for the
 * model to turn into errors with hints). The answer is requested as a stream. Requests are cancelled
 * with the execution, or earlier when the chain or agent passes its own signal.
 */
export function n8nChatTransport(ctx: ISupplyDataFunctions): ChatTransport {
	return async (body: ChatRequestBody, callSignal?: AbortSignal): Promise<ChatAnswer> => {
		const response = await apiRequest(
			ctx,
			{
				method: 'POST',
				url: CHAT_PATH,
				headers: {
					'Content-Type': 'application/json',
					Accept: 'text/event-stream, application/json',
				},
				body,
				encoding: 'stream',
			},
			undefined,
			callSignal,
		);
		return { statusCode: response.statusCode, body: response.body };
	};
}
