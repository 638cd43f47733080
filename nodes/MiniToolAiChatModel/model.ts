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
import { apiErrorFromMessage, redact } from '../shared/errors';
import { chatCostUsd } from '../shared/pricing';
import { toApiMessages } from './messages';
import { parseToolAnswer, type ParsedToolCall } from './toolAnswer';
import {
	joinToolBatches,
	renderToolRepair,
	toProtocolMessages,
	toToolCallContent,
	type ToolSpec,
} from './toolProtocol';
import { toToolSpecs } from './toolSpecs';

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

/** The model's raw answer shown with a protocol error is cut to this many characters. */
const MAX_SHOWN_ANSWER_CHARS = 2000;

/** One tool-mode turn: the parsed answer and every request it took (repair included). */
interface ToolTurn {
	answer:
		| { kind: 'text'; text: string }
		| { kind: 'calls'; calls: ParsedToolCall[]; prose?: string };
	results: ChatStreamResult[];
	repairedProblem?: string;
}

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
		const turn = await this.toolTurn(messages, tools, config);
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

	/**
	 * Sends the conversation in the protocol's text forms and parses the answer; an answer that
	 * breaks the protocol is sent back once with what was wrong, and a second failure is an error.
	 */
	private async toolTurn(
		messages: Message[],
		tools: ToolSpec[],
		config?: CallConfig,
	): Promise<ToolTurn> {
		const conversation = toProtocolMessages(joinToolBatches(messages), tools);
		const newId = callIdsAfter(messages);
		const first = await this.read(conversation, config);
		const parsed = parseToolAnswer(first.text, tools, { newId });
		if (parsed.kind !== 'invalid') return { answer: parsed, results: [first] };

		const repair: Message[] = [
			...conversation,
			{ role: 'assistant', content: [{ type: 'text', text: first.text }] },
			{ role: 'user', content: [{ type: 'text', text: renderToolRepair(parsed.problem, tools) }] },
		];
		const second = await this.read(repair, config);
		const reparsed = parseToolAnswer(second.text, tools, { newId });
		if (reparsed.kind !== 'invalid') {
			return { answer: reparsed, results: [first, second], repairedProblem: parsed.problem };
		}
		throw this.protocolError(parsed.problem, reparsed.problem, second.text);
	}

	private protocolError(firstProblem: string, problem: string, rawAnswer: string): NodeApiError {
		const shown =
			rawAnswer.length > MAX_SHOWN_ANSWER_CHARS
				? `${rawAnswer.slice(0, MAX_SHOWN_ANSWER_CHARS)}… (${rawAnswer.length} characters)`
				: rawAnswer;
		const message = `The model's answer could not be used as a tool call, also after one repair round: ${problem}`;
		const description = [
			'MiniToolAI has no native tool calling: the tools are described in the prompt and the model must answer in the format asked for.',
			`First answer: ${firstProblem}. Second answer: ${problem}.`,
			`The model's second answer: ${shown}`,
			'Try a larger model (gpt-4o, gpt-4.1), a lower Sampling Temperature, or fewer or simpler tools.',
		].join('\n');
		const safe = (text: string) => redact(text, this.options.apiKey);
		return new NodeApiError(this.options.node, { message: safe(message) } as JsonObject, {
			message: safe(message),
			description: safe(description),
			itemIndex: this.itemIndex,
		});
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
		const usage = this.sumUsage(results);
		if (usage) {
			const last = results[results.length - 1];
			this.options.onUsage?.(usage, this.cost(results), last.model ?? this.modelId);
		}
		return usage;
	}

	private sumUsage(results: ChatStreamResult[]): TokenUsage | undefined {
		const usages = results.map((result) => result.usage);
		if (usages.every((usage) => usage === null)) return undefined;
		let promptTokens = 0;
		let completionTokens = 0;
		let totalTokens = 0;
		for (const usage of usages) {
			if (!usage) continue;
			promptTokens += usage.promptTokens;
			completionTokens += usage.completionTokens;
			totalTokens += usage.totalTokens;
		}
		const tokenUsage: TokenUsage = {
			promptTokens,
			completionTokens,
			totalTokens,
			additionalMetadata: { costUsd: this.cost(results) },
		};
		const cached = sumDetail(usages, 'prompt_tokens_details', 'cached_tokens');
		if (cached !== undefined) tokenUsage.inputTokenDetails = { cacheRead: cached };
		const reasoning = sumDetail(usages, 'completion_tokens_details', 'reasoning_tokens');
		if (reasoning !== undefined) tokenUsage.outputTokenDetails = { reasoning };
		return tokenUsage;
	}

	/** The summed cost of the requests, or null when any of them cannot be priced. */
	private cost(results: ChatStreamResult[]): number | null {
		let total = 0;
		for (const result of results) {
			const cost =
				chatCostUsd(this.modelId, result.usage) ?? chatCostUsd(result.model, result.usage);
			if (cost === null) return null;
			total += cost;
		}
		return total;
	}

	private metadata(results: ChatStreamResult[]): MiniToolAiMetadata {
		const last = results[results.length - 1];
		return {
			responseModel: last.model ?? null,
			apiFinishReason: last.finishReason,
			costUsd: this.cost(results),
			format: last.format,
		};
	}

	private toolSpecs(): ToolSpec[] {
		return toToolSpecs(this.tools ?? []);
	}

	private get itemIndex(): number {
		return this.options.itemIndex ?? 0;
	}
}

function toFinishReason(result: ChatStreamResult): FinishReason {
	if (result.finishReason === null) return 'stop';
	return FINISH_REASONS[result.finishReason] ?? 'other';
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

function sumDetail(usages: Array<ChatUsage | null>, group: string, field: string) {
	let total: number | undefined;
	for (const usage of usages) {
		const value = usage ? detail(usage, group, field) : undefined;
		if (value !== undefined) total = (total ?? 0) + value;
	}
	return total;
}

function detail(usage: ChatUsage, group: string, field: string): number | undefined {
	const details = usage.raw[group];
	if (typeof details !== 'object' || details === null) return undefined;
	const value = (details as Record<string, unknown>)[field];
	return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
