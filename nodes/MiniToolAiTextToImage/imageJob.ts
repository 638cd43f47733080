import {
	NodeApiError,
	type IBinaryKeyData,
	type IDataObject,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { IMAGE_JOB_PATH, TEXT_TO_IMAGE_PATH } from '../shared/constants';
import { apiErrorFromAnswer, apiErrorFromMessage } from '../shared/errors';
import { imageCostUsd } from '../shared/pricing';
import { apiRequest, getApiCredentials, pause, readBodyText } from '../shared/transport';
import { imageOutputOptions, sentJobRequests } from './buildImageRequest';
import {
	classifyJob,
	describeStatus,
	MAX_CONSECUTIVE_POLL_FAILURES,
	pollDelayMs,
	type JobState,
} from './jobStatus';

interface SubmittedJob {
	jobId: string;
	signature: string;
}

/** postReceive of Generate: submit answer -> poll until done -> output (and the file). */
export async function generateImage(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const job = await readSubmitAnswer(this, response);
	const { maxWaitSeconds } = imageOutputOptions(this);
	const done = await pollUntilDone(this, job, maxWaitSeconds * 1000);
	const json: IDataObject = {
		imageUrl: done.imageUrl,
		jobId: job.jobId,
		...(sentJobRequests.get(this) ?? {}),
		costUsd: imageCostUsd(1),
	};
	return [await withImage(this, json, done.imageUrl, job.jobId)];
}

/** postReceive of Submit Job: return the job's handle at once. */
export async function submitImageJob(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const job = await readSubmitAnswer(this, response);
	const json: IDataObject = {
		jobId: job.jobId,
		signature: job.signature,
		...(sentJobRequests.get(this) ?? {}),
		costUsd: imageCostUsd(1),
	};
	return [{ json, pairedItem: { item: this.getItemIndex() } }];
}

/** postReceive of Get Job: one check. A running job is a normal answer; a failed one an error. */
export async function getImageJob(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const job: SubmittedJob = {
		jobId: String(this.getNodeParameter('jobId')).trim(),
		signature: String(this.getNodeParameter('signature')).trim(),
	};
	let answer = response;
	if (answer.statusCode === 429) answer = await apiRequest(this, jobStatusRequest(job), answer);
	await throwIfHttpError(this, answer, 'job status check');
	const state = classifyJob(answer.body);
	if (state.state === 'failed')
		throw jobFailedError(this, job, state, (await getApiCredentials(this)).apiKey);
	const json: IDataObject = {
		jobId: job.jobId,
		done: state.state === 'done',
		status: state.status,
		message: state.message ?? null,
		imageUrl: state.state === 'done' ? state.imageUrl : null,
	};
	if (state.state !== 'done') return [{ json, pairedItem: { item: this.getItemIndex() } }];
	return [await withImage(this, json, state.imageUrl, job.jobId)];
}

async function readSubmitAnswer(
	ctx: IExecuteSingleFunctions,
	response: IN8nHttpFullResponse,
): Promise<SubmittedJob> {
	let answer = response;
	const body = sentJobRequests.get(ctx);
	if (answer.statusCode === 429 && body) {
		answer = await apiRequest(
			ctx,
			{ method: 'POST', url: TEXT_TO_IMAGE_PATH, body, json: true },
			answer,
		);
	}
	await throwIfHttpError(ctx, answer, 'image job submission');
	const data = (
		typeof answer.body === 'object' && answer.body !== null ? answer.body : {}
	) as IDataObject;
	const jobId = data.jobid;
	const signature = data.signature;
	const accepted =
		String(data.status).toLowerCase() === 'success' &&
		(typeof jobId === 'number' || (typeof jobId === 'string' && jobId !== '')) &&
		typeof signature === 'string' &&
		signature !== '';
	if (!accepted) {
		const { apiKey } = await getApiCredentials(ctx);
		const detail = typeof data.message === 'string' ? `: ${data.message}` : '';
		throw apiErrorFromMessage(
			ctx.getNode(),
			`MiniToolAI did not accept the image job (status "${String(data.status ?? 'missing')}")${detail}`,
			{
				itemIndex: ctx.getItemIndex(),
				apiKey,
				hint: 'The API gives no reason for a refused job. Check the prompt and your credit balance, then try again.',
			},
		);
	}
	return { jobId: String(jobId), signature: signature as string };
}

function jobStatusRequest(job: SubmittedJob) {
	return {
		method: 'POST' as const,
		url: IMAGE_JOB_PATH,
		body: { jobid: job.jobId, signature: job.signature },
		json: true,
	};
}

/**
 * Polls the job until it is done, fails, or the wait runs out. Sleeps follow `pollDelayMs` and
 * end at once when the execution is cancelled (sleep rejects), so no poll outlives its run.
 */
async function pollUntilDone(
	ctx: IExecuteSingleFunctions,
	job: SubmittedJob,
	maxWaitMs: number,
): Promise<Extract<JobState, { state: 'done' }>> {
	const signal = ctx.getExecutionCancelSignal();
	const { apiKey } = await getApiCredentials(ctx);
	const started = Date.now();
	let last: JobState | { status: string; message?: string } = { status: 'submitted' };
	let failuresInRow = 0;
	for (let poll = 0; ; poll++) {
		const remaining = maxWaitMs - (Date.now() - started);
		if (remaining <= 0) throw jobTimeoutError(ctx, job, last, maxWaitMs, apiKey);
		await pause(ctx, Math.min(pollDelayMs(poll), remaining), `image job ${job.jobId}`);
		let answer: IN8nHttpFullResponse;
		try {
			answer = await apiRequest(ctx, jobStatusRequest(job));
		} catch (error) {
			if (signal?.aborted || ++failuresInRow >= MAX_CONSECUTIVE_POLL_FAILURES) {
				// Already a NodeApiError from the transport; the constructor hands it back unchanged.
				throw new NodeApiError(ctx.getNode(), error as JsonObject, {
					itemIndex: ctx.getItemIndex(),
				});
			}
			last = { status: 'unreachable', message: (error as Error).message };
			continue;
		}
		if (answer.statusCode === 429 || answer.statusCode >= 500) {
			// Transient: keep polling, but not forever.
			if (++failuresInRow >= MAX_CONSECUTIVE_POLL_FAILURES) {
				await throwIfHttpError(ctx, answer, `status check of job ${job.jobId}`);
			}
			last = { status: `HTTP ${answer.statusCode}` };
			continue;
		}
		await throwIfHttpError(ctx, answer, `status check of job ${job.jobId}`);
		failuresInRow = 0;
		const state = classifyJob(answer.body);
		if (state.state === 'done') return state;
		if (state.state === 'failed') throw jobFailedError(ctx, job, state, apiKey);
		last = state;
	}
}

async function throwIfHttpError(
	ctx: IExecuteSingleFunctions,
	answer: IN8nHttpFullResponse,
	action: string,
): Promise<void> {
	if (answer.statusCode < 300) return;
	const { apiKey } = await getApiCredentials(ctx);
	const bodyText =
		typeof answer.body === 'object' &&
		answer.body !== null &&
		!(Symbol.asyncIterator in answer.body)
			? JSON.stringify(answer.body)
			: await readBodyText(answer.body);
	throw apiErrorFromAnswer(
		ctx.getNode(),
		{ statusCode: answer.statusCode, bodyText },
		{
			action,
			itemIndex: ctx.getItemIndex(),
			apiKey,
		},
	);
}

function jobFailedError(
	ctx: IExecuteSingleFunctions,
	job: SubmittedJob,
	state: { status: string; message?: string },
	apiKey: string,
): NodeApiError {
	return apiErrorFromMessage(
		ctx.getNode(),
		`Image job ${job.jobId} failed: ${describeStatus(state)}`,
		{
			itemIndex: ctx.getItemIndex(),
			apiKey,
			hint: 'MiniToolAI could not make this image (an unknown job ID or a wrong signature also end here). Change the prompt or settings and run again; no image was produced.',
		},
	);
}

function jobTimeoutError(
	ctx: IExecuteSingleFunctions,
	job: SubmittedJob,
	last: { status: string; message?: string },
	maxWaitMs: number,
	apiKey: string,
): NodeApiError {
	return apiErrorFromMessage(
		ctx.getNode(),
		`Image job ${job.jobId} did not finish within ${Math.round(maxWaitMs / 1000)} s (last status: ${describeStatus(last)})`,
		{
			itemIndex: ctx.getItemIndex(),
			apiKey,
			hint: 'Raise Options > Max Wait, or use Submit Job now and Get Job later (after a Wait node) for long jobs. The job may still finish: its ID is in this message.',
		},
	);
}

const IMAGE_EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
};

/** Adds the image file when "Download Image" is on; the output item either way. */
async function withImage(
	ctx: IExecuteSingleFunctions,
	json: IDataObject,
	imageUrl: string,
	jobId: string,
): Promise<INodeExecutionData> {
	const item: INodeExecutionData = { json, pairedItem: { item: ctx.getItemIndex() } };
	const { binaryProperty: property } = imageOutputOptions(ctx);
	if (property === undefined) return item;
	item.binary = { [property]: await downloadImage(ctx, imageUrl, jobId) } as IBinaryKeyData;
	return item;
}

/**
 * Fetches the finished image without credentials (the image host may not be the API's host, and
 * the key must never leave for another host), streaming it into n8n's binary storage.
 */
async function downloadImage(ctx: IExecuteSingleFunctions, imageUrl: string, jobId: string) {
	const { apiKey } = await getApiCredentials(ctx);
	const fail = (message: string) =>
		apiErrorFromMessage(ctx.getNode(), `Could not download the image of job ${jobId}: ${message}`, {
			itemIndex: ctx.getItemIndex(),
			apiKey,
			hint: `The job finished, so the image URL is in the output: ${imageUrl}. Turn off Download Image to keep just the URL, or try again later.`,
		});
	if (!/^https?:\/\//i.test(imageUrl)) throw fail(`"${imageUrl}" is not an http(s) URL`);
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: imageUrl,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			abortSignal: ctx.getExecutionCancelSignal(),
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw fail((error as Error).message);
	}
	if (response.statusCode >= 300) {
		await readBodyText(response.body);
		throw fail(`the image host answered HTTP ${response.statusCode}`);
	}
	const headerType = String(response.headers?.['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	const fromPath = /\.(png|jpe?g|webp|gif)(\?|$)/i.exec(imageUrl)?.[1].toLowerCase();
	const mimeType = headerType.startsWith('image/')
		? headerType
		: (headerType === '' || headerType === 'application/octet-stream') && fromPath
			? `image/${fromPath === 'jpg' ? 'jpeg' : fromPath}`
			: undefined;
	if (!mimeType) {
		await readBodyText(response.body);
		throw fail(`the image host sent ${headerType || 'an unknown type'}, not an image`);
	}
	const fileName = `minitoolai-${jobId}.${IMAGE_EXTENSIONS[mimeType] ?? mimeType.slice('image/'.length)}`;
	return await ctx.helpers.prepareBinaryData(
		response.body as Parameters<typeof ctx.helpers.prepareBinaryData>[0],
		fileName,
		mimeType,
	);
}
