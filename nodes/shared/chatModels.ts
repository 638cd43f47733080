import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { CHAT_MODELS, DEFAULT_CHAT_MODEL } from './constants';

const MODEL_NOTES: Record<(typeof CHAT_MODELS)[number], string> = {
	'gpt-4o-mini': 'Fast and cheap, reads images. USD 0.15 / 0.60 per 1M tokens in / out.',
	'gpt-4o': 'Strong all-rounder, reads images. USD 2.50 / 10.00 per 1M tokens.',
	'gpt-4.1': 'Most capable. USD 2.00 / 8.00 per 1M tokens.',
	'gpt-4.1-mini': 'Balanced. USD 0.40 / 1.60 per 1M tokens.',
	'gpt-4.1-nano': 'Cheapest and fastest. USD 0.10 / 0.40 per 1M tokens.',
};

/** The documented chat models as UI options, for the Chat node and the Chat Model sub-node. */
export const CHAT_MODEL_OPTIONS: INodePropertyOptions[] = CHAT_MODELS.map((model) => ({
	name: model,
	value: model,
	description: MODEL_NOTES[model],
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
