import type { INodeProperties } from 'n8n-workflow';

import { IMAGE_JOB_PATH, TEXT_TO_IMAGE_PATH } from '../../shared/constants';
import { buildImageRequest, buildJobStatusRequest } from '../buildImageRequest';
import { generateImage, getImageJob, submitImageJob } from '../imageJob';

export const operationProperty: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Generate',
			value: 'generate',
			action: 'Generate an image',
			description: 'Create an image and wait until it is ready',
			routing: {
				request: { method: 'POST', url: TEXT_TO_IMAGE_PATH },
				send: { preSend: [buildImageRequest] },
				output: { postReceive: [generateImage] },
			},
		},
		{
			name: 'Get Job',
			value: 'getJob',
			action: 'Get an image job',
			description: 'Check once whether a submitted job is ready, e.g. after a Wait node',
			routing: {
				request: { method: 'POST', url: IMAGE_JOB_PATH },
				send: { preSend: [buildJobStatusRequest] },
				output: { postReceive: [getImageJob] },
			},
		},
		{
			name: 'Submit Job',
			value: 'submitJob',
			action: 'Submit an image job',
			description: 'Start an image and return its job ID and signature at once, without waiting',
			routing: {
				request: { method: 'POST', url: TEXT_TO_IMAGE_PATH },
				send: { preSend: [buildImageRequest] },
				output: { postReceive: [submitImageJob] },
			},
		},
	],
	default: 'generate',
};
