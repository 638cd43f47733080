import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import {
	CFG_SCALE,
	IMAGE_DOWNLOAD_TIMEOUT_MS,
	IMAGE_JOB_PATH,
	IMAGE_MODELS,
	IMAGE_SIZE,
	MAX_WAIT_SECONDS,
	SCHEDULERS,
	STEPS,
} from '../shared/constants';
import { assertHttpBaseUrl } from '../shared/transport/credentials';
import { prepareItem, userTimeoutMs } from '../shared/transport/preparedItem';
import { InputValidator } from '../shared/validation';
import { FIELDS, MAX_PROMPT_CHARS } from './imageFields';

/** What identifies a submitted job: the API needs both to answer about it. */
export interface ImageJobHandle {
	jobId: string;
	signature: string;
}

/** How the Text to Image node shapes an item's output, decided with its request. */
export interface ImageOutputOptions {
	/** Generate: how long to wait for the job, in all. */
	maxWaitMs: number;
	/** The binary field for the image file; undefined when Download Image is off. */
	binaryProperty?: string;
	/** Generate and Submit Job: the body the job was submitted with, echoed in the output. */
	jobParameters?: IDataObject;
	/** Get Job: the job asked about. */
	job?: ImageJobHandle;
	/** The image download's time limit: Request Options > Timeout when set, else our default. */
	downloadTimeoutMs: number;
}

/** The status request of a job, for Get Job and for Generate's polling alike. */
export function jobStatusRequest(job: ImageJobHandle): IHttpRequestOptions {
	return {
		method: 'POST',
		url: IMAGE_JOB_PATH,
		// The documented example sends the job id as a string.
		body: { jobid: job.jobId, signature: job.signature },
		json: true,
	};
}

/**
 * preSend of Generate and Submit Job: every field checked against the documented ranges (values
 * from expressions included) before anything is sent, so a mistake costs no credit.
 */
export async function buildImageRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const check = new InputValidator(() => this.getNode(), this.getItemIndex());
	const param = (name: string) => this.getNodeParameter(name, undefined);
	const credentials = await assertHttpBaseUrl(this);
	const output = outputOptions(this, check);

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
	return prepareItem<ImageOutputOptions>(this, {
		request: { ...requestOptions, body, abortSignal: this.getExecutionCancelSignal() },
		credentials,
		output: { ...output, jobParameters: body },
	});
}

/** preSend of Get Job. */
export async function buildJobStatusRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const check = new InputValidator(() => this.getNode(), this.getItemIndex());
	const credentials = await assertHttpBaseUrl(this);
	const output = outputOptions(this, check);
	const jobId = String(this.getNodeParameter('jobId') ?? '').trim();
	if (!isJobId(jobId)) {
		check.fail(
			FIELDS.jobId,
			jobId === '' ? 'is empty' : `"${jobId}" is not a job ID (digits only)`,
			'Use the jobId that Submit Job returned.',
		);
	}
	const signature = check
		.nonEmptyString(FIELDS.signature, this.getNodeParameter('signature'))
		.trim();
	const job = { jobId, signature };
	return prepareItem<ImageOutputOptions>(this, {
		request: {
			...requestOptions,
			...jobStatusRequest(job),
			abortSignal: this.getExecutionCancelSignal(),
		},
		credentials,
		output: { ...output, job },
	});
}

/** The API's job ids are numbers (`"jobid": 12345678`); the job endpoint takes them as strings. */
export function isJobId(value: string): boolean {
	return /^\d+$/.test(value);
}

/** Max Wait and the file's field, checked before the job is paid for. */
function outputOptions(ctx: IExecuteSingleFunctions, check: InputValidator): ImageOutputOptions {
	const operation = ctx.getNodeParameter('operation', 'generate') as string;
	const maxWaitSeconds =
		operation === 'generate'
			? check.number(
					FIELDS.maxWaitSeconds,
					ctx.getNodeParameter('options.maxWaitSeconds', MAX_WAIT_SECONDS.default),
					MAX_WAIT_SECONDS,
				)
			: MAX_WAIT_SECONDS.default;
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
	return {
		maxWaitMs: maxWaitSeconds * 1000,
		binaryProperty,
		downloadTimeoutMs: userTimeoutMs(ctx) ?? IMAGE_DOWNLOAD_TIMEOUT_MS,
	};
}
