/**
 * Running the MiniToolAI Chat Model in n8n-core's real engine the way n8n's chains and agents do:
 * a consumer node (a test stand-in for them, as @n8n/n8n-nodes-langchain is not installed here)
 * asks for its `ai_languageModel` input, n8n-core calls our `supplyData`, and the consumer drives
 * the LangChain model the SDK's adapter hands it.
 */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INode,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { MiniToolAiApi } from '../../credentials/MiniToolAiApi.credentials';
import { MiniToolAiChatModel } from '../../nodes/MiniToolAiChatModel/MiniToolAiChatModel.node';
import { createEngine, manualTrigger, type RunResult } from '../harness';

/** What a chain or agent sees of the LangChain message the model returns. */
export interface LcToolCall {
	id?: string;
	name: string;
	args: Record<string, unknown>;
}
export interface LcMessage {
	content: unknown;
	text?: string;
	tool_calls?: LcToolCall[];
	tool_call_chunks?: unknown[];
	usage_metadata?: { input_tokens: number; output_tokens: number; total_tokens: number };
	response_metadata?: Record<string, unknown>;
	concat?(other: LcMessage): LcMessage;
}
export interface LcModel {
	invoke(input: unknown): Promise<LcMessage>;
	stream(input: unknown): Promise<AsyncIterable<LcMessage>>;
	bindTools?(tools: unknown[]): LcModel;
}

export function textOf(message: LcMessage): string {
	if (typeof message.content === 'string') return message.content;
	if (Array.isArray(message.content)) {
		return message.content
			.map((part: { type?: string; text?: string }) => (part.type === 'text' ? part.text : ''))
			.join('');
	}
	return '';
}

/** What a consumer reads first: the model n8n-core supplies, its `mode` and its `messages`. */
export async function consumerInput(
	ctx: IExecuteFunctions,
): Promise<{ model: LcModel; mode: string; messages: unknown }> {
	const model = (await ctx.getInputConnectionData(
		NodeConnectionTypes.AiLanguageModel,
		0,
	)) as LcModel;
	const mode = ctx.getNodeParameter('mode', 0) as string;
	const messages = JSON.parse(ctx.getNodeParameter('messages', 0) as string) as unknown;
	return { model, mode, messages };
}

/** A consumer node's description: a main input, the model input, `mode` and `messages` (JSON). */
export function consumerDescription(name: string, description: string): INodeTypeDescription {
	return {
		displayName: name,
		name,
		group: ['transform'],
		version: 1,
		description,
		usableAsTool: true,
		defaults: { name: 'Consumer' },
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiLanguageModel, required: true, maxConnections: 1 },
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Mode', name: 'mode', type: 'string', default: 'invoke' },
			{ displayName: 'Messages', name: 'messages', type: 'json', default: '[]' },
		],
	};
}

export interface ModelRun {
	consumer: new () => INodeType;
	credentials: { apiKey: string; baseUrl: string };
	mode: string;
	messages: unknown;
	modelParameters?: INode['parameters'];
	abortAfterMs?: number;
}

/** Trigger -> consumer, with the MiniToolAI Chat Model on the consumer's model input. */
export async function runWithChatModel(run: ModelRun): Promise<RunResult> {
	const consumerType = new run.consumer().description.name;
	const engine = createEngine({
		nodeTypes: [MiniToolAiChatModel, run.consumer],
		credentialTypes: [MiniToolAiApi],
		credentials: { miniToolAiApi: run.credentials },
	});
	const trigger = manualTrigger();
	const consumer: INode = {
		id: 'consumer-node',
		name: 'Consumer',
		type: consumerType,
		typeVersion: 1,
		position: [300, 0],
		parameters: { mode: run.mode, messages: JSON.stringify(run.messages) },
	};
	const model: INode = {
		id: 'model-node',
		name: 'MiniToolAI Chat Model',
		type: 'miniToolAiChatModel',
		typeVersion: 1,
		position: [300, 200],
		parameters: run.modelParameters ?? {},
	};
	return await engine.run(
		{
			nodes: [trigger, consumer, model],
			connections: {
				[trigger.name]: { main: [[{ node: consumer.name, type: 'main', index: 0 }]] },
				[model.name]: {
					ai_languageModel: [[{ node: consumer.name, type: 'ai_languageModel', index: 0 }]],
				},
			},
		},
		{ abortAfterMs: run.abortAfterMs },
	);
}
