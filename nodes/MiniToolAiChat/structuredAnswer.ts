import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import {
	readWholeChatAnswer,
	type ChatAnswer,
	type ChatAnswerContext,
} from '../shared/chat/chatAnswer';
import type { ChatMessage, ChatRequestBody } from '../shared/chat/chatRequest';
import type { ChatUsage } from '../shared/chat/chatPayload';
import type { ChatStreamResult } from '../shared/chat/chatStream';
import { apiErrorFromMessage, redact } from '../shared/errors';
import { parseStructuredAnswer, renderSchemaRepair } from '../shared/json/structuredOutput';
import { sendApiRequest } from '../shared/transport/transport';
import type { StructuredOutputPlan } from './responseFormat';

/** The raw answer shown in the error of an answer that stayed unusable; longer ones are cut. */
const MAX_RAW_ANSWER_CHARS = 2000;

export interface StructuredAnswer {
	/** The parsed value, valid against the plan's schema. */
	value: unknown;
	/** Every answer read, in order; the last one is the accepted one. */
	answers: ChatStreamResult[];
}

/**
 * Reads an answer that must be JSON matching the plan's schema. An unusable answer (no JSON,
 * broken JSON, a schema violation) gets one repair round: the same conversation, the model's
 * answer, and a user message naming the first problem. If that answer is unusable too, the error
 * names its first problem by path and shows the raw answer.
 */
export async function readStructuredAnswer(
	ctx: IExecuteSingleFunctions,
	request: IHttpRequestOptions,
	plan: StructuredOutputPlan,
	answer: ChatAnswer,
	answerCtx: ChatAnswerContext,
): Promise<StructuredAnswer> {
	const first = await readWholeChatAnswer(answer, answerCtx);
	const firstParse = parseStructuredAnswer(first.text, plan.schema);
	if (firstParse.ok) return { value: firstParse.value, answers: [first] };

	const body = request.body as unknown as ChatRequestBody;
	const repairMessages: ChatMessage[] = [
		...body.messages,
		{ role: 'assistant', content: first.text },
		{ role: 'user', content: renderSchemaRepair(firstParse.problem) },
	];
	const repairAnswer = await sendApiRequest(ctx, {
		...request,
		body: { ...body, messages: repairMessages } as unknown as IHttpRequestOptions['body'],
	});
	const second = await readWholeChatAnswer(repairAnswer, answerCtx);
	const secondParse = parseStructuredAnswer(second.text, plan.schema);
	if (secondParse.ok) return { value: secondParse.value, answers: [first, second] };

	throw apiErrorFromMessage(
		answerCtx.node,
		`The model's answer does not match the response format, also after a repair round: ${secondParse.problem}`,
		{
			itemIndex: answerCtx.itemIndex,
			apiKey: answerCtx.apiKey,
			hint: unusableHint(firstParse.problem, second, answerCtx.apiKey),
		},
	);
}

function unusableHint(firstProblem: string, last: ChatStreamResult, apiKey: string | undefined) {
	const raw = redact(last.text, apiKey);
	const shown =
		raw.length > MAX_RAW_ANSWER_CHARS
			? `${raw.slice(0, MAX_RAW_ANSWER_CHARS)}… (${raw.length} characters in all)`
			: raw;
	const advice =
		last.finishReason === 'length'
			? 'The answer was cut off at Max Completion Tokens (finish reason "length"): raise Max Completion Tokens.'
			: 'Describe the wanted fields in a message too, simplify the schema, or try a larger model (gpt-4o, gpt-4.1).';
	return [
		`The model was asked for JSON matching the schema, then asked once more to fix "${firstProblem}". Its last answer was:`,
		shown === '' ? '(empty)' : shown,
		advice,
	].join('\n\n');
}

/** Token usage over every call made for the item; null when any call did not report it. */
export function totalUsage(answers: ChatStreamResult[]): ChatUsage | null {
	if (answers.some((answer) => answer.usage === null)) return null;
	const usages = answers.map((answer) => answer.usage as ChatUsage);
	const sum = (key: 'promptTokens' | 'completionTokens' | 'totalTokens') =>
		usages.reduce((total, usage) => total + usage[key], 0);
	const promptTokens = sum('promptTokens');
	const completionTokens = sum('completionTokens');
	const totalTokens = sum('totalTokens');
	return {
		promptTokens,
		completionTokens,
		totalTokens,
		raw: {
			prompt_tokens: promptTokens,
			completion_tokens: completionTokens,
			total_tokens: totalTokens,
		},
	};
}
