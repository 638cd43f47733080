// Room: the chat request, its stream and its answer. Owns the documented request (chatRequest.ts),
// the model settings (chatModels.ts), the SSE and payload readers (sse.ts, chatPayload.ts,
// chatStream.ts) and the one answer reader both chat nodes use (here).

import type { INode } from 'n8n-workflow';

import { iterateBody, readBodyText } from '../transport/body';
import { ChatStreamParser, type ChatStreamResult } from './chatStream';
import { apiErrorFromAnswer, apiErrorFromMessage, PieceRedactor, redactValue } from '../errors';

/** An HTTP answer of the chat endpoint whose body has not been read yet. */
export interface ChatAnswer {
	statusCode: number;
	body: unknown;
	/** Reported for a redirect (its target) and a 429 (its Retry-After). */
	headers?: Record<string, unknown>;
}

export interface ChatAnswerContext {
	/** The node errors are attributed to. */
	node: INode;
	itemIndex: number;
	/** Redacted from the answer and every error message (servers sometimes echo keys). */
	apiKey: string | undefined;
	/** A streamed answer silent for this long counts as dropped. */
	idleTimeoutMs?: number;
}

const RETRY_HINT =
	'Run it again; for unattended workflows enable Retry On Fail in the settings of the node (for the Chat Model: of its chain or agent).';

/**
 * The one reader of the chat endpoint's answers, for the Chat node and the Chat Model: yields the
 * answer's text pieces as they arrive and returns the whole answer. An HTTP error status, a broken
 * or stalled stream, an error the server put in the answer, an empty answer and one cut short all
 * become NodeApiErrors with the server's message and a hint.
 */
export async function* readChatAnswer(
	answer: ChatAnswer,
	ctx: ChatAnswerContext,
): AsyncGenerator<string, ChatStreamResult> {
	const { node, itemIndex, apiKey } = ctx;
	if (answer.statusCode >= 300) {
		const bodyText = await readBodyText(answer.body);
		throw apiErrorFromAnswer(
			node,
			{ statusCode: answer.statusCode, bodyText, headers: answer.headers },
			{ action: 'chat request', itemIndex, apiKey },
		);
	}
	const parser = new ChatStreamParser(apiKey);
	// The key is redacted from the text as it streams, a key cut across pieces included.
	const redactor = new PieceRedactor(apiKey);
	let received = 0;
	try {
		// Reading stops at `data: [DONE]`: a server that keeps the connection open after a complete
		// answer must not make the node wait (leaving the loop closes the connection).
		for await (const chunk of iterateBody(answer.body, ctx.idleTimeoutMs)) {
			received += chunk.length;
			for (const piece of parser.push(chunk)) {
				const safe = redactor.push(piece);
				if (safe !== '') yield safe;
			}
			if (parser.finished) break;
		}
	} catch (error) {
		// No more text will come, so what was held back cannot become the key.
		const held = redactor.end();
		if (held !== '') yield held;
		const partial = parser.end();
		throw apiErrorFromMessage(
			node,
			`The answer from MiniToolAI broke off after ${partial.text.length} characters: ${(error as Error).message ?? String(error)}`,
			{
				itemIndex,
				apiKey,
				hint: `The connection to MiniToolAI was interrupted while the answer streamed in. ${RETRY_HINT}`,
			},
		);
	}
	const result = parser.end();
	if (result.error?.overLimit) {
		throw apiErrorFromMessage(
			node,
			`The answer from MiniToolAI was refused: ${result.error.message}`,
			{
				itemIndex,
				apiKey,
				hint: 'No chat answer needs lines this long: the server or a proxy in between sent something else. Check the Base URL in the credential, then try again.',
			},
		);
	}
	if (result.error) {
		throw apiErrorFromMessage(node, `MiniToolAI reported an error: ${result.error.message}`, {
			itemIndex,
			apiKey,
			hint: 'The error came from the model service while answering. Try again; if it repeats, try another model or a shorter conversation.',
		});
	}
	if (result.format === 'empty') {
		throw apiErrorFromMessage(
			node,
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
			node,
			`The answer from MiniToolAI ended early, after ${result.text.length} characters, without a finish reason`,
			{ itemIndex, apiKey, hint: `The stream was cut before the model finished. ${RETRY_HINT}` },
		);
	}
	const rest = redactor.end();
	if (rest !== '') yield rest;
	// Every field the server wrote (text, id, model, usage…) without the key.
	return redactValue(result, apiKey);
}

/** Reads a whole chat answer, handing each text piece to `onPiece` as it arrives. */
export async function readWholeChatAnswer(
	answer: ChatAnswer,
	ctx: ChatAnswerContext,
	onPiece?: (piece: string) => Promise<void> | void,
): Promise<ChatStreamResult> {
	const reader = readChatAnswer(answer, ctx);
	for (;;) {
		const next = await reader.next();
		if (next.done) return next.value;
		if (onPiece) await onPiece(next.value);
	}
}
