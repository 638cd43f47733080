import {
	NodeApiError,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';

import { readBodyText } from '../shared/body';
import { apiErrorFromAnswer, apiErrorFromMessage } from '../shared/errors';
import type { PreparedItem } from '../shared/preparedItem';
import { pause, sendApiRequest } from '../shared/transport';
import {
	jobStatusRequest,
	type ImageJobHandle,
	type ImageOutputOptions,
} from './buildImageRequest';
import {
	classifyJob,
	describeStatus,
	MAX_CONSECUTIVE_POLL_FAILURES,
	pollDelayMs,
	type JobState,
} from './jobStatus';

type ImagePlan = PreparedItem<ImageOutputOptions>;

/**
 * Polls the job until it is done, fails, or Max Wait runs out. Sleeps follow `pollDelayMs` and
 * end at once when the execution is cancelled, so no poll outlives its run.
 */
export async function pollUntilDone(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	job: ImageJobHandle,
): Promise<Extract<JobState, { state: 'done' }>> {
	const signal = ctx.getExecutionCancelSignal();
	const { maxWaitMs } = plan.output;
	const request = jobStatusRequest(job);
	const started = Date.now();
	let last: JobState | { status: string; message?: string } = { status: 'submitted' };
	let failuresInRow = 0;
	for (let poll = 0; ; poll++) {
		const remaining = maxWaitMs - (Date.now() - started);
		if (remaining <= 0) throw jobTimeoutError(ctx, plan, job, last);
		await pause(ctx, Math.min(pollDelayMs(poll), remaining), `image job ${job.jobId}`);
		let answer: IN8nHttpFullResponse;
		try {
			answer = await sendApiRequest(ctx, request);
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
				await throwIfHttpError(ctx, plan, answer, `status check of job ${job.jobId}`);
			}
			last = { status: `HTTP ${answer.statusCode}` };
			continue;
		}
		await throwIfHttpError(ctx, plan, answer, `status check of job ${job.jobId}`);
		failuresInRow = 0;
		const state = classifyJob(answer.body);
		if (state.state === 'done') return state;
		if (state.state === 'failed') throw jobFailedError(ctx, plan, job, state);
		last = state;
	}
}

export async function throwIfHttpError(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	answer: IN8nHttpFullResponse,
	action: string,
): Promise<void> {
	if (answer.statusCode < 300) return;
	const bodyText =
		typeof answer.body === 'object' &&
		answer.body !== null &&
		!(Symbol.asyncIterator in answer.body)
			? JSON.stringify(answer.body)
			: await readBodyText(answer.body);
	throw apiErrorFromAnswer(
		ctx.getNode(),
		{ statusCode: answer.statusCode, bodyText },
		{ action, itemIndex: ctx.getItemIndex(), apiKey: plan.credentials.apiKey },
	);
}

export function jobFailedError(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	job: ImageJobHandle,
	state: { status: string; message?: string },
): NodeApiError {
	return apiErrorFromMessage(
		ctx.getNode(),
		`Image job ${job.jobId} failed: ${describeStatus(state)}`,
		{
			itemIndex: ctx.getItemIndex(),
			apiKey: plan.credentials.apiKey,
			hint: 'MiniToolAI could not make this image (an unknown job ID or a wrong signature also end here). Change the prompt or settings and run again; no image was produced.',
		},
	);
}

function jobTimeoutError(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	job: ImageJobHandle,
	last: { status: string; message?: string },
): NodeApiError {
	return apiErrorFromMessage(
		ctx.getNode(),
		`Image job ${job.jobId} did not finish within ${Math.round(plan.output.maxWaitMs / 1000)} s (last status: ${describeStatus(last)})`,
		{
			itemIndex: ctx.getItemIndex(),
			apiKey: plan.credentials.apiKey,
			hint: 'Raise Options > Max Wait, or use Submit Job now and Get Job later (after a Wait node) for long jobs. The job may still finish: its ID is in this message.',
		},
	);
}
