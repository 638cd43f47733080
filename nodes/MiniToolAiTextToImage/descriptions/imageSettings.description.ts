import type { INodeProperties } from 'n8n-workflow';

import { IMAGE_MODELS, SCHEDULERS } from '../../shared/constants';

const SCHEDULER_NOTES: Record<string, string> = {
	'Euler a': 'Fast, varied results; a good first try',
	Euler: 'Fast and stable',
	'DPM++ SDE': 'The default: detailed results in few steps',
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
		default: 'realvision',
		description: 'The image model. Every model costs USD 0.0015 per image.',
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
		typeOptions: { minValue: 256, maxValue: 1344 },
		default: 1024,
		description: 'Image width in pixels, 256 to 1344',
	},
	{
		displayName: 'Height',
		name: 'height',
		type: 'number',
		typeOptions: { minValue: 256, maxValue: 1344 },
		default: 1024,
		description: 'Image height in pixels, 256 to 1344',
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
		default: 'DPM++ SDE',
		description:
			'How the model removes noise step by step. It changes the look slightly; keep the default unless you are comparing styles. "Karras" variants tend to give cleaner detail.',
	},
	{
		displayName: 'Steps',
		name: 'steps',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 8 },
		default: 4,
		description: 'Refinement passes, 1 to 8. More steps add detail and take a little longer.',
	},
	{
		displayName: 'CFG Scale',
		name: 'cfgScale',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 7, numberPrecision: 1 },
		default: 2,
		description:
			'How closely the image follows the prompt, 1 to 7. Below 4 the model is freer and more creative; above 4 it sticks closer to your words.',
	},
];
