'use strict';
/**
 * Faults: the catalogue (which types exist, where they apply), their validation, matching and
 * consumption, and the request faults that replace the whole answer. Answer faults (the rest)
 * are applied by the chat and image modules, which take them with takeFault().
 */
const http = require('node:http');
const { isPlainObject, isInt, parseJson, sendJson, sendRaw, sendError } = require('./util');

const ENDPOINTS = ['chat', 'submit', 'job', 'image', 'any'];
// Request faults replace the whole answer and apply before auth; answer faults shape a valid one.
const EARLY_FAULTS = [
	'status',
	'rateLimit',
	'slowFirstByte',
	'hang',
	'redirect',
	'echoKey',
	'html',
];
const LATE_FAULTS = {
	chat: [
		'drop',
		'malformed',
		'streamError',
		'noUsage',
		'json',
		'stall',
		'holdOpen',
		'errorEvent',
		'errorBody',
		'multilineData',
		'longLine',
		'imperfect',
	],
	submit: ['jobFailed', 'jobNever', 'submitError'],
	job: ['jobFailed'],
	image: ['notImage', 'hugeImage', 'slowImage', 'imageLength'],
};
const FAULT_TYPES = [...EARLY_FAULTS, ...new Set(Object.values(LATE_FAULTS).flat())];
const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
const DEFAULT_REDIRECT_STATUS = 307;
// Where a redirected API request lands on the other host: /redirected/api/chat-completions/
const REDIRECT_PREFIX = '/redirected';
// echoKey: the key sits across this character of the message, where clients often clip
const ECHO_KEY_CLIP_AT = 300;
const ECHO_KEY_STATUS = 400;
const HTML_PAGE =
	'<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>' +
	'<body><h1>Bad Gateway</h1><p>The upstream server is temporarily unavailable.</p></body></html>';

function positive(input, field) {
	const v = input[field];
	if (v !== undefined && !(isInt(v) && v > 0)) {
		throw new TypeError(`fault.${field} must be a positive integer`);
	}
}

function normaliseFault(input) {
	if (!isPlainObject(input)) throw new TypeError('fault must be an object');
	const endpoint = input.endpoint === undefined ? 'any' : input.endpoint;
	if (!ENDPOINTS.includes(endpoint)) {
		throw new TypeError(`fault.endpoint must be one of: ${ENDPOINTS.join(', ')}`);
	}
	if (!FAULT_TYPES.includes(input.type)) {
		throw new TypeError(`fault.type must be one of: ${FAULT_TYPES.join(', ')}`);
	}
	let times = input.times;
	if (times === undefined || times === null) times = Infinity;
	if (typeof times !== 'number' || !(times >= 0)) {
		throw new TypeError('fault.times must be a non-negative number');
	}
	const type = input.type;
	if (type === 'status' && !isInt(input.status)) {
		throw new TypeError('fault.status must be an integer HTTP status');
	}
	if (type === 'redirect') {
		if (input.status !== undefined && !REDIRECT_STATUSES.includes(input.status)) {
			throw new TypeError(`fault.status must be one of: ${REDIRECT_STATUSES.join(', ')}`);
		}
		const t = input.target;
		if (t !== undefined && t !== 'otherHost' && !/^https?:\/\//.test(String(t))) {
			throw new TypeError("fault.target must be 'otherHost' or an absolute http(s) URL");
		}
	}
	if (type === 'hugeImage' && !(isInt(input.bytes) && input.bytes > 0)) {
		throw new TypeError('fault.bytes must be a positive integer');
	}
	if (
		type === 'imageLength' &&
		!(input.contentLength === null || (isInt(input.contentLength) && input.contentLength >= 0))
	) {
		throw new TypeError('fault.contentLength must be null (none) or a non-negative integer');
	}
	if (type === 'imperfect' && typeof input.kind !== 'string') {
		throw new TypeError('fault.kind must be a string (an imperfection kind)');
	}
	for (const field of ['bytes', 'bytesPerSecond', 'repeat']) positive(input, field);
	if (
		type === 'stall' &&
		input.afterChunks !== undefined &&
		!(isInt(input.afterChunks) && input.afterChunks >= 0)
	) {
		throw new TypeError('fault.afterChunks must be a non-negative integer');
	}
	return { ...input, endpoint, times };
}

/** Consume one use of the first matching fault (in the order added), or return null. */
function takeFault(state, endpoint, key, types) {
	const idx = state.faults.findIndex(
		(f) =>
			f.times > 0 &&
			types.includes(f.type) &&
			(f.endpoint === 'any' || f.endpoint === endpoint) &&
			(f.key === undefined || f.key === null || f.key === key),
	);
	if (idx < 0) return null;
	const f = state.faults[idx];
	f.times -= 1;
	if (f.times <= 0) state.faults.splice(idx, 1);
	return f;
}

function defaultErrorBody(status) {
	return { error: { message: `${http.STATUS_CODES[status] || 'Error'} (emulated)` } };
}

function sendFaultBody(res, status, body, headers) {
	if (typeof body !== 'string') return sendJson(res, status, body, headers);
	// guess a content type for strings unless the fault gives one
	let type = 'text/plain; charset=utf-8';
	if (parseJson(body).ok) type = 'application/json';
	else if (body.trimStart().startsWith('<')) type = 'text/html; charset=utf-8';
	const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
	return sendRaw(res, status, body, hasType ? undefined : type, headers);
}

/**
 * An error message longer than a typical clip, with the request's key across character 300 (a
 * client that clips first and redacts afterwards no longer finds the whole key, so part leaks).
 */
function echoKeyMessage(key, fault) {
	const shown = key || '(none)';
	const at = isInt(fault.at) ? fault.at : ECHO_KEY_CLIP_AT - Math.ceil(shown.length / 2);
	const lead = 'Incorrect API key provided: ';
	const filler =
		'The request was rejected by the authentication layer (emulated). Check that the key is ' +
		'copied completely, without spaces or line breaks, and that it belongs to this account. ';
	let head = '';
	while (head.length < at - lead.length) head += filler;
	head = head.slice(0, Math.max(0, at - lead.length)) + lead;
	const again = Array.from({ length: (fault.repeat || 1) - 1 }, () => ` Key received: ${shown}.`);
	return `${head}${shown}.${again.join('')} You can find your API key in your account settings.`;
}

/** Applies slowFirstByte, then the request faults. Returns true when the answer is given. */
async function applyEarlyFaults(state, endpoint, key, req, res) {
	const slow = takeFault(state, endpoint, key, ['slowFirstByte']);
	if (slow) await state.sleep(Number(slow.ms) || 0);
	const f = takeFault(
		state,
		endpoint,
		key,
		EARLY_FAULTS.filter((t) => t !== 'slowFirstByte'),
	);
	if (!f) return false;
	const extra = f.headers || {};
	switch (f.type) {
		case 'hang':
			await state.never();
			return true;
		case 'rateLimit': {
			const ra = f.retryAfter === undefined ? state.opts.retryAfterSeconds : f.retryAfter;
			const headers = { ...(ra === null ? {} : { 'Retry-After': String(ra) }), ...extra };
			if (f.body !== undefined && f.body !== null) sendFaultBody(res, 429, f.body, headers);
			else sendError(res, 429, 'Rate limit exceeded (emulated)', 'rate_limit_error', headers);
			return true;
		}
		case 'redirect': {
			const target =
				f.target && f.target !== 'otherHost'
					? f.target
					: `${state.emu.imageBaseUrl}${REDIRECT_PREFIX}${req.url}`;
			const status = f.status || DEFAULT_REDIRECT_STATUS;
			sendRaw(res, status, '', undefined, { Location: target, ...extra });
			return true;
		}
		case 'echoKey': {
			const status = isInt(f.status) ? f.status : ECHO_KEY_STATUS;
			const message = echoKeyMessage(key, f);
			sendError(res, status, message, 'invalid_request_error', extra);
			return true;
		}
		case 'html':
			sendFaultBody(res, isInt(f.status) ? f.status : 200, f.body || HTML_PAGE, extra);
			return true;
		default: {
			const body = f.body === undefined ? defaultErrorBody(f.status) : f.body;
			sendFaultBody(res, f.status, body, extra);
			return true;
		}
	}
}

module.exports = {
	ENDPOINTS,
	LATE_FAULTS,
	FAULT_TYPES,
	REDIRECT_PREFIX,
	normaliseFault,
	takeFault,
	applyEarlyFaults,
	sendFaultBody,
	echoKeyMessage,
};
