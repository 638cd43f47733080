import {
	NodeApiError,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type JsonObject,
} from 'n8n-workflow';

import { readBodyText } from '../shared/transport/body';
import { apiErrorFromAnswer, apiErrorFromMessage } from '../shared/errors';
import type { PreparedItem } from '../shared/transport/preparedItem';
import { requestedWaitMs } from '../shared/transport/rateLimit';
import { pause, sendApiRequest } from '../shared/transport/transport';
import {
	jobStatusRequest,
	type ImageJobHandle,
	type ImageOutputOptions,
} from './buildImageRequest';
import {
	classifyJob,
	describeStatus,
	expectedJobDuration,
	jobKind,
	MAX_CONSECUTIVE_POLL_FAILURES,
	nextPollDelayMs,
	recordJobDuration,
	type JobState,
} from './jobStatus';

type ImagePlan = PreparedItem<ImageOutputOptions>;

/**
 * How long the last status check, made when Max Wait is reached, may take: a status answer takes
 * far less, and a node that gives up must do so within a second of Max Wait, a shared 429 pause
 * of the credential included.
 */
const LAST_CHECK_MS = 500;

/**
 * Polls the job until it is done, fails, or Max Wait runs out. Max Wait bounds the whole wait:
 * the sleeps, each status request (a slow or hanging answer included) and the 429 waits inside
 * it. Sleeps end at once when the execution is cancelled, so no poll outlives its run. The
 * schedule follows what this process learned about jobs of the same kind (jobStatus.ts).
 */
export async function pollUntilDone(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	job: ImageJobHandle,
): Promise<Extract<JobState, { state: 'done' }>> {
	const signal = ctx.getExecutionCancelSignal();
	const request = jobStatusRequest(job);
	const started = Date.now();
	const deadline = started + plan.output.maxWaitMs;
	const kind = jobKind(plan.credentials.baseUrl, plan.output.jobParameters);
	let last: JobState | { status: string; message?: string } = { status: 'submitted' };
	let failuresInRow = 0;
	let serverAskedMs = 0;
	let runningAt = 0;
	for (let poll = 0; ; poll++) {
		if (Date.now() >= deadline) throw jobError(ctx, plan, job, 'timedOut', last);
		const scheduled = nextPollDelayMs(Date.now() - started, poll, expectedJobDuration(kind));
		const delay = Math.max(scheduled, serverAskedMs);
		await pause(ctx, Math.min(delay, deadline - Date.now()), `image job ${job.jobId}`);
		serverAskedMs = 0;
		const sentAt = Date.now();
		// The check at Max Wait itself is still made (the job may just have finished), bounded so
		// that the node gives up at most LAST_CHECK_MS after Max Wait.
		const left = Math.max(deadline - sentAt, LAST_CHECK_MS);
		let answer: IN8nHttpFullResponse;
		try {
			answer = await sendApiRequest(ctx, request, { timeLimitMs: left });
		} catch (error) {
			if (!signal?.aborted && Date.now() >= deadline)
				throw jobError(ctx, plan, job, 'timedOut', last);
			if (signal?.aborted || ++failuresInRow >= MAX_CONSECUTIVE_POLL_FAILURES) {
				// Already a NodeApiError from the transport; the constructor hands it back unchanged.
				throw new NodeApiError(ctx.getNode(), error as JsonObject, {
					itemIndex: ctx.getItemIndex(),
				});
			}
			last = { status: 'unreachable', message: (error as Error).message };
			continue;
		}
		if (answer.statusCode === 429) {
			// The transport already waited what fits; a server that asks for longer is alive, so
			// its wait is honoured until Max Wait, whose error then says how to resume.
			serverAskedMs = requestedWaitMs(answer.headers?.['retry-after']) ?? 0;
			last = { status: 'HTTP 429', message: 'rate limited' };
			continue;
		}
		if (answer.statusCode >= 500) {
			// Transient: keep polling, but not forever.
			if (++failuresInRow >= MAX_CONSECUTIVE_POLL_FAILURES) {
				await throwIfHttpError(ctx, plan, answer, `status check of job ${job.jobId}`, job);
			}
			last = { status: `HTTP ${answer.statusCode}` };
			continue;
		}
		await throwIfHttpError(ctx, plan, answer, `status check of job ${job.jobId}`, job);
		const state = classifyJob(answer.body, plan.credentials.apiKey);
		if (state.state === 'invalid') {
			// Not JSON (a proxy's HTML page, say): transient too, but said as it is.
			last = state;
			if (++failuresInRow >= MAX_CONSECUTIVE_POLL_FAILURES) {
				throw jobError(ctx, plan, job, 'notAStatus', state);
			}
			continue;
		}
		failuresInRow = 0;
		if (state.state === 'done') {
			recordJobDuration(kind, runningAt, Date.now() - started);
			return state;
		}
		runningAt = sentAt - started;
		if (state.state === 'failed') throw jobError(ctx, plan, job, 'failed', state);
		last = state;
	}
}

/** An HTTP error answer as a NodeApiError; after a paid submit, it says how to resume the job. */
export async function throwIfHttpError(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	answer: IN8nHttpFullResponse,
	action: string,
	job?: ImageJobHandle,
): Promise<void> {
	if (answer.statusCode < 300) return;
	const bodyText =
		typeof answer.body === 'object' &&
		answer.body !== null &&
		!(Symbol.asyncIterator in answer.body)
			? JSON.stringify(answer.body)
			: await readBodyText(answer.body);
	const extraHint = job
		? `The job may still finish: fetch it later with Get Job, Job ID ${job.jobId} and Signature ${job.signature}.`
		: undefined;
	throw apiErrorFromAnswer(
		ctx.getNode(),
		{ statusCode: answer.statusCode, bodyText, headers: answer.headers },
		{ action, itemIndex: ctx.getItemIndex(), apiKey: plan.credentials.apiKey, extraHint },
	);
}

type JobErrorKind = 'failed' | 'notAStatus' | 'timedOut';
type Status = { status: string; message?: string };

/** What each way a job can end badly says, and what the user can do; the paid job is findable. */
const JOB_ERRORS: Record<
	JobErrorKind,
	(job: ImageJobHandle, state: Status, maxWaitMs: number) => { message: string; hint: string }
> = {
	failed: (job, state) => ({
		message: `Image job ${job.jobId} failed: ${describeStatus(state)}`,
		hint: 'MiniToolAI could not make this image (an unknown job ID or a wrong signature also end here). Change the prompt or settings and run again; no image was produced.',
	}),
	notAStatus: (job, state) => ({
		message: `The status check of image job ${job.jobId} got ${describeStatus(state)}`,
		hint: `Something between n8n and MiniToolAI (a proxy, a captive portal, a wrong Base URL) answered instead of the API. Check the Base URL in the credential. The job itself may finish: fetch it later with Get Job, Job ID ${job.jobId} and Signature ${job.signature}.`,
	}),
	timedOut: (job, last, maxWaitMs) => ({
		message: `Image job ${job.jobId} did not finish within ${Math.round(maxWaitMs / 1000)} s (last status: ${describeStatus(last)}); job signature ${job.signature}`,
		hint: `The job was paid for and may still finish. To fetch its image later without paying again, use this node's Get Job operation with Job ID ${job.jobId} and Signature ${job.signature} (e.g. after a Wait node). For long jobs raise Options > Max Wait, or use Submit Job and Get Job.`,
	}),
};

export function jobError(
	ctx: IExecuteSingleFunctions,
	plan: ImagePlan,
	job: ImageJobHandle,
	kind: JobErrorKind,
	state: Status,
): NodeApiError {
	const { message, hint } = JOB_ERRORS[kind](job, state, plan.output.maxWaitMs);
	return apiErrorFromMessage(ctx.getNode(), message, {
		itemIndex: ctx.getItemIndex(),
		apiKey: plan.credentials.apiKey,
		hint,
	});
}
