import { updateDisplayOptions, type INodeProperties } from 'n8n-workflow';

import { imageFileProperties } from './imageFile.description';

const properties: INodeProperties[] = [
	{
		displayName: 'Job ID',
		name: 'jobId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 12345678',
		hint: 'Drag in the jobId field that Submit Job returned',
		description: 'The jobId that Submit Job returned',
	},
	{
		displayName: 'Signature',
		name: 'signature',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		hint: 'Drag in the signature field that Submit Job returned',
		description: 'The signature that Submit Job returned with the job ID',
	},
	...imageFileProperties,
];

export const getJobDescription = updateDisplayOptions(
	{ show: { operation: ['getJob'] } },
	properties,
);
