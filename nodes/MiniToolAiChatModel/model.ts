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
} from '../shared/chatAnswer';
import type { ChatRequestBody } from '../shared/chatRequest';
import type { ChatStreamResult, ChatUsage } from '../shared/chatStream';
import { apiErrorFromMessage } from '../shared/errors';
import { chatCostUsd } from '../shared/pricing';
import { toApiMessages } from './messages';

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
	/** Told (with the tool names) whenever a request goes out while tools are bound. */
	onToolsIgnored?: (toolNames: string[]) => void;
	/** A streamed answer silent for this long counts as dropped (default 120 s). */
	idleTimeoutMs?: number;
	/** The item the sub-node was supplied for (shown with errors). */
	itemIndex?: number;
}

/** Extra facts about each answer, in `providerMetadata` (LangChain's `response_metadata`). */
export interface MiniToolAiMetadata {
	/** The dated model id the API reported, e.g. gpt-4o-mini-2024-07-18. */
	responseModel: string | null;
	/** As the API sent it (`stop`, `length`, …). */
	apiFinishReason: string | null;
	/** From the documented price table; null when the model or the usage is unknown. */
	costUsd: number | null;
	/** The answer arrived as an event stream (`sse`) or one JSON object (`json`). */
	format: ChatStreamResult['format'];
	/** Names of tools that were bound but not sent: the API documents no tool calling. */
	toolsIgnored?: string[];
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
 * Tools: the API documents no tool calling. Tools an agent binds are not sent; the model always
 * answers in plain text, so an agent takes its first answer as final and never calls a tool.
 * `onToolsIgnored` and `providerMetadata.toolsIgnored` make that visible.
 */
export class MiniToolAiLanguageModel extends BaseChatModel<MiniToolAiModelConfig> {
	private readonly options: MiniToolAiModelOptions;

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
		const answer = await this.send(messages, config);
		const result = await readWholeChatAnswer(answer, this.answerContext());
		return {
			id: result.id,
			finishReason: toFinishReason(result),
			usage: this.toUsage(result),
			message: {
				role: 'assistant',
				id: result.id,
				content: [{ type: 'text', text: result.text }],
			},
			providerMetadata: { ...this.metadata(result) },
		};
	}

	async *stream(messages: Message[], config?: MiniToolAiModelConfig): AsyncIterable<StreamChunk> {
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
			usage: this.toUsage(result),
			providerMetadata: { ...this.metadata(result) },
		};
	}

	/** Sends the request and returns the answer unread; the transport's own errors pass through. */
	private async send(messages: Message[], config?: CallConfig): Promise<ChatAnswer> {
		const requestBody = this.buildRequestBody(messages, config);
		const toolNames = this.boundToolNames();
		if (toolNames.length > 0) this.options.onToolsIgnored?.(toolNames);
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

	private toUsage(result: ChatStreamResult): TokenUsage | undefined {
		const usage = result.usage;
		if (!usage) return undefined;
		const tokenUsage: TokenUsage = {
			promptTokens: usage.promptTokens,
			completionTokens: usage.completionTokens,
			totalTokens: usage.totalTokens,
			additionalMetadata: { costUsd: this.cost(result, usage) },
		};
		const cached = detail(usage, 'prompt_tokens_details', 'cached_tokens');
		if (cached !== undefined) tokenUsage.inputTokenDetails = { cacheRead: cached };
		const reasoning = detail(usage, 'completion_tokens_details', 'reasoning_tokens');
		if (reasoning !== undefined) tokenUsage.outputTokenDetails = { reasoning };
		return tokenUsage;
	}

	private cost(result: ChatStreamResult, usage: ChatUsage | null): number | null {
		return chatCostUsd(this.modelId, usage) ?? chatCostUsd(result.model, usage);
	}

	private metadata(result: ChatStreamResult): MiniToolAiMetadata {
		const toolNames = this.boundToolNames();
		return {
			responseModel: result.model ?? null,
			apiFinishReason: result.finishReason,
			costUsd: this.cost(result, result.usage),
			format: result.format,
			...(toolNames.length > 0 ? { toolsIgnored: toolNames } : {}),
		};
	}

	private boundToolNames(): string[] {
		return (this.tools ?? []).map((tool) => tool.name);
	}

	private get itemIndex(): number {
		return this.options.itemIndex ?? 0;
	}
}

function toFinishReason(result: ChatStreamResult): FinishReason {
	if (result.finishReason === null) return 'stop';
	return FINISH_REASONS[result.finishReason] ?? 'other';
}

function detail(usage: ChatUsage, group: string, field: string): number | undefined {
	const details = usage.raw[group];
	if (typeof details !== 'object' || details === null) return undefined;
	const value = (details as Record<string, unknown>)[field];
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
