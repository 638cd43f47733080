'use strict';
/**
 * The second host (a different origin from the API): the generated images, their faults, and the
 * targets of `redirect` faults, which answer like the API so a test can see what a client sent
 * after following a redirect (its headers are recorded like any other request).
 */
const { validateChat, validateSubmit } = require('./api');
const { answerChat } = require('./chat');
const { LATE_FAULTS, REDIRECT_PREFIX, applyEarlyFaults, takeFault } = require('./faults');
const { createJob, findJob, successAnswer } = require('./jobs');
const { encodeGradientPng } = require('./png');
const { DEMO_PICTURE, demoPicturePng } = require('./pictures');
const { isInt, bearerKey, normalisePath, sendJson, sendRaw, write } = require('./util');

const DEFAULT_IMAGE_SIZE = 1024;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const FILLER_PIECE_BYTES = 64 * 1024;
const DEFAULT_SLOW_BYTES_PER_SECOND = 16 * 1024;
const SLOW_TICK_MS = 100;
const NOT_AN_IMAGE =
	'<!DOCTYPE html><html><head><title>Oops</title></head><body><h1>Not an image</h1></body></html>';
// What a redirected request without a usable body (a 301/302 turned into GET) is answered with.
const PLACEHOLDER_CHAT = {
	model: 'gpt-4o-mini',
	messages: [{ role: 'user', content: 'redirected request' }],
};
const PLACEHOLDER_IMAGE = { model: 'realvision', prompt: 'redirected request' };

/** The image's headers; `bytes` null sends no Content-Length (Node then uses chunked encoding). */
function imageHeaders(bytes) {
	return {
		'Content-Type': 'image/png',
		...(bytes === null ? {} : { 'Content-Length': bytes }),
		'Cache-Control': 'public, max-age=3600',
	};
}

function pngFor(state, job) {
	const id = String(job.jobid);
	let png = state.pngCache.get(id);
	if (!png) {
		const width = isInt(job.body.width) ? job.body.width : DEFAULT_IMAGE_SIZE;
		const height = isInt(job.body.height) ? job.body.height : DEFAULT_IMAGE_SIZE;
		const noise = Boolean(state.opts.imageNoise);
		png = encodeGradientPng(width, height, job.body.prompt, { noise });
		state.pngCache.set(id, png);
	}
	return png;
}

/**
 * A PNG signature, then zero filler up to `bytes`, streamed with the socket's back-pressure, under
 * `headers` (by default the true Content-Length).
 */
async function sendHugeImage(state, req, res, bytes, headers = imageHeaders(bytes)) {
	res.writeHead(200, headers);
	if (req.method === 'HEAD') return res.end();
	await write(res, PNG_SIGNATURE.subarray(0, bytes));
	const piece = Buffer.alloc(FILLER_PIECE_BYTES);
	for (let left = bytes - PNG_SIGNATURE.length; left > 0; left -= piece.length) {
		if (state.closed || res.destroyed) return;
		await write(res, left >= piece.length ? piece : piece.subarray(0, left));
	}
	res.end();
}

/** The real image, but trickled at `bytesPerSecond`, or nothing after the headers (`stall`). */
async function sendSlowImage(state, req, res, buf, fault) {
	res.writeHead(200, imageHeaders(buf.length));
	res.flushHeaders();
	if (req.method === 'HEAD') return res.end();
	if (fault.stall) return state.never();
	const rate = fault.bytesPerSecond || DEFAULT_SLOW_BYTES_PER_SECOND;
	const step = Math.max(1, Math.round((rate * SLOW_TICK_MS) / 1000));
	for (let at = 0; at < buf.length; at += step) {
		if (at > 0) await state.sleep(SLOW_TICK_MS);
		if (state.closed || res.destroyed) return;
		await write(res, buf.subarray(at, at + step));
	}
	res.end();
}

/**
 * `imageLength`: the real PNG (or `bytes` of filler) with no Content-Length (`contentLength`
 * null: chunked) or a wrong one, then the connection closes (a lying length leaves the socket
 * unusable for another answer).
 */
async function sendWithLength(state, req, res, job, fault) {
	const headers = { ...imageHeaders(fault.contentLength), Connection: 'close' };
	if (fault.bytes !== undefined) return sendHugeImage(state, req, res, fault.bytes, headers);
	const buf = await pngFor(state, job);
	if (res.destroyed) return;
	res.writeHead(200, headers);
	if (req.method === 'HEAD') return res.end();
	// As a server does: the body goes out in pieces, not in one write.
	for (let at = 0; at < buf.length; at += FILLER_PIECE_BYTES) {
		if (state.closed || res.destroyed) return;
		await write(res, buf.subarray(at, at + FILLER_PIECE_BYTES));
	}
	res.end();
}

async function serveImage(state, req, res, jobId) {
	const key = bearerKey(req.headers.authorization);
	if (await applyEarlyFaults(state, 'image', key, req, res)) return;
	const job = state.jobs.get(jobId);
	if (!job || job.status !== 'success') {
		return sendRaw(res, 404, 'Not found', 'text/plain; charset=utf-8');
	}
	const fault = takeFault(state, 'image', key, LATE_FAULTS.image);
	const type = fault ? fault.type : null;
	if (type === 'notImage') return sendRaw(res, 200, NOT_AN_IMAGE, 'text/html; charset=utf-8');
	if (type === 'hugeImage') return sendHugeImage(state, req, res, fault.bytes);
	if (type === 'imageLength') return sendWithLength(state, req, res, job, fault);
	const buf = await pngFor(state, job);
	if (res.destroyed) return;
	if (type === 'slowImage') return sendSlowImage(state, req, res, buf, fault);
	res.writeHead(200, imageHeaders(buf.length));
	res.end(req.method === 'HEAD' ? undefined : buf);
}

/** Answers a redirected API request like the API would, without auth and without charging. */
async function answerRedirected(state, req, res, apiPath, body) {
	const key = bearerKey(req.headers.authorization);
	if (apiPath === '/api/chat-completions') {
		const chat = validateChat(body) === null ? body : PLACEHOLDER_CHAT;
		return answerChat(state, res, chat, null, ++state.chatSeq, null);
	}
	if (apiPath === '/api/texttoimage') {
		const image = validateSubmit(body) === null ? body : PLACEHOLDER_IMAGE;
		const job = createJob(state, key, image, null);
		return sendJson(res, 200, { status: 'success', jobid: job.jobid, signature: job.signature });
	}
	if (apiPath === '/api/texttoimage/jobs') {
		const { job } = findJob(state, body);
		if (!job) {
			const id = body && /^\d+$/.test(String(body.jobid)) ? String(body.jobid) : '0';
			return sendJson(res, 200, successAnswer(state, { jobid: id }));
		}
		// finish a known job at once, so its image URL works for the client that followed us here
		const now = Date.now();
		Object.assign(job, { readyAt: now, never: false, failMessage: null });
		job.polls.push(now);
		if (job.finishedAt === null) job.finishedAt = now;
		return sendJson(res, 200, successAnswer(state, job));
	}
	return sendRaw(res, 404, 'Not found', 'text/plain; charset=utf-8');
}

async function onImageRequest(state, req, res, rec) {
	const path = normalisePath(req.url);
	if (path.startsWith(`${REDIRECT_PREFIX}/`)) {
		return answerRedirected(state, req, res, path.slice(REDIRECT_PREFIX.length), rec.body);
	}
	const m = /^\/images\/(\d+)\.png$/.exec(path);
	const readable = req.method === 'GET' || req.method === 'HEAD';
	if (readable && path === DEMO_PICTURE.path) {
		const buf = await demoPicturePng();
		res.writeHead(200, imageHeaders(buf.length));
		return res.end(req.method === 'HEAD' ? undefined : buf);
	}
	if (!m || !readable) return sendRaw(res, 404, 'Not found', 'text/plain; charset=utf-8');
	return serveImage(state, req, res, m[1]);
}

module.exports = { onImageRequest };
