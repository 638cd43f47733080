import type {
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { ChatStreamParser, toChatCompletion, type ChatStreamResult } from '../shared/chatStream';
import { apiErrorFromAnswer, apiErrorFromMessage } from '../shared/errors';
import { chatCostUsd } from '../shared/pricing';
import { apiRequest, getApiCredentials, readBody, readBodyText } from '../shared/transport';
import { sentRequests } from './buildChatRequest';

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
 * postReceive of the Chat node: retries a rate-limited request, turns HTTP failures into
 * NodeApiErrors, reads the event stream as it arrives (forwarding text to a streaming caller),
 * and shapes one output item.
 */
export async function readChatAnswer(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const itemIndex = this.getItemIndex();
	const { apiKey } = await getApiCredentials(this);
	let answer = response;
	const sent = sentRequests.get(this);
	if (answer.statusCode === 429 && sent) answer = await apiRequest(this, sent, answer);
	if (answer.statusCode >= 300) {
		const bodyText = await readBodyText(answer.body);
		throw apiErrorFromAnswer(
			this.getNode(),
			{ statusCode: answer.statusCode, bodyText },
			{
				action: 'chat request',
				itemIndex,
				apiKey,
			},
		);
	}

	const result = await readStream(this, answer.body, apiKey);
	const requestedModel = this.getNodeParameter('model') as string;
	const simplify = this.getNodeParameter('simplifyOutput', true) as boolean;
	const json: IDataObject = simplify
		? simplified(result, requestedModel)
		: (toChatCompletion(result, requestedModel) as unknown as IDataObject);
	return [{ json, pairedItem: { item: itemIndex } }];
}

async function readStream(
	ctx: IExecuteSingleFunctions,
	body: unknown,
	apiKey: string,
): Promise<ChatStreamResult> {
	const itemIndex = ctx.getItemIndex();
	const streaming = ctx as unknown as StreamingContext;
	const forward =
		(ctx.getNodeParameter('options.streamResponse', true) as boolean) &&
		typeof streaming.sendChunk === 'function' &&
		streaming.isStreaming?.() === true;
	const parser = new ChatStreamParser();
	let received = 0;
	if (forward) await streaming.sendChunk!('begin', itemIndex);
	try {
		await readBody(body, async (chunk) => {
			received += chunk.length;
			const pieces = parser.push(chunk);
			if (forward) {
				for (const piece of pieces) await streaming.sendChunk!('item', itemIndex, piece);
			}
		});
	} catch (error) {
		const partial = parser.end();
		throw apiErrorFromMessage(
			ctx.getNode(),
			`The answer from MiniToolAI broke off after ${partial.text.length} characters: ${(error as Error).message}`,
			{
				itemIndex,
				apiKey,
				hint: 'The connection to MiniToolAI was interrupted while the answer streamed in. Run the node again; enable Retry On Fail in the node settings for unattended workflows.',
			},
		);
	} finally {
		if (forward) await streaming.sendChunk!('end', itemIndex);
	}
	const result = parser.end();
	if (result.error) {
		throw apiErrorFromMessage(
			ctx.getNode(),
			`MiniToolAI reported an error: ${result.error.message}`,
			{
				itemIndex,
				apiKey,
				hint: 'The error came from the model service while answering. Try again; if it repeats, try another model or a shorter conversation.',
			},
		);
	}
	if (result.format === 'empty') {
		throw apiErrorFromMessage(
			ctx.getNode(),
			received === 0
				? 'MiniToolAI sent an empty answer'
				: 'MiniToolAI answered, but not with a chat completion',
			{
				itemIndex,
				apiKey,
				hint: 'Check that the Base URL in the credential points at MiniToolAI (https://minitoolai.com).',
			},
		);
	}
	if (!result.done && result.finishReason === null) {
		throw apiErrorFromMessage(
			ctx.getNode(),
			`The answer from MiniToolAI ended early, after ${result.text.length} characters, without a finish reason`,
			{
				itemIndex,
				apiKey,
				hint: 'The stream was cut before the model finished. Run the node again.',
			},
		);
	}
	return result;
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
