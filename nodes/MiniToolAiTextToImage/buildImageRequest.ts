import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { CFG_SCALE, IMAGE_MODELS, IMAGE_SIZE, SCHEDULERS, STEPS } from '../shared/constants';
import { assertHttpBaseUrl } from '../shared/transport';
import { InputValidator } from '../shared/validation';
import { FIELDS, MAX_PROMPT_CHARS } from './imageFields';
import { DEFAULT_MAX_WAIT_SECONDS } from './jobStatus';

const MAX_WAIT_SECONDS_LIMIT = 3600;

export interface ImageOutputOptions {
	maxWaitSeconds: number;
	/** The binary field for the image file; undefined when Download Image is off. */
	binaryProperty?: string;
}

/**
 * The options that shape the output (Max Wait, the file's field). Checked by the preSend steps so
 * a mistake fails before the job is paid for, and read again by the postReceive steps.
 */
export function imageOutputOptions(ctx: IExecuteSingleFunctions): ImageOutputOptions {
	const check = new InputValidator(ctx.getNode(), ctx.getItemIndex());
	const operation = ctx.getNodeParameter('operation', 'generate') as string;
	const maxWaitSeconds =
		operation === 'generate'
			? check.number(
					FIELDS.maxWaitSeconds,
					ctx.getNodeParameter('options.maxWaitSeconds', DEFAULT_MAX_WAIT_SECONDS),
					{ min: 1, max: MAX_WAIT_SECONDS_LIMIT },
				)
			: DEFAULT_MAX_WAIT_SECONDS;
	const download =
		operation !== 'submitJob' && ctx.getNodeParameter('downloadImage', false) === true;
	const binaryProperty = download
		? check
				.nonEmptyString(
					FIELDS.binaryPropertyName,
					ctx.getNodeParameter('binaryPropertyName', 'data'),
				)
				.trim()
		: undefined;
	return { maxWaitSeconds, binaryProperty };
}

/** The job request as sent, kept per item so the output can report the parameters used. */
export const sentJobRequests = new WeakMap<object, IDataObject>();

/**
 * preSend of Generate and Submit Job: every field checked against the documented ranges (values
 * from expressions included) before anything is sent, so a mistake costs no credit.
 */
export async function buildImageRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const check = new InputValidator(this.getNode(), this.getItemIndex());
	const param = (name: string) => this.getNodeParameter(name, undefined);
	await assertHttpBaseUrl(this);
	imageOutputOptions(this);

	const prompt = check.nonEmptyString(FIELDS.prompt, param('prompt'));
	if (prompt.length > MAX_PROMPT_CHARS) {
		check.fail(
			FIELDS.prompt,
			`is ${prompt.length} characters long; the node accepts up to ${MAX_PROMPT_CHARS}`,
			'Image models read only the start of a prompt: describe the picture in a few sentences.',
		);
	}
	const negative = param('negativePrompt');
	if (negative !== undefined && negative !== null && typeof negative !== 'string') {
		check.fail(FIELDS.negativePrompt, 'must be text');
	}
	const body: IDataObject = {
		model: check.oneOf(FIELDS.model, param('model'), IMAGE_MODELS),
		prompt,
		scheduler: check.oneOf(FIELDS.scheduler, param('scheduler'), SCHEDULERS),
		steps: check.integer(FIELDS.steps, param('steps'), STEPS),
		cfgScale: check.number(FIELDS.cfgScale, param('cfgScale'), CFG_SCALE),
		width: check.integer(FIELDS.width, param('width'), IMAGE_SIZE),
		height: check.integer(FIELDS.height, param('height'), IMAGE_SIZE),
	};
	if (typeof negative === 'string' && negative.trim() !== '') body.negativePrompt = negative;
	sentJobRequests.set(this, body);
	return { ...requestOptions, body, abortSignal: this.getExecutionCancelSignal() };
}

/** preSend of Get Job. */
export async function buildJobStatusRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const check = new InputValidator(this.getNode(), this.getItemIndex());
	await assertHttpBaseUrl(this);
	imageOutputOptions(this);
	const jobId = String(this.getNodeParameter('jobId') ?? '').trim();
	if (!/^\d+$/.test(jobId)) {
		check.fail(
			FIELDS.jobId,
			jobId === '' ? 'is empty' : `"${jobId}" is not a job ID (digits only)`,
			'Use the jobId that Submit Job returned.',
		);
	}
	const signature = check
		.nonEmptyString(FIELDS.signature, this.getNodeParameter('signature'))
		.trim();
	return {
		...requestOptions,
		body: { jobid: jobId, signature },
		abortSignal: this.getExecutionCancelSignal(),
	};
}
