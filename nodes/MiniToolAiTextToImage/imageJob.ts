import type {
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { apiErrorFromMessage, redactValue } from '../shared/errors';
import { imageCostUsd } from '../shared/pricing';
import { preparedItem, type PreparedItem } from '../shared/transport/preparedItem';
import { sendApiRequest } from '../shared/transport/transport';
import { isJobId, type ImageJobHandle, type ImageOutputOptions } from './buildImageRequest';
import { withImage } from './downloadImage';
import { classifyJob, describeBody } from './jobStatus';
import { jobError, pollUntilDone, throwIfHttpError } from './pollJob';

type ImagePlan = PreparedItem<ImageOutputOptions>;

/** postReceive of Generate: submit answer -> poll until done -> output (and the file). */
export async function generateImage(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const { plan, job, fields } = await submitted(this, response);
	const done = await pollUntilDone(this, plan, job);
	const json = { imageUrl: done.imageUrl, jobId: job.jobId, ...fields };
	return [await withImage(this, plan, json, done.imageUrl, job.jobId)];
}

/** postReceive of Submit Job: return the job's handle at once. */
export async function submitImageJob(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const { job, fields } = await submitted(this, response);
	const json = { jobId: job.jobId, signature: job.signature, ...fields };
	return [{ json, pairedItem: { item: this.getItemIndex() } }];
}

/** The accepted job, and the output fields Generate and Submit Job share: parameters and cost. */
async function submitted(ctx: IExecuteSingleFunctions, response: IN8nHttpFullResponse) {
	const plan = preparedItem<ImageOutputOptions>(ctx);
	const job = await readSubmitAnswer(ctx, plan, response);
	logSubmitted(ctx, job);
	const fields: IDataObject = { ...plan.output.jobParameters, costUsd: imageCostUsd(1) };
	return { plan, job, fields };
}

/**
 * The job is paid for from here on. n8n's log (level info, its default) says so at once, with
 * what Get Job needs: if n8n dies before the run is saved, the log is where the job can be found.
 */
function logSubmitted(ctx: IExecuteSingleFunctions, job: ImageJobHandle): void {
	const executionId = ctx.getExecutionId();
	ctx.logger.info(
		`MiniToolAI image job ${job.jobId} submitted (execution ${executionId}, item ${ctx.getItemIndex()}). ` +
			`If this run does not finish, fetch the image with the Text to Image node's Get Job operation: ` +
			`Job ID ${job.jobId}, Signature ${job.signature}`,
		{ executionId, jobId: job.jobId },
	);
}

/** postReceive of Get Job: one check. A running job is a normal answer; a failed one an error. */
export async function getImageJob(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const plan = preparedItem<ImageOutputOptions>(this);
	const job = plan.output.job as ImageJobHandle;
	const answer = await resendIfLimited(this, plan, response);
	await throwIfHttpError(this, plan, answer, 'job status check');
	const state = classifyJob(answer.body, plan.credentials.apiKey);
	if (state.state === 'invalid') throw jobError(this, plan, job, 'notAStatus', state);
	if (state.state === 'failed') throw jobError(this, plan, job, 'failed', state);
	const json: IDataObject = {
		jobId: job.jobId,
		done: state.state === 'done',
		status: state.status,
		message: state.message ?? null,
		imageUrl: state.state === 'done' ? state.imageUrl : null,
	};
	if (state.state !== 'done') return [{ json, pairedItem: { item: this.getItemIndex() } }];
	return [await withImage(this, plan, json, state.imageUrl, job.jobId)];
}

async function resendIfLimited(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	response: IN8nHttpFullResponse,
): Promise<IN8nHttpFullResponse> {
	return response.statusCode === 429
		? await sendApiRequest(ctx, plan.request, { previous: response })
		: response;
}

async function readSubmitAnswer(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	response: IN8nHttpFullResponse,
): Promise<ImageJobHandle> {
	const answer = await resendIfLimited(ctx, plan, response);
	await throwIfHttpError(ctx, plan, answer, 'image job submission');
	const { apiKey } = plan.credentials;
	if (typeof answer.body !== 'object' || answer.body === null || Array.isArray(answer.body)) {
		throw apiErrorFromMessage(
			ctx.getNode(),
			`MiniToolAI answered the image job submission with ${describeBody(answer.body, apiKey)}`,
			{
				itemIndex: ctx.getItemIndex(),
				apiKey,
				hint: 'Something other than the MiniToolAI API answered (a proxy, a captive portal, a wrong Base URL): check the Base URL in the credential. The job may have been created; its ID is unknown.',
			},
		);
	}
	// The job's handle goes into the output: a key the server put in it (the signature) is redacted.
	const data = redactValue(answer.body as IDataObject, apiKey);
	const jobId = typeof data.jobid === 'number' ? String(data.jobid) : data.jobid;
	const signature = data.signature;
	const accepted =
		String(data.status).toLowerCase() === 'success' &&
		typeof jobId === 'string' &&
		isJobId(jobId) &&
		typeof signature === 'string' &&
		signature.trim() !== '';
	if (!accepted) {
		const detail = typeof data.message === 'string' ? `: ${data.message}` : '';
		const id = jobId === undefined || jobId === null ? '' : `, job id ${JSON.stringify(jobId)}`;
		throw apiErrorFromMessage(
			ctx.getNode(),
			`MiniToolAI did not accept the image job (status "${String(data.status ?? 'missing')}"${id})${detail}`,
			{
				itemIndex: ctx.getItemIndex(),
				apiKey,
				hint: 'The API gives no reason for a refused job. Check the prompt and your credit balance, then try again.',
			},
		);
	}
	return { jobId, signature: (signature as string).trim() };
}
