import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import {
	CHAT_MODELS,
	CHAT_PRICES_USD_PER_MTOK,
	DEFAULT_CHAT_MODEL,
	MAX_COMPLETION_TOKENS,
	TEMPERATURE,
	type ChatModel,
} from '../constants';
import { describeValue, type Field, type InputValidator } from '../validation';

/** What sets the documented models apart; their prices come from the price table. */
const MODEL_TRAITS: Record<ChatModel, string> = {
	'gpt-4o-mini': 'Fast and cheap, reads images.',
	'gpt-4o': 'Strong all-rounder, reads images.',
	'gpt-4.1': 'Most capable.',
	'gpt-4.1-mini': 'Balanced.',
	'gpt-4.1-nano': 'Cheapest and fastest.',
};

function priceNote(model: ChatModel): string {
	const { input, output } = CHAT_PRICES_USD_PER_MTOK[model];
	return `USD ${input.toFixed(2)} / ${output.toFixed(2)} per 1M tokens in / out.`;
}

/** The documented chat models as UI options, for the Chat node and the Chat Model sub-node. */
export const CHAT_MODEL_OPTIONS: INodePropertyOptions[] = CHAT_MODELS.map((model) => ({
	name: model,
	value: model,
	description: `${MODEL_TRAITS[model]} ${priceNote(model)}`,
}));

/** A well-formed model id: other ids than the documented ones may be given by expression. */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][\w.:-]*$/;

/** The Model parameter, as both chat nodes show it. */
export const MODEL_PROPERTY: INodeProperties = {
	displayName: 'Model',
	name: 'model',
	type: 'options',
	options: CHAT_MODEL_OPTIONS,
	default: DEFAULT_CHAT_MODEL,
	description:
		'The model that answers. Any other model ID MiniToolAI offers can be given with an expression.',
};

export interface ChatSettingsFields {
	model: Field;
	temperature: Field;
	maxCompletionTokens: Field;
}

export interface ChatSettings {
	model: string;
	temperature: number;
	max_completion_tokens: number;
}

/** The model and sampling settings both chat nodes send, checked against the documented ranges. */
export function checkChatSettings(
	check: InputValidator,
	fields: ChatSettingsFields,
	raw: { model: unknown; temperature: unknown; maxCompletionTokens: unknown },
): ChatSettings {
	const model = check.nonEmptyString(fields.model, raw.model).trim();
	if (!MODEL_ID_PATTERN.test(model)) {
		check.fail(
			fields.model,
			`${describeValue(model)} is not a valid model id`,
			'Pick a model from the list, or give an id such as gpt-4o-mini.',
		);
	}
	return {
		model,
		temperature: check.number(fields.temperature, raw.temperature, TEMPERATURE),
		max_completion_tokens: check.integer(
			fields.maxCompletionTokens,
			raw.maxCompletionTokens,
			MAX_COMPLETION_TOKENS,
		),
	};
}
