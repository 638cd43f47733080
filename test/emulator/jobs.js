'use strict';
/**
 * Text-to-image jobs: POST /api/texttoimage/ (submit) and POST /api/texttoimage/jobs/ (status).
 * A job's status is derived from the clock, so no timers are needed.
 */
const crypto = require('node:crypto');
const { IMAGE_PRICE_USD, validateSubmit } = require('./api');
const { refusePaid, charge } = require('./billing');
const { LATE_FAULTS, takeFault } = require('./faults');
const { jobDurationMs } = require('./jobTimes');
const { randomAlnum, isPlainObject, sendJson, sendError } = require('./util');

const DEFAULT_FAILED_MESSAGE = 'NSFW content detected';
const JOB_ID_MIN = 10000000;
const JOB_ID_SPAN = 89999999;

function newJobId(jobs) {
	for (;;) {
		const id = JOB_ID_MIN + crypto.randomInt(JOB_ID_SPAN);
		if (!jobs.has(String(id))) return id;
	}
}

/** Creates and stores a job; `fault` is the submit fault (jobNever, jobFailed) or null. */
function createJob(state, key, body, fault) {
	const job = {
		jobid: newJobId(state.jobs),
		signature: randomAlnum(24).toLowerCase(),
		key,
		body,
		submittedAt: Date.now(),
		readyAt: null,
		finishedAt: null,
		polls: [],
		failMessage: null,
		never: false,
		chargedUsd: 0,
	};
	const median = Math.max(0, Number(state.opts.jobDelayMs) || 0);
	job.readyAt = job.submittedAt + jobDurationMs(median, state.opts.jobTimes, state.jobSeq++);
	if (fault && fault.type === 'jobNever') {
		job.never = true;
		job.readyAt = null;
	}
	if (fault && fault.type === 'jobFailed') {
		job.failMessage = fault.message || DEFAULT_FAILED_MESSAGE;
	}
	Object.defineProperty(job, 'status', {
		enumerable: true,
		get() {
			if (job.readyAt === null || Date.now() < job.readyAt) return 'processing';
			return job.failMessage !== null ? 'failed' : 'success';
		},
	});
	state.jobs.set(String(job.jobid), job);
	return job;
}

function jobSnapshot(job) {
	const { jobid, signature, key, body, submittedAt, readyAt, finishedAt, polls } = job;
	return {
		jobid,
		signature,
		key,
		body,
		submittedAt,
		readyAt,
		finishedAt,
		polls: [...polls],
		status: job.status,
		failMessage: job.failMessage,
		never: job.never,
		chargedUsd: job.chargedUsd,
	};
}

const successAnswer = (state, job) => ({
	status: 'success',
	image_url: `${state.emu.imageBaseUrl}/images/${job.jobid}.png`,
	message: 'success',
});

async function handleSubmit(state, call) {
	const { res, body, key, rec } = call;
	if (refusePaid(state, res, key, validateSubmit(body))) return;
	const fault = takeFault(state, 'submit', key, LATE_FAULTS.submit);
	if (fault && fault.type === 'submitError') {
		return sendJson(res, 200, { status: 'error', jobid: null, signature: null });
	}
	const job = createJob(state, key, body, fault);
	// a job already doomed at submit is not charged
	if (!(fault && fault.type === 'jobFailed')) {
		charge(state, key, IMAGE_PRICE_USD, rec);
		job.chargedUsd = IMAGE_PRICE_USD;
	}
	return sendJson(res, 200, { status: 'success', jobid: job.jobid, signature: job.signature });
}

/** The job a status body names: `{ job }`, or `{ answer: [status, body] }` when there is none. */
function findJob(state, body) {
	if (!isPlainObject(body)) return { error: 'Request body must be a JSON object' };
	const rawId = body.jobid;
	const idOk =
		(typeof rawId === 'number' && Number.isInteger(rawId)) ||
		(typeof rawId === 'string' && /^\d+$/.test(rawId.trim()));
	if (!idOk) return { error: 'jobid is required (integer or numeric string)' };
	const job = state.jobs.get(String(rawId).trim());
	if (!job) return { answer: { status: 'error', message: 'Job not found', image_url: null } };
	if (body.signature !== job.signature) {
		return { answer: { status: 'error', message: 'Invalid signature', image_url: null } };
	}
	return { job };
}

async function handleJob(state, call) {
	const { res, body, key } = call;
	const found = findJob(state, body);
	if (found.error) return sendError(res, 400, found.error);
	if (found.answer) return sendJson(res, 200, found.answer);
	const job = found.job;
	// only a job that can still fail consumes the fault (not one already final or never-ending)
	if (!job.never && job.failMessage === null && job.finishedAt === null) {
		const fault = takeFault(state, 'job', key, LATE_FAULTS.job);
		if (fault) job.failMessage = fault.message || DEFAULT_FAILED_MESSAGE;
	}
	const now = Date.now();
	job.polls.push(now);
	const status = job.status;
	if (status === 'processing') {
		return sendJson(res, 200, { status: 'processing', message: 'Job is processing' });
	}
	if (job.finishedAt === null) job.finishedAt = now;
	if (status === 'failed')
		return sendJson(res, 200, { status: 'failed', message: job.failMessage });
	return sendJson(res, 200, successAnswer(state, job));
}

module.exports = { handleSubmit, handleJob, createJob, findJob, jobSnapshot, successAnswer };
