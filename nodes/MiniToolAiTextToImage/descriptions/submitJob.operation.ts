import { updateDisplayOptions } from 'n8n-workflow';

import { imageSettingsProperties } from './imageSettings.description';

export const submitJobDescription = updateDisplayOptions(
	{ show: { operation: ['submitJob'] } },
	imageSettingsProperties,
);
