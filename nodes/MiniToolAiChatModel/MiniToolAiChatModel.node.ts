import {
	NodeConnectionTypes,
	NodeOperationError,
	type INode,
	type INodeType,
	type INodeTypeDescription,
	type ISupplyDataFunctions,
	type SupplyData,
} from 'n8n-workflow';

import { checkChatSettings, MODEL_PROPERTY } from '../shared/chat/chatModels';
import {
	DEFAULT_MAX_COMPLETION_TOKENS,
	DEFAULT_TEMPERATURE,
	MAX_COMPLETION_TOKENS,
	NODE_ICON,
	TEMPERATURE,
} from '../shared/constants';
import { assertHttpBaseUrl } from '../shared/transport/credentials';
import { NOT_A_TOOL_MARKER } from '../shared/notAToolMarker';
import { InputValidator, rangeLabel } from '../shared/validation';
import { n8nChatTransport } from './n8nTransport';
import { toolCallsHint } from './turnUsage';

/** Measured: n8n 2.41.1 provides the SDK (0.31.1); n8n 1.123.81 has none. */
const CHAT_MODEL_NEEDS_SDK =
	'The MiniToolAI Chat Model needs n8n 2.x with the AI node SDK (@n8n/ai-node-sdk), which this n8n does not provide';
const CHAT_MODEL_NEEDS_SDK_HINT =
	'Tested on n8n 2.41.1; n8n 1.123.x has no AI node SDK. The MiniToolAI Chat and Text to Image nodes work on both: update n8n to 2.x to use the Chat Model';

/**
 * The AI node SDK (and ./model, which extends its BaseChatModel) load only when the model is
 * supplied: n8n 1.x ships no SDK, and a require-time failure in this file would stop n8n from
 * loading the package's other nodes too.
 */
async function loadChatModelSdk(node: INode) {
	try {
		const [sdk, model] = await Promise.all([import('@n8n/ai-node-sdk'), import('./model')]);
		return { supplyModel: sdk.supplyModel, MiniToolAiLanguageModel: model.MiniToolAiLanguageModel };
	} catch (error) {
		const missing =
			(error as { code?: string }).code === 'MODULE_NOT_FOUND' &&
			String((error as Error).message).includes('@n8n/ai-node-sdk');
		if (!missing) throw new NodeOperationError(node, error as Error);
		throw new NodeOperationError(node, CHAT_MODEL_NEEDS_SDK, {
			description: `${CHAT_MODEL_NEEDS_SDK_HINT} (${(error as Error).message.split('\n')[0]})`,
		});
	}
}

/** A short answer on gpt-4.1-nano costs about USD 0.000002: 8 decimals keep it readable. */
const COST_DIGITS = 8;

const FIELDS = {
	model: { displayName: 'Model', name: 'model' },
	temperature: { displayName: 'Sampling Temperature', name: 'temperature' },
	maxCompletionTokens: { displayName: 'Max Completion Tokens', name: 'maxCompletionTokens' },
};

export class MiniToolAiChatModel implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'MiniToolAI Chat Model',
		name: 'miniToolAiChatModel',
		icon: NODE_ICON,
		group: ['transform'],
		version: [1],
		subtitle: '={{$parameter["model"]}}',
		description: 'Use GPT-4o and GPT-4.1 models through MiniToolAI in AI Agents and chains',
		defaults: { name: 'MiniToolAI Chat Model' },
		codex: {
			categories: ['AI'],
			subcategories: {
				AI: ['Language Models', 'Root Nodes'],
				'Language Models': ['Chat Models (Recommended)'],
			},
			resources: {
				primaryDocumentation: [
					{
						url: 'https://github.com/minitoolai/n8n-nodes-minitoolai/blob/main/docs/chat-model.md',
					},
				],
			},
		},
		inputs: [],
		outputs: [NodeConnectionTypes.AiLanguageModel],
		outputNames: ['Model'],
		credentials: [{ name: 'miniToolAiApi', required: true }],
		properties: [
			{
				...MODEL_PROPERTY,
			},
			{
				displayName: 'Sampling Temperature',
				name: 'temperature',
				type: 'number',
				typeOptions: { minValue: TEMPERATURE.min, maxValue: TEMPERATURE.max, numberPrecision: 1 },
				default: DEFAULT_TEMPERATURE,
				hint: rangeLabel(TEMPERATURE),
				description:
					'Randomness of the answer: lower (0.2) is more focused and deterministic, higher (0.8) more creative',
			},
			{
				displayName: 'Max Completion Tokens',
				name: 'maxCompletionTokens',
				type: 'number',
				typeOptions: { minValue: MAX_COMPLETION_TOKENS.min, numberPrecision: 0 },
				default: DEFAULT_MAX_COMPLETION_TOKENS,
				hint: rangeLabel(MAX_COMPLETION_TOKENS),
				description: 'Upper bound on the number of tokens the model generates for one answer',
			},
			NOT_A_TOOL_MARKER,
		],
	};

	async supplyData(this: ISupplyDataFunctions, itemIndex: number): Promise<SupplyData> {
		const node = this.getNode();
		const { supplyModel, MiniToolAiLanguageModel } = await loadChatModelSdk(node);
		const check = new InputValidator(() => node, itemIndex);
		const { apiKey } = await assertHttpBaseUrl(this);

		const settings = checkChatSettings(check, FIELDS, {
			model: this.getNodeParameter('model', itemIndex),
			temperature: this.getNodeParameter('temperature', itemIndex, TEMPERATURE.default),
			maxCompletionTokens: this.getNodeParameter(
				'maxCompletionTokens',
				itemIndex,
				MAX_COMPLETION_TOKENS.default,
			),
		});

		const model = new MiniToolAiLanguageModel(
			settings.model,
			{
				transport: n8nChatTransport(this),
				node,
				itemIndex,
				apiKey,
				onUsage: ({ promptTokens, completionTokens, totalTokens }, costUsd, model) => {
					const cost = costUsd === null ? '' : `, USD ${costUsd.toFixed(COST_DIGITS)}`;
					this.addExecutionHints?.({
						type: 'info',
						location: 'outputPane',
						message: `${model}: ${totalTokens} tokens (${promptTokens} prompt + ${completionTokens} completion)${cost}`,
					});
				},
				onNotice: (message) => {
					this.logger?.warn(message);
					this.addExecutionHints?.({ type: 'warning', location: 'outputPane', message });
				},
				onToolCalls: (calls) =>
					this.addExecutionHints?.({
						type: 'info',
						location: 'outputPane',
						message: toolCallsHint(calls),
					}),
			},
			{ temperature: settings.temperature, maxTokens: settings.max_completion_tokens },
		);
		// The SDK is typed against its own copy of n8n-workflow; at run time both are n8n's.
		const sdkContext = this as unknown as Parameters<typeof supplyModel>[0];
		return supplyModel(sdkContext, model) as unknown as SupplyData;
	}
}
