import {
	BaseChatModel,
	type ChatModelConfig,
	type FinishReason,
	type GenerateResult,
	type Message,
	type StreamChunk,
	type TokenUsage,
} from '@n8n/ai-node-sdk';
import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

import {
	readChatAnswer,
	readWholeChatAnswer,
	type ChatAnswer,
	type ChatAnswerContext,
} from '../shared/chat/chatAnswer';
import type { ChatRequestBody } from '../shared/chat/chatRequest';
import type { ChatStreamResult } from '../shared/chat/chatStream';
import { apiErrorFromMessage } from '../shared/errors';
import { toApiMessages } from './messages';
import { toToolCallContent, type ToolSpec } from './toolProtocol';
import { toToolSpecs } from './toolSpecs';
import { runToolTurn } from './toolTurn';
import { turnCostUsd, turnUsage } from './turnUsage';

/**
 * Sends one chat request and resolves with the answer as soon as its headers arrive, without
 * throwing on HTTP error statuses. In n8n it is the package's transport (see n8nTransport.ts);
 * tests may pass any implementation.
 */
export type ChatTransport = (body: ChatRequestBody, signal?: AbortSignal) => Promise<ChatAnswer>;

export interface MiniToolAiModelConfig extends ChatModelConfig {
	temperature: number;
	/** Sent as `max_completion_tokens`. */
	maxTokens: number;
}

export interface MiniToolAiModelOptions {
	transport: ChatTransport;
	/** The node errors are attributed to. */
	node: INode;
	/** Redacted from every error message (servers sometimes echo keys). */
	apiKey?: string;
	/** A streamed answer silent for this long counts as dropped (default 120 s). */
	idleTimeoutMs?: number;
	/** The item the sub-node was supplied for (shown with errors). */
	itemIndex?: number;
	/**
	 * Told once per answer (all requests of the turn added up): n8n's editor shows a model's token
	 * counts but has no place for its cost, so the node shows both in a hint.
	 */
	onUsage?: (usage: TokenUsage, costUsd: number | null, model: string) => void;
	/** Told once per tool: parts of its input schema the model's calls are not checked against. */
	onNotice?: (message: string) => void;
	/** Told when an answer calls tools (after onUsage), with the calls as the agent gets them. */
	onToolCalls?: (calls: Array<{ name: string; arguments: Record<string, unknown> }>) => void;
}

/** Extra facts about each answer, in `providerMetadata` (LangChain's `response_metadata`). */
export interface MiniToolAiMetadata {
	/** The dated model id the API reported, e.g. gpt-4o-mini-2024-07-18. */
	responseModel: string | null;
	/** As the API sent it (`stop`, `length`, …). */
	apiFinishReason: string | null;
	/**
	 * From the documented price table, for every request of the answer (a repair round included);
	 * null when the model or the usage is unknown.
	 */
	costUsd: number | null;
	/** The answer arrived as an event stream (`sse`) or one JSON object (`json`). */
	format: ChatStreamResult['format'];
	/** Requests this answer took: 2 when the model's first answer broke the tool protocol. */
	requests?: number;
	/** What was wrong with the first answer, when a repair round was needed. */
	repairedProblem?: string;
}

const FINISH_REASONS: Record<string, FinishReason> = {
	stop: 'stop',
	length: 'length',
	content_filter: 'content-filter',
	tool_calls: 'tool-calls',
	function_call: 'tool-calls',
};

type CallConfig = Partial<MiniToolAiModelConfig> & { signal?: AbortSignal };

/**
 * A MiniToolAI chat model for n8n's AI nodes (Basic LLM Chain, AI Agent, …) through
 * `@n8n/ai-node-sdk`. `generate()` reads the whole answer, `stream()` yields text as it arrives.
 *
 * Tools: the API documents no tool calling, so tools an agent binds are described in the prompt
 * (toolProtocol.ts) and the model's text answer is parsed for calls (toolAnswer.ts). A call's
 * tool name and arguments are checked against the bound tools; an answer that breaks the protocol
 * gets one repair round that tells the model what was wrong, then the turn fails with an error.
 * This depends on the model following the instructions in the prompt.
 */
export class MiniToolAiLanguageModel extends BaseChatModel<MiniToolAiModelConfig> {
	private readonly options: MiniToolAiModelOptions;
	/** Tools whose unchecked schema parts were already reported. */
	private readonly reportedTools = new Set<string>();

	constructor(modelId: string, options: MiniToolAiModelOptions, config: MiniToolAiModelConfig) {
		super('minitoolai', modelId, config);
		this.options = options;
	}

	/** The request body exactly as it is sent. */
	buildRequestBody(messages: Message[], config?: CallConfig): ChatRequestBody {
		const defaults = this.defaultConfig;
		return {
			model: this.modelId,
			messages: toApiMessages(messages, this.options.node),
			temperature: config?.temperature ?? defaults?.temperature ?? 1,
			max_completion_tokens: config?.maxTokens ?? defaults?.maxTokens ?? 1000,
		};
	}

	async generate(messages: Message[], config?: MiniToolAiModelConfig): Promise<GenerateResult> {
		const tools = this.toolSpecs();
		if (tools.length > 0) return this.generateWithTools(messages, tools, config);
		const result = await this.read(messages, config);
		return {
			id: result.id,
			finishReason: toFinishReason(result),
			usage: this.toUsage([result]),
			message: {
				role: 'assistant',
				id: result.id,
				content: [{ type: 'text', text: result.text }],
			},
			providerMetadata: { ...this.metadata([result]) },
		};
	}

	async *stream(messages: Message[], config?: MiniToolAiModelConfig): AsyncIterable<StreamChunk> {
		const tools = this.toolSpecs();
		if (tools.length > 0) {
			// Prose can come before a call, so nothing is passed on until the answer is read whole.
			const generated = await this.generateWithTools(messages, tools, config);
			for (const block of generated.message.content) {
				if (block.type === 'text') yield { type: 'text-delta', delta: block.text };
				if (block.type === 'tool-call') {
					yield {
						type: 'tool-call-delta',
						id: block.toolCallId,
						name: block.toolName,
						argumentsDelta: block.input,
					};
				}
			}
			yield {
				type: 'finish',
				finishReason: generated.finishReason ?? 'stop',
				usage: generated.usage,
				providerMetadata: generated.providerMetadata,
			};
			return;
		}
		const answer = await this.send(messages, config);
		const reader = readChatAnswer(answer, this.answerContext());
		let next = await reader.next();
		while (!next.done) {
			yield { type: 'text-delta', delta: next.value };
			next = await reader.next();
		}
		const result = next.value;
		yield {
			type: 'finish',
			finishReason: toFinishReason(result),
			usage: this.toUsage([result]),
			providerMetadata: { ...this.metadata([result]) },
		};
	}

	private async generateWithTools(
		messages: Message[],
		tools: ToolSpec[],
		config?: CallConfig,
	): Promise<GenerateResult> {
		const turn = await runToolTurn(
			messages,
			tools,
			async (conversation) => await this.read(conversation, config),
			{ node: this.options.node, itemIndex: this.itemIndex, apiKey: this.options.apiKey },
		);
		const last = turn.results[turn.results.length - 1];
		const metadata: MiniToolAiMetadata = {
			...this.metadata(turn.results),
			requests: turn.results.length,
			...(turn.repairedProblem ? { repairedProblem: turn.repairedProblem } : {}),
		};
		const base = {
			id: last.id,
			usage: this.toUsage(turn.results),
			providerMetadata: { ...metadata },
		};
		if (turn.answer.kind === 'text') {
			return {
				...base,
				finishReason: toFinishReason(last),
				message: {
					role: 'assistant',
					id: last.id,
					content: [{ type: 'text', text: turn.answer.text }],
				},
			};
		}
		this.options.onToolCalls?.(turn.answer.calls);
		const prose = turn.answer.prose ? [{ type: 'text' as const, text: turn.answer.prose }] : [];
		return {
			...base,
			finishReason: 'tool-calls',
			message: {
				role: 'assistant',
				id: last.id,
				content: [...prose, ...toToolCallContent(turn.answer.calls)],
			},
		};
	}

	/** Sends one request and reads the whole answer. */
	private async read(messages: Message[], config?: CallConfig): Promise<ChatStreamResult> {
		const answer = await this.send(messages, config);
		return await readWholeChatAnswer(answer, this.answerContext());
	}

	/** Sends the request and returns the answer unread; the transport's own errors pass through. */
	private async send(messages: Message[], config?: CallConfig): Promise<ChatAnswer> {
		const requestBody = this.buildRequestBody(messages, config);
		const signal = config?.abortSignal ?? config?.signal;
		try {
			return await this.options.transport(requestBody, signal);
		} catch (error) {
			// n8n's transport already says what happened (unreachable, canceled) with a hint.
			if (error instanceof NodeApiError)
				throw new NodeApiError(this.options.node, error as unknown as JsonObject);
			throw apiErrorFromMessage(
				this.options.node,
				`Could not reach MiniToolAI: ${(error as Error).message ?? String(error)}`,
				{
					itemIndex: this.itemIndex,
					apiKey: this.options.apiKey,
					hint: 'Check the Base URL in the MiniToolAI API credential and the network connection of your n8n instance, then try again.',
				},
			);
		}
	}

	private answerContext(): ChatAnswerContext {
		return {
			node: this.options.node,
			itemIndex: this.itemIndex,
			apiKey: this.options.apiKey,
			idleTimeoutMs: this.options.idleTimeoutMs,
		};
	}

	/** The usage of every request of the turn, added up (a repair round costs tokens too). */
	private toUsage(results: ChatStreamResult[]): TokenUsage | undefined {
		const usage = turnUsage(this.modelId, results);
		if (usage) {
			const last = results[results.length - 1];
			this.options.onUsage?.(usage, turnCostUsd(this.modelId, results), last.model ?? this.modelId);
		}
		return usage;
	}

	private metadata(results: ChatStreamResult[]): MiniToolAiMetadata {
		const last = results[results.length - 1];
		return {
			responseModel: last.model ?? null,
			apiFinishReason: last.finishReason,
			costUsd: turnCostUsd(this.modelId, results),
			format: last.format,
		};
	}

	private toolSpecs(): ToolSpec[] {
		const specs = toToolSpecs(this.tools ?? []);
		for (const spec of specs) {
			if (!spec.notEnforced || this.reportedTools.has(spec.name)) continue;
			this.reportedTools.add(spec.name);
			this.options.onNotice?.(
				`Tool "${spec.name}": parts of its input schema are not checked in the model's answers (the tool still checks its input): ${spec.notEnforced.join('; ')}`,
			);
		}
		return specs;
	}

	private get itemIndex(): number {
		return this.options.itemIndex ?? 0;
	}
}

function toFinishReason(result: ChatStreamResult): FinishReason {
	if (result.finishReason === null) return 'stop';
	return FINISH_REASONS[result.finishReason] ?? 'other';
}
