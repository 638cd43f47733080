import type { ContentToolCall, Message, MessageContent } from '@n8n/ai-node-sdk';

import type { JsonSchema } from '../shared/json/jsonSchema';
import { REPAIR_PREFIX } from '../shared/json/structuredOutput';

export { REPAIR_PREFIX };

/**
 * Prompt-mode tool calling, the request side. The MiniToolAI API documents no tool or function
 * fields, so the tools are described in a developer message and the model is asked to answer with
 * one strict JSON object when it wants to call them; toolAnswer.ts parses the answer. Earlier calls
 * and results are written back in the same text forms, so the model sees its own format again.
 * The exact texts are the contract with the emulator's scripted model (see test/emulator).
 */

export interface ToolSpec {
	name: string;
	description?: string;
	/** The tool's input as JSON Schema (an object schema), as the model is told it. */
	parameters: JsonSchema;
	/** What a call's arguments are checked against when it differs from `parameters`. */
	enforced?: JsonSchema;
	/** The parts of `parameters` that are not checked, one line each (`#/…: why`). */
	notEnforced?: string[];
}

export interface ToolCallText {
	id?: string;
	name: string;
	arguments: unknown;
}

export interface ToolResultText {
	id: string;
	name: string;
	result: unknown;
	isError?: boolean;
}

const CALL_FORMAT = '{"tool_calls":[{"name":"<tool name>","arguments":{…}}]}';

/** The developer message that describes the tools and the answer format. */
export function renderToolsPrompt(tools: ToolSpec[]): string {
	const list = tools.map((tool) => ({
		name: tool.name,
		description: tool.description ?? '',
		parameters: tool.parameters,
	}));
	return [
		'You can call tools. These are the tools, as JSON (name, description, parameters as JSON Schema):',
		'<tools>',
		JSON.stringify(list),
		'</tools>',
		'To call one or more tools, answer with ONLY this JSON object, nothing else (no prose, no code fence):',
		CALL_FORMAT,
		'List several entries in "tool_calls" to call several tools at once. The "arguments" must match the',
		"tool's parameters. Tool results come back in a user message as",
		'<tool_result id="…" name="…">…</tool_result> blocks. When no tool is needed, or when the results',
		'answer the question, answer in plain text, without any tool_calls JSON.',
	].join('\n');
}

/** An earlier assistant turn that called tools: exactly the strict format, with ids. */
export function renderToolCalls(calls: ToolCallText[]): string {
	return JSON.stringify({
		tool_calls: calls.map((call) => ({
			...(call.id ? { id: call.id } : {}),
			name: call.name,
			arguments: call.arguments,
		})),
	});
}

/** Tool results as `<tool_result id="…" name="…">` blocks, one per result. */
export function renderToolResults(results: ToolResultText[]): string {
	return results
		.map((result) => {
			const error = result.isError ? ' error="true"' : '';
			// A result that contains the closing tag must not end its block early.
			const body = resultText(result.result).replace(/<\/tool_result>/gi, '<\\/tool_result>');
			return `<tool_result id="${attribute(result.id)}" name="${attribute(result.name)}"${error}>\n${body}\n</tool_result>`;
		})
		.join('\n');
}

/** The user message of the one repair round: what was wrong, then the format again. */
export function renderToolRepair(problem: string, tools: ToolSpec[]): string {
	const names = tools.map((tool) => tool.name).join(', ');
	return [
		`${REPAIR_PREFIX} ${problem}`,
		`To call tools, answer with ONLY ${CALL_FORMAT}, where each name is one of: ${names}, and the`,
		"arguments match that tool's parameters. If no tool is needed, answer in plain text.",
	].join('\n');
}

/**
 * The conversation as the model should read it: the tools message after the leading system
 * messages, earlier tool calls as assistant messages holding the strict JSON (any prose of that
 * turn is left out, so the model sees only the format it is asked for), and tool results as user
 * messages with `<tool_result>` blocks (consecutive results merged into one message).
 */
export function toProtocolMessages(messages: Message[], tools: ToolSpec[]): Message[] {
	const namesById = new Map<string, string>();
	for (const message of messages) {
		for (const block of message.content ?? []) {
			if (block.type === 'tool-call' && block.toolCallId)
				namesById.set(block.toolCallId, block.toolName);
		}
	}
	const out: Message[] = [];
	let pendingResults: ToolResultText[] = [];
	const flushResults = () => {
		if (pendingResults.length === 0) return;
		out.push({
			role: 'user',
			content: [{ type: 'text', text: renderToolResults(pendingResults) }],
		});
		pendingResults = [];
	};
	for (const message of messages) {
		const content = message.content ?? [];
		const results = content.filter((block) => block.type === 'tool-result');
		if (message.role === 'tool' || results.length > 0) {
			for (const block of results) {
				if (block.type !== 'tool-result') continue;
				pendingResults.push({
					id: block.toolCallId,
					name: namesById.get(block.toolCallId) ?? message.name ?? 'tool',
					result: block.result,
					isError: block.isError,
				});
			}
			continue;
		}
		flushResults();
		const calls = content.filter((block): block is ContentToolCall => block.type === 'tool-call');
		if (message.role === 'assistant' && calls.length > 0) {
			const text = renderToolCalls(
				calls.map((call) => ({
					id: call.toolCallId,
					name: call.toolName,
					arguments: parseInput(call.input),
				})),
			);
			out.push({ role: 'assistant', content: [{ type: 'text', text }], id: message.id });
			continue;
		}
		out.push(message);
	}
	flushResults();
	if (tools.length === 0) return out;
	const firstOther = out.findIndex((message) => message.role !== 'system');
	const at = firstOther === -1 ? out.length : firstOther;
	const toolsMessage: Message = {
		role: 'system',
		content: [{ type: 'text', text: renderToolsPrompt(tools) }],
	};
	return [...out.slice(0, at), toolsMessage, ...out.slice(at)];
}

/** The answer's content for the AI SDK: one `tool-call` block per call, input as a JSON string. */
export function toToolCallContent(
	calls: Array<{ id: string; name: string; arguments: Record<string, unknown> }>,
): MessageContent[] {
	return calls.map((call) => ({
		type: 'tool-call',
		toolCallId: call.id,
		toolName: call.name,
		input: JSON.stringify(call.arguments),
	}));
}

function parseInput(input: string): unknown {
	try {
		return JSON.parse(input);
	} catch {
		return input;
	}
}

function resultText(value: unknown): string {
	if (typeof value === 'string') return value;
	if (Array.isArray(value)) {
		// A result in content blocks: keep its text.
		const texts = value
			.filter((item) => item && typeof item === 'object' && item.type === 'text')
			.map((item) => String(item.text ?? ''));
		if (texts.length > 0) return texts.join('\n');
	}
	try {
		return JSON.stringify(value) ?? String(value);
	} catch {
		return String(value);
	}
}

function attribute(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/**
 * n8n's AI Agent hands the calls of one answer back as one assistant message per call, each
 * followed by its result. Sent like that, the model would see answers it never gave (one call
 * each) and its results scattered over several messages. Runs of "assistant message with only
 * tool calls, then the results of those calls" are joined into one message with all the calls
 * and the results after it, the way the model answered.
 */
export function joinToolBatches(messages: Message[]): Message[] {
	const out: Message[] = [];
	let batch: { calls: Message; results: Message[] } | undefined;
	const flush = () => {
		if (!batch) return;
		out.push(batch.calls, ...batch.results);
		batch = undefined;
	};
	for (let i = 0; i < messages.length; i++) {
		const message = messages[i];
		const content = message.content ?? [];
		const onlyCalls =
			message.role === 'assistant' &&
			content.some((block) => block.type === 'tool-call') &&
			content.every(
				(block) =>
					block.type === 'tool-call' || (block.type === 'text' && block.text.trim() === ''),
			);
		if (!onlyCalls) {
			flush();
			out.push(message);
			continue;
		}
		const ids = new Set(
			content.flatMap((block) => (block.type === 'tool-call' ? [block.toolCallId] : [])),
		);
		const results: Message[] = [];
		while (i + 1 < messages.length && isResultFor(messages[i + 1], ids))
			results.push(messages[++i]);
		const calls = content.filter((block) => block.type === 'tool-call');
		if (batch && results.length > 0) {
			batch.calls = { ...batch.calls, content: [...batch.calls.content, ...calls] };
			batch.results.push(...results);
			continue;
		}
		flush();
		batch = { calls: { ...message, content: calls }, results };
		// A call without results yet ends the batch (the agent is waiting for it).
		if (results.length === 0) flush();
	}
	flush();
	return out;
}

function isResultFor(message: Message, ids: Set<string | undefined>): boolean {
	const content = message.content ?? [];
	return (
		content.length > 0 &&
		content.every((block) => block.type === 'tool-result' && ids.has(block.toolCallId))
	);
}
