import type {
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { readWholeChatAnswer } from '../shared/chatAnswer';
import { toChatCompletion, type ChatStreamResult } from '../shared/chatStream';
import { chatCostUsd } from '../shared/pricing';
import { preparedItem } from '../shared/preparedItem';
import { sendApiRequest } from '../shared/transport';
import type { ChatOutputOptions } from './buildChatRequest';

/** n8n's streaming API exists at run time on this context but not in its published type. */
interface StreamingContext {
	isStreaming?: () => boolean;
	sendChunk?: (
		type: 'begin' | 'item' | 'end',
		itemIndex: number,
		content?: string,
	) => Promise<void> | void;
}

/**
 * postReceive of the Chat node: re-sends a rate-limited request, reads the answer (forwarding text
 * to a streaming caller as it arrives) and shapes one output item.
 */
export async function outputChatAnswer(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const itemIndex = this.getItemIndex();
	const { request, credentials, output } = preparedItem<ChatOutputOptions>(this);
	const answer =
		response.statusCode === 429
			? await sendApiRequest(this, request, { previous: response })
			: response;

	const streaming = this as unknown as StreamingContext;
	const forward =
		output.streamResponse &&
		typeof streaming.sendChunk === 'function' &&
		streaming.isStreaming?.() === true;
	const context = {
		node: this.getNode(),
		itemIndex,
		apiKey: credentials.apiKey,
		idleTimeoutMs: output.idleTimeoutMs,
	};
	let result: ChatStreamResult;
	// An HTTP error is reported before anything is streamed.
	if (forward && answer.statusCode < 300) {
		await streaming.sendChunk!('begin', itemIndex);
		try {
			result = await readWholeChatAnswer(answer, context, async (piece) => {
				await streaming.sendChunk!('item', itemIndex, piece);
			});
		} finally {
			await streaming.sendChunk!('end', itemIndex);
		}
	} else {
		result = await readWholeChatAnswer(answer, context);
	}
	const json: IDataObject = output.simplify
		? simplified(result, output.model)
		: (toChatCompletion(result, output.model) as unknown as IDataObject);
	return [{ json, pairedItem: { item: itemIndex } }];
}

function simplified(result: ChatStreamResult, requestedModel: string): IDataObject {
	const usage = result.usage
		? {
				promptTokens: result.usage.promptTokens,
				completionTokens: result.usage.completionTokens,
				totalTokens: result.usage.totalTokens,
			}
		: null;
	const cost = chatCostUsd(requestedModel, usage) ?? chatCostUsd(result.model, usage);
	return {
		text: result.text,
		finishReason: result.finishReason,
		model: result.model ?? requestedModel,
		usage,
		costUsd: cost,
	};
}
