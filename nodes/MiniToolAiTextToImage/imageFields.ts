import type { Field } from '../shared/validation';

/** UI names of the Text to Image fields, shared by the descriptions and the error messages. */
export const FIELDS = {
	model: { displayName: 'Model', name: 'model' },
	prompt: { displayName: 'Prompt', name: 'prompt' },
	negativePrompt: { displayName: 'Negative Prompt', name: 'negativePrompt' },
	scheduler: { displayName: 'Scheduler', name: 'scheduler' },
	steps: { displayName: 'Steps', name: 'steps' },
	cfgScale: { displayName: 'CFG Scale', name: 'cfgScale' },
	width: { displayName: 'Width', name: 'width' },
	height: { displayName: 'Height', name: 'height' },
	jobId: { displayName: 'Job ID', name: 'jobId' },
	signature: { displayName: 'Signature', name: 'signature' },
	binaryPropertyName: { displayName: 'Put Output File in Field', name: 'binaryPropertyName' },
	maxWaitSeconds: { displayName: 'Max Wait (Seconds)', name: 'options.maxWaitSeconds' },
} satisfies Record<string, Field>;

/** Our own sanity bound, not the API's: a prompt this long is a wiring mistake, not a picture. */
export const MAX_PROMPT_CHARS = 10_000;
