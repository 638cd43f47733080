import type { INodeProperties } from 'n8n-workflow';

import { rangeLabel } from '../../shared/validation';
import {
	CFG_SCALE,
	DEFAULT_CFG_SCALE,
	DEFAULT_IMAGE_MODEL,
	DEFAULT_IMAGE_SIZE,
	DEFAULT_SCHEDULER,
	DEFAULT_STEPS,
	IMAGE_MODELS,
	IMAGE_PRICE_USD,
	IMAGE_SIZE,
	SCHEDULERS,
	STEPS,
} from '../../shared/constants';

const SCHEDULER_NOTES: Record<string, string> = {
	'Euler a': 'Fast, varied results; a good first try',
	Euler: 'Fast and stable',
	[DEFAULT_SCHEDULER]: 'The default: detailed results in few steps',
	'DPM++ 2M Karras': 'Clean, sharp results; popular for photos',
	'DPM fast': 'Fastest, roughest',
};

/** Fields of Generate and Submit Job: every documented image parameter. */
export const imageSettingsProperties: INodeProperties[] = [
	{
		displayName: 'Model',
		name: 'model',
		type: 'options',
		options: IMAGE_MODELS.map((model) => ({ name: model, value: model })),
		default: DEFAULT_IMAGE_MODEL,
		description: `The image model. Every model costs USD ${IMAGE_PRICE_USD} per image.`,
	},
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'A lighthouse on a cliff at sunset, photo, golden light',
		description: 'What the image should show',
	},
	{
		displayName: 'Negative Prompt',
		name: 'negativePrompt',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		placeholder: 'blurry, text, watermark',
		description: 'What to keep out of the image. Leave empty for none.',
	},
	{
		displayName: 'Width',
		name: 'width',
		type: 'number',
		typeOptions: { minValue: IMAGE_SIZE.min, maxValue: IMAGE_SIZE.max },
		default: DEFAULT_IMAGE_SIZE,
		hint: rangeLabel(IMAGE_SIZE),
		description: 'Image width in pixels',
	},
	{
		displayName: 'Height',
		name: 'height',
		type: 'number',
		typeOptions: { minValue: IMAGE_SIZE.min, maxValue: IMAGE_SIZE.max },
		default: DEFAULT_IMAGE_SIZE,
		hint: rangeLabel(IMAGE_SIZE),
		description: 'Image height in pixels',
	},
	{
		displayName: 'Scheduler',
		name: 'scheduler',
		type: 'options',
		options: SCHEDULERS.map((scheduler) => ({
			name: scheduler,
			value: scheduler,
			...(SCHEDULER_NOTES[scheduler] ? { description: SCHEDULER_NOTES[scheduler] } : {}),
		})),
		default: DEFAULT_SCHEDULER,
		description:
			'How the model removes noise step by step. It changes the look slightly; keep the default unless you are comparing styles. "Karras" variants tend to give cleaner detail.',
	},
	{
		displayName: 'Steps',
		name: 'steps',
		type: 'number',
		typeOptions: { minValue: STEPS.min, maxValue: STEPS.max },
		default: DEFAULT_STEPS,
		hint: rangeLabel(STEPS),
		description: 'Refinement passes. More steps add detail and take a little longer.',
	},
	{
		displayName: 'CFG Scale',
		name: 'cfgScale',
		type: 'number',
		typeOptions: { minValue: CFG_SCALE.min, maxValue: CFG_SCALE.max, numberPrecision: 1 },
		default: DEFAULT_CFG_SCALE,
		hint: rangeLabel(CFG_SCALE),
		description:
			'How closely the image follows the prompt. Below 4 the model is freer and more creative; above 4 it sticks closer to your words.',
	},
];
