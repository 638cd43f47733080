import type { INodeProperties } from 'n8n-workflow';

/** "Download Image": the finished image as a file, for email, Drive or Slack nodes. */
export const imageFileProperties: INodeProperties[] = [
	{
		displayName: 'Download Image',
		name: 'downloadImage',
		type: 'boolean',
		default: false,
		description: 'Whether to also output the image file as binary data, not just its URL',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		displayOptions: { show: { downloadImage: [true] } },
		hint: 'The name of the output binary field to put the file in',
	},
];
