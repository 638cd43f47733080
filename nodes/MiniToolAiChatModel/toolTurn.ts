import type { Message } from '@n8n/ai-node-sdk';
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import type { ChatStreamResult } from '../shared/chat/chatStream';
import { redact } from '../shared/errors';
import { parseToolAnswer, type ParsedToolCall } from './toolAnswer';
import {
	joinToolBatches,
	renderToolRepair,
	toProtocolMessages,
	type ToolSpec,
} from './toolProtocol';

/** The model's raw answer shown with a protocol error is cut to this many characters. */
const MAX_SHOWN_ANSWER_CHARS = 2000;

/** One tool-mode turn: the parsed answer and every request it took (repair included). */
export interface ToolTurn {
	answer:
		| { kind: 'text'; text: string }
		| { kind: 'calls'; calls: ParsedToolCall[]; prose?: string };
	results: ChatStreamResult[];
	repairedProblem?: string;
}

/** Sends one conversation and reads the whole answer. */
export type ReadAnswer = (messages: Message[]) => Promise<ChatStreamResult>;

/** Who a protocol error is attributed to, and the key to keep out of it. */
export interface ToolErrorContext {
	node: INode;
	itemIndex: number;
	apiKey?: string;
}

/**
 * Sends the conversation in the protocol's text forms and parses the answer; an answer that
 * breaks the protocol is sent back once with what was wrong, and a second failure is an error.
 */
export async function runToolTurn(
	messages: Message[],
	tools: ToolSpec[],
	read: ReadAnswer,
	errors: ToolErrorContext,
): Promise<ToolTurn> {
	const conversation = toProtocolMessages(joinToolBatches(messages), tools);
	const newId = callIdsAfter(messages);
	const first = await read(conversation);
	const parsed = parseToolAnswer(first.text, tools, { newId });
	if (parsed.kind !== 'invalid') return { answer: parsed, results: [first] };

	const repair: Message[] = [
		...conversation,
		{ role: 'assistant', content: [{ type: 'text', text: first.text }] },
		{ role: 'user', content: [{ type: 'text', text: renderToolRepair(parsed.problem, tools) }] },
	];
	const second = await read(repair);
	const reparsed = parseToolAnswer(second.text, tools, { newId });
	if (reparsed.kind !== 'invalid') {
		return { answer: reparsed, results: [first, second], repairedProblem: parsed.problem };
	}
	throw protocolError(errors, parsed.problem, reparsed.problem, second.text);
}

function protocolError(
	{ node, itemIndex, apiKey }: ToolErrorContext,
	firstProblem: string,
	problem: string,
	rawAnswer: string,
): NodeApiError {
	const safe = (text: string) => redact(text, apiKey);
	// Redacted before it is cut: a key cut in two by the clip would survive in part.
	const answer = safe(rawAnswer);
	const shown =
		answer.length > MAX_SHOWN_ANSWER_CHARS
			? `${answer.slice(0, MAX_SHOWN_ANSWER_CHARS)}… (${rawAnswer.length} characters)`
			: answer;
	const message = `The model's answer could not be used as a tool call, also after one repair round: ${problem}`;
	const description = [
		'MiniToolAI has no native tool calling: the tools are described in the prompt and the model must answer in the format asked for.',
		`First answer: ${firstProblem}. Second answer: ${problem}.`,
		`The model's second answer: ${shown}`,
		'Try a larger model (gpt-4o, gpt-4.1), a lower Sampling Temperature, or fewer or simpler tools.',
	].join('\n');
	return new NodeApiError(node, { message: safe(message) } as JsonObject, {
		message: safe(message),
		description: safe(description),
		itemIndex,
	});
}

/**
 * Ids for new calls that no earlier call in the conversation uses: the agent matches results to
 * calls by id, and an id given twice would mix up two turns' results.
 */
function callIdsAfter(messages: Message[]): (index: number) => string {
	const used = new Set<string>();
	for (const message of messages) {
		for (const block of message.content ?? []) {
			if (block.type === 'tool-call' && block.toolCallId) used.add(block.toolCallId);
			if (block.type === 'tool-result' && block.toolCallId) used.add(block.toolCallId);
		}
	}
	const given = new Map<number, string>();
	let next = used.size + 1;
	return (index) => {
		const known = given.get(index);
		if (known) return known;
		while (used.has(`call_${next}`)) next++;
		const id = `call_${next}`;
		used.add(id);
		given.set(index, id);
		return id;
	};
}
