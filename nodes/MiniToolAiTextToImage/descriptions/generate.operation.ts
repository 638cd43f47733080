import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

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
				typeOptions: { minValue: 1, maxValue: 3600 },
				default: 300,
				description:
					'How long to wait for the image before failing. The node checks often at first, then every 4 seconds.',
			},
		],
	},
];

export const generateDescription = updateDisplayOptions(
	{ show: { operation: ['generate'] } },
	properties,
);
