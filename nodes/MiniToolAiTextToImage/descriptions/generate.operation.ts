import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { rangeLabel } from '../../shared/validation';
import { DEFAULT_MAX_WAIT_SECONDS, MAX_WAIT_SECONDS } from '../../shared/constants';
import { MAX_POLL_INTERVAL_MS } from '../jobStatus';

import { imageSettingsProperties } from './imageSettings.description';
import { imageFileProperties } from './imageFile.description';

const properties: INodeProperties[] = [
	...imageSettingsProperties,
	...imageFileProperties,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Max Wait (Seconds)',
				name: 'maxWaitSeconds',
				type: 'number',
				typeOptions: { minValue: MAX_WAIT_SECONDS.min, maxValue: MAX_WAIT_SECONDS.max },
				default: DEFAULT_MAX_WAIT_SECONDS,
				hint: rangeLabel(MAX_WAIT_SECONDS),
				description: `How long to wait for the image before failing. The node checks often at first, then every ${MAX_POLL_INTERVAL_MS / 1000} seconds.`,
			},
		],
	},
];

export const generateDescription = updateDisplayOptions(
	{ show: { operation: ['generate'] } },
	properties,
);
