import type {
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { readWholeChatAnswer } from '../shared/chat/chatAnswer';
import { toChatCompletion, type ChatStreamResult } from '../shared/chat/chatStream';
import { chatCostUsd } from '../shared/pricing';
import { preparedItem } from '../shared/transport/preparedItem';
import { sendApiRequest } from '../shared/transport/transport';
import type { ChatOutputOptions } from './buildChatRequest';
import { readStructuredAnswer, totalUsage } from './structuredAnswer';

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
 * to a streaming caller as it arrives) and shapes one output item. With Response Format JSON or
 * JSON Schema the answer is parsed and checked (one repair round) before anything is forwarded.
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
	const nodeOf = () => this.getNode();
	const context = {
		// Read only for an error: n8n's getNode() deep-copies the node on every call.
		get node() {
			return nodeOf();
		},
		itemIndex,
		apiKey: credentials.apiKey,
		idleTimeoutMs: output.idleTimeoutMs,
	};
	if (output.structured) {
		const { value, answers } = await readStructuredAnswer(
			this,
			request,
			output.structured,
			answer,
			context,
		);
		const accepted = answers[answers.length - 1];
		// A streaming caller gets only the accepted answer, once it is checked: forwarding pieces as
		// they arrive would show a rejected first answer, or JSON that is not yet known to be valid.
		if (forward) {
			await streaming.sendChunk!('begin', itemIndex);
			await streaming.sendChunk!('item', itemIndex, accepted.text);
			await streaming.sendChunk!('end', itemIndex);
		}
		const json = structuredJson(output, value, answers);
		return [{ json, pairedItem: { item: itemIndex } }];
	}

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

/** The item for Response Format JSON / JSON Schema: the raw answer, the parsed value beside it. */
function structuredJson(
	output: ChatOutputOptions,
	value: unknown,
	answers: ChatStreamResult[],
): IDataObject {
	const accepted = answers[answers.length - 1];
	const repaired = answers.length > 1;
	const field = output.structured!.field;
	if (output.simplify) {
		// The parsed value right after the raw text; usage and cost cover every call made.
		const base = simplified({ ...accepted, usage: totalUsage(answers) }, output.model);
		return { text: base.text, [field]: value as IDataObject, ...base, repaired };
	}
	const json: IDataObject = {
		...(toChatCompletion(accepted, output.model) as unknown as IDataObject),
		[field]: value as IDataObject,
		repaired,
	};
	// The rejected first answer keeps its own usage, so both calls can be accounted for.
	if (repaired) {
		json.rejectedAnswer = toChatCompletion(answers[0], output.model) as unknown as IDataObject;
	}
	return json;
}
