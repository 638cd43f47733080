'use strict';
/**
 * Local emulator of the MiniToolAI API (see /work/shared/minitoolai-api.md and README.md here).
 * Two HTTP servers: the API itself and a second host that serves the generated images, so tests
 * can check that the API key never travels to the image host. Node built-ins only.
 */
const http = require('node:http');
const crypto = require('node:crypto');
const { encodeGradientPng } = require('./png');

// Documented chat models; the dated ids and fingerprints are the emulator's own plausible values.
const CHAT_MODELS = {
	'gpt-4o': { dated: 'gpt-4o-2024-08-06', fingerprint: 'fp_a288987b44', input: 2.5, output: 10 },
	'gpt-4o-mini': {
		dated: 'gpt-4o-mini-2024-07-18',
		fingerprint: 'fp_06737a9306',
		input: 0.15,
		output: 0.6,
	},
	'gpt-4.1': { dated: 'gpt-4.1-2025-04-14', fingerprint: 'fp_b3f1157249', input: 2, output: 8 },
	'gpt-4.1-mini': {
		dated: 'gpt-4.1-mini-2025-04-14',
		fingerprint: 'fp_6f2eabb9a5',
		input: 0.4,
		output: 1.6,
	},
	'gpt-4.1-nano': {
		dated: 'gpt-4.1-nano-2025-04-14',
		fingerprint: 'fp_eede8f0d45',
		input: 0.1,
		output: 0.4,
	},
};
const CHAT_ROLES = ['developer', 'user', 'assistant'];
const IMAGE_DETAILS = ['auto', 'high', 'low'];
const IMAGE_MODELS = [
	'realvision',
	'juggernaut',
	'autismmix',
	'dreamshaper',
	'valhalla',
	'mixrealistic',
	'campursari',
	'reality',
	'extrarealistic',
	'realism',
	'realgirls',
	'realityreborn',
	'amigo',
	'simplemix',
	'beautifulrealistic',
];
const SCHEDULERS = [
	'Euler a',
	'Euler',
	'LMS',
	'Heun',
	'DPM2',
	'DPM2 a',
	'DPM++ 2S a',
	'DPM++ 2M',
	'DPM++ SDE',
	'DPM++ 2M SDE',
	'DPM fast',
	'LMS Karras',
	'DPM2 Karras',
	'DPM2 a Karras',
	'DPM++ 2S a Karras',
	'DPM++ 2M Karras',
	'DPM++ SDE Karras',
	'DPM++ 2M SDE Karras',
];
const IMAGE_PRICE_USD = 0.0015;
const DEFAULT_MAX_COMPLETION_TOKENS = 1000;
const DEFAULT_IMAGE_SIZE = 1024;
const DEFAULT_FAILED_MESSAGE = 'NSFW content detected';
const DEFAULT_STREAM_ERROR = 'The server had an error while processing your request (emulated)';

const ENDPOINTS = ['chat', 'submit', 'job', 'image', 'any'];
// Faults that replace the whole answer are applied before auth; the others shape a valid answer.
const EARLY_FAULTS = ['status', 'rateLimit', 'slowFirstByte', 'hang'];
const LATE_FAULTS = {
	chat: ['drop', 'malformed', 'streamError', 'noUsage', 'json'],
	submit: ['jobFailed', 'jobNever', 'submitError'],
	job: ['jobFailed'],
	image: ['notImage'],
};
const FAULT_TYPES = [...EARLY_FAULTS, ...new Set(Object.values(LATE_FAULTS).flat())];

const DEFAULTS = {
	host: '127.0.0.1',
	port: 0,
	imageHost: '127.0.0.2',
	imagePort: 0,
	jobDelayMs: 1500,
	tokenDelayMs: 0,
	latencyMs: 0,
	maxConcurrent: 0,
	retryAfterSeconds: 1,
	sseSeparator: '\n\n',
	// Photo-like images: noise makes a PNG about as large as a real picture (1344 x 1344: ~5 MB)
	imageNoise: false,
	quiet: true,
};
const RUNTIME_OPTIONS = [
	'jobDelayMs',
	'tokenDelayMs',
	'latencyMs',
	'maxConcurrent',
	'retryAfterSeconds',
	'sseSeparator',
	'imageNoise',
];

const randomAlnum = (n) => {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const bytes = crypto.randomBytes(n);
	let out = '';
	for (let i = 0; i < n; i++) out += alphabet[bytes[i] % alphabet.length];
	return out;
};

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v) => typeof v === 'number' && Number.isInteger(v);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const present = (v) => v !== undefined && v !== null;

function bearerKey(header) {
	if (typeof header !== 'string') return null;
	const m = /^Bearer\s+(.+)$/i.exec(header.trim());
	return m ? m[1].trim() : null;
}

function normalisePath(url) {
	const pathname = String(url || '/').split('?')[0];
	return pathname.replace(/\/+$/, '') || '/';
}

function readBody(req) {
	return new Promise((resolve) => {
		const chunks = [];
		let done = false;
		// decode once at the end so multi-byte UTF-8 split across chunks stays intact
		const finish = () => {
			if (done) return;
			done = true;
			resolve(Buffer.concat(chunks).toString('utf8'));
		};
		req.on('data', (c) => chunks.push(c));
		req.on('end', finish);
		req.on('error', finish);
		req.on('close', finish);
	});
}

function parseJson(raw) {
	if (!raw) return { ok: false, value: null };
	try {
		return { ok: true, value: JSON.parse(raw) };
	} catch {
		return { ok: false, value: null };
	}
}

// ---------- validation (400 messages name the field) ----------

function validateContent(content, where) {
	if (typeof content === 'string') return null;
	if (!Array.isArray(content)) return `${where} must be a string or an array of content parts`;
	for (let i = 0; i < content.length; i++) {
		const part = content[i];
		const at = `${where}[${i}]`;
		if (!isPlainObject(part)) return `${at} must be an object`;
		if (part.type === 'text') {
			if (typeof part.text !== 'string') return `${at}.text must be a string`;
		} else if (part.type === 'image_url') {
			if (!isPlainObject(part.image_url) || typeof part.image_url.url !== 'string') {
				return `${at}.image_url.url must be a string`;
			}
			const detail = part.image_url.detail;
			if (present(detail) && !IMAGE_DETAILS.includes(detail)) {
				return `${at}.image_url.detail must be one of: ${IMAGE_DETAILS.join(', ')}`;
			}
		} else {
			return `${at}.type must be one of: text, image_url`;
		}
	}
	return null;
}

function validateChat(body) {
	if (!isPlainObject(body)) return 'Request body must be a JSON object';
	if (!present(body.model)) return 'model is required';
	if (!Object.prototype.hasOwnProperty.call(CHAT_MODELS, body.model)) {
		return `model must be one of: ${Object.keys(CHAT_MODELS).join(', ')}`;
	}
	if (!Array.isArray(body.messages) || body.messages.length === 0) {
		return 'messages is required and must be a non-empty array';
	}
	for (let i = 0; i < body.messages.length; i++) {
		const msg = body.messages[i];
		if (!isPlainObject(msg)) return `messages[${i}] must be an object with role and content`;
		if (!CHAT_ROLES.includes(msg.role)) {
			return `messages[${i}].role must be one of: ${CHAT_ROLES.join(', ')}`;
		}
		const err = validateContent(msg.content, `messages[${i}].content`);
		if (err) return err;
	}
	const t = body.temperature;
	if (present(t) && (!isNum(t) || t < 0 || t > 2)) {
		return 'temperature must be a number between 0 and 2';
	}
	const max = body.max_completion_tokens;
	if (present(max) && (!isInt(max) || max < 1)) {
		return 'max_completion_tokens must be a positive integer';
	}
	return null;
}

function validateSubmit(body) {
	if (!isPlainObject(body)) return 'Request body must be a JSON object';
	if (!present(body.model)) return 'model is required';
	if (!IMAGE_MODELS.includes(body.model)) return `model must be one of: ${IMAGE_MODELS.join(', ')}`;
	if (typeof body.prompt !== 'string' || body.prompt.trim() === '') {
		return 'prompt is required and must be a non-empty string';
	}
	if (present(body.negativePrompt) && typeof body.negativePrompt !== 'string') {
		return 'negativePrompt must be a string or null';
	}
	if (present(body.scheduler) && !SCHEDULERS.includes(body.scheduler)) {
		return `scheduler must be one of: ${SCHEDULERS.join(', ')}`;
	}
	if (present(body.steps) && (!isInt(body.steps) || body.steps < 1 || body.steps > 8)) {
		return 'steps must be an integer between 1 and 8';
	}
	const cfg = body.cfgScale;
	if (present(cfg) && (!isNum(cfg) || cfg < 1 || cfg > 7)) {
		return 'cfgScale must be a number between 1 and 7';
	}
	for (const field of ['width', 'height']) {
		const v = body[field];
		if (present(v) && (!isInt(v) || v < 256 || v > 1344)) {
			return `${field} must be an integer between 256 and 1344`;
		}
	}
	return null;
}

// ---------- chat reply, tokens, usage ----------

function describeImage(url) {
	if (url.startsWith('data:')) {
		const comma = url.indexOf(',');
		const meta = comma >= 0 ? url.slice(5, comma) : '';
		const payload = comma >= 0 ? url.slice(comma + 1) : '';
		let bytes;
		if (/;base64$/i.test(meta)) bytes = Buffer.from(payload, 'base64').length;
		else {
			try {
				bytes = Buffer.byteLength(decodeURIComponent(payload));
			} catch {
				bytes = Buffer.byteLength(payload);
			}
		}
		return `[image: data URL, ${bytes} bytes]`;
	}
	return `[image: ${url}]`;
}

function messageText(content) {
	if (typeof content === 'string') return content;
	return content
		.filter((p) => p.type === 'text')
		.map((p) => p.text)
		.join(' ');
}

function replyFor(messages) {
	let last = null;
	for (const m of messages) if (m.role === 'user') last = m;
	if (!last) return 'Echo:';
	let text;
	if (typeof last.content === 'string') text = last.content;
	else {
		const images = last.content
			.filter((p) => p.type === 'image_url')
			.map((p) => describeImage(p.image_url.url));
		text = [messageText(last.content), ...images].filter((s) => s !== '').join(' ');
	}
	return text === '' ? 'Echo:' : `Echo: ${text}`;
}

/** Word pieces: each word with its leading whitespace; trailing whitespace rides on the last. */
function tokenize(text) {
	const tokens = text.match(/\s*\S+/g) || [];
	const trail = /\s+$/.exec(text);
	if (trail && tokens.length) tokens[tokens.length - 1] += trail[0];
	return tokens;
}

function countPromptTokens(messages) {
	let total = 0;
	for (const m of messages) {
		const words = messageText(m.content).match(/\S+/g);
		total += (words ? words.length : 0) + 3;
	}
	return total;
}

function usageObject(promptTokens, completionTokens) {
	return {
		prompt_tokens: promptTokens,
		completion_tokens: completionTokens,
		total_tokens: promptTokens + completionTokens,
		prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
		completion_tokens_details: {
			reasoning_tokens: 0,
			audio_tokens: 0,
			accepted_prediction_tokens: 0,
			rejected_prediction_tokens: 0,
		},
	};
}

// ---------- faults ----------

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
	if (input.type === 'status' && !isInt(input.status)) {
		throw new TypeError('fault.status must be an integer HTTP status');
	}
	return { ...input, endpoint, times };
}

function defaultErrorBody(status) {
	return { error: { message: `${http.STATUS_CODES[status] || 'Error'} (emulated)` } };
}

// ---------- the emulator ----------

function listen(server, port, host) {
	return new Promise((resolve, reject) => {
		const onError = (err) => {
			server.removeListener('listening', onListening);
			reject(err);
		};
		const onListening = () => {
			server.removeListener('error', onError);
			resolve();
		};
		server.once('error', onError);
		server.once('listening', onListening);
		server.listen(port, host);
	});
}

function urlFor(host, port) {
	const h = host.includes(':') ? `[${host}]` : host;
	return `http://${h}:${port}`;
}

async function startEmulator(options = {}) {
	const opts = { ...DEFAULTS };
	for (const k of Object.keys(DEFAULTS)) if (options[k] !== undefined) opts[k] = options[k];
	const log = typeof options.log === 'function' ? options.log : (line) => console.log(line);

	let initialKeys = { ...(options.keys || { 'emulator-key': 100 }) };
	const balances = new Map(Object.entries(initialKeys));
	const requests = [];
	const jobs = new Map();
	const pngCache = new Map();
	let faults = [];
	let seq = 0;
	let inflight = 0;
	let closed = false;
	const sockets = new Set();
	const timers = new Set();
	// settle functions of responses still open, so close() can finalise their records
	const openResponses = new Set();

	// Timers are tracked so close() can cancel them; a cancelled sleep simply never resolves.
	const sleep = (ms) =>
		!(ms > 0)
			? Promise.resolve()
			: new Promise((resolve) => {
					const t = setTimeout(() => {
						timers.delete(t);
						resolve();
					}, ms);
					timers.add(t);
				});
	const never = () => new Promise(() => {});

	function record(server, req, res) {
		const rec = {
			seq: ++seq,
			server,
			method: req.method,
			path: req.url,
			headers: { ...req.headers },
			body: null,
			rawBody: '',
			startedAt: Date.now(),
			endedAt: null,
			status: null,
			chargedUsd: 0,
			aborted: false,
		};
		requests.push(rec);
		res.once('finish', () => {
			rec.endedAt = Date.now();
			rec.status = res.statusCode;
		});
		let settled = false;
		const settle = () => {
			if (settled) return;
			settled = true;
			openResponses.delete(settle);
			if (rec.endedAt === null) {
				rec.endedAt = Date.now();
				rec.status = res.headersSent ? res.statusCode : null;
				rec.aborted = true;
			}
			if (!opts.quiet) {
				// never log the key itself
				const auth = rec.headers.authorization ? ' auth=Bearer ***' : '';
				const tail = rec.aborted ? ' (aborted)' : '';
				const status = rec.status === null ? '-' : rec.status;
				log(
					`[${server}] ${rec.method} ${normalisePath(rec.path)} ${status}` +
						` ${rec.endedAt - rec.startedAt}ms${auth}${tail}`,
				);
			}
		};
		openResponses.add(settle);
		res.once('close', settle);
		return rec;
	}

	function sendJson(res, status, obj, headers = {}) {
		if (res.destroyed || res.headersSent) return;
		const buf = Buffer.from(JSON.stringify(obj), 'utf8');
		res.writeHead(status, {
			'Content-Type': 'application/json',
			'Content-Length': buf.length,
			...headers,
		});
		res.end(buf);
	}

	function sendRaw(res, status, body, contentType, headers = {}) {
		if (res.destroyed || res.headersSent) return;
		const buf = Buffer.from(body, 'utf8');
		const all = { 'Content-Length': buf.length, ...headers };
		if (contentType) all['Content-Type'] = contentType;
		res.writeHead(status, all);
		res.end(buf);
	}

	const sendError = (res, status, message, type, headers) =>
		sendJson(res, status, { error: type ? { message, type } : { message } }, headers);

	function write(res, text) {
		return new Promise((resolve) => {
			if (res.destroyed) return resolve(false);
			res.write(text, 'utf8', () => resolve(true));
		});
	}

	/** Consume one use of each matching fault (first match per slot). */
	function takeFault(endpoint, key, types) {
		const idx = faults.findIndex(
			(f) =>
				f.times > 0 &&
				types.includes(f.type) &&
				(f.endpoint === 'any' || f.endpoint === endpoint) &&
				(f.key === undefined || f.key === null || f.key === key),
		);
		if (idx < 0) return null;
		const f = faults[idx];
		f.times -= 1;
		if (f.times <= 0) faults.splice(idx, 1);
		return f;
	}

	/** Applies slowFirstByte, then status/rateLimit/hang. Returns true when the answer is given. */
	async function applyEarlyFaults(endpoint, key, res) {
		const slow = takeFault(endpoint, key, ['slowFirstByte']);
		if (slow) await sleep(Number(slow.ms) || 0);
		const f = takeFault(endpoint, key, ['status', 'rateLimit', 'hang']);
		if (!f) return false;
		if (f.type === 'hang') {
			await never();
			return true;
		}
		if (f.type === 'rateLimit') {
			const ra = f.retryAfter === undefined ? opts.retryAfterSeconds : f.retryAfter;
			const headers = ra === null ? {} : { 'Retry-After': String(ra) };
			const body = f.body === undefined ? null : f.body;
			if (body !== null) sendFaultBody(res, 429, body, { ...headers, ...(f.headers || {}) });
			else {
				sendError(res, 429, 'Rate limit exceeded (emulated)', 'rate_limit_error', {
					...headers,
					...(f.headers || {}),
				});
			}
			return true;
		}
		const body = f.body === undefined ? defaultErrorBody(f.status) : f.body;
		sendFaultBody(res, f.status, body, f.headers || {});
		return true;
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

	function charge(key, usd, rec) {
		balances.set(key, (balances.get(key) || 0) - usd);
		rec.chargedUsd = usd;
	}

	function makeJob(jobid, signature, key, body, fault) {
		const job = {
			jobid,
			signature,
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
		job.readyAt = job.submittedAt + Math.max(0, Number(opts.jobDelayMs) || 0);
		if (fault && fault.type === 'jobNever') {
			job.never = true;
			job.readyAt = null;
		}
		if (fault && fault.type === 'jobFailed')
			job.failMessage = fault.message || DEFAULT_FAILED_MESSAGE;
		// status is derived from the clock so it is right without any timer
		Object.defineProperty(job, 'status', {
			enumerable: true,
			get() {
				if (job.readyAt === null || Date.now() < job.readyAt) return 'processing';
				return job.failMessage !== null ? 'failed' : 'success';
			},
		});
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

	function newJobId() {
		for (;;) {
			const id = 10000000 + crypto.randomInt(89999999);
			if (!jobs.has(String(id))) return id;
		}
	}

	// ---------- API handlers ----------

	/** Paid endpoints: 400 for an invalid body, then 402 for an empty balance (our choice). */
	function refusePaid(res, key, invalid) {
		if (invalid) {
			sendError(res, 400, invalid);
			return true;
		}
		if (balances.get(key) > 0) return false;
		sendError(
			res,
			402,
			'Insufficient credit balance: top up your MiniToolAI account',
			'insufficient_credit',
		);
		return true;
	}

	async function handleChat(ctx) {
		const { res, body, key, rec } = ctx;
		if (refusePaid(res, key, validateChat(body))) return;
		const fault = takeFault('chat', key, LATE_FAULTS.chat);
		const model = CHAT_MODELS[body.model];
		const tokens = tokenize(replyFor(body.messages));
		const max = present(body.max_completion_tokens)
			? body.max_completion_tokens
			: DEFAULT_MAX_COMPLETION_TOKENS;
		const sent = tokens.slice(0, max);
		const finishReason = sent.length < tokens.length ? 'length' : 'stop';
		const usage = usageObject(countPromptTokens(body.messages), sent.length);
		const failing = fault && (fault.type === 'drop' || fault.type === 'streamError');
		if (!failing) {
			const cost =
				(usage.prompt_tokens * model.input) / 1e6 + (usage.completion_tokens * model.output) / 1e6;
			charge(key, cost, rec);
		}

		const id = `chatcmpl-${randomAlnum(29)}`;
		const created = Math.floor(Date.now() / 1000);
		const base = {
			id,
			object: 'chat.completion.chunk',
			created,
			model: model.dated,
			service_tier: 'default',
			system_fingerprint: model.fingerprint,
		};

		if (fault && fault.type === 'json') {
			return sendJson(res, 200, {
				id,
				object: 'chat.completion',
				created,
				model: model.dated,
				choices: [
					{
						index: 0,
						message: {
							role: 'assistant',
							content: sent.join(''),
							refusal: null,
							annotations: [],
						},
						logprobs: null,
						finish_reason: finishReason,
					},
				],
				usage,
				service_tier: 'default',
				system_fingerprint: model.fingerprint,
			});
		}

		const chunk = (delta, finish) =>
			`data: ${JSON.stringify({
				...base,
				choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
				usage: null,
			})}`;
		const content = sent.map((t) => chunk({ content: t }, null));
		const finishEvent = chunk({}, finishReason);
		const usageEvent = `data: ${JSON.stringify({ ...base, choices: [], usage })}`;
		const DONE = 'data: [DONE]';

		let events;
		const type = fault ? fault.type : null;
		if (type === 'noUsage') events = [...content, finishEvent];
		else if (type === 'streamError') {
			const error = { message: fault.message || DEFAULT_STREAM_ERROR, type: 'server_error' };
			events = [content[0], `data: ${JSON.stringify({ error })}`, DONE];
		} else if (type === 'drop') {
			const n = Math.max(0, isInt(fault.afterChunks) ? fault.afterChunks : 1);
			events = [...content, finishEvent, usageEvent].slice(0, n);
		} else events = [...content, finishEvent, usageEvent, DONE];

		const sep = opts.sseSeparator;
		const tokenDelay = opts.tokenDelayMs;
		if (type === 'malformed') {
			const garbage = ['data: {not json', `garbage line ${randomAlnum(8)}`, ': emulator comment'];
			const withGarbage = [];
			events.forEach((e, i) => {
				withGarbage.push(i < events.length - 1 ? `${e}${sep}${garbage[i % garbage.length]}` : e);
			});
			events = withGarbage;
		}

		if (res.destroyed) return;
		res.writeHead(200, {
			'Content-Type': 'text/event-stream',
			'Cache-Control': 'no-cache',
			Connection: 'keep-alive',
		});
		res.flushHeaders();
		for (let i = 0; i < events.length; i++) {
			if (i > 0) await sleep(tokenDelay);
			if (closed || res.destroyed) return;
			await write(res, events[i] + sep);
		}
		if (type === 'drop') {
			// cut the connection mid-stream: no terminating chunk, no [DONE]
			res.destroy();
			return;
		}
		res.end();
	}

	async function handleSubmit(ctx) {
		const { res, body, key, rec } = ctx;
		if (refusePaid(res, key, validateSubmit(body))) return;
		const fault = takeFault('submit', key, LATE_FAULTS.submit);
		if (fault && fault.type === 'submitError') {
			return sendJson(res, 200, { status: 'error', jobid: null, signature: null });
		}
		const jobid = newJobId();
		const signature = randomAlnum(24).toLowerCase();
		const job = makeJob(jobid, signature, key, body, fault);
		jobs.set(String(jobid), job);
		// a job already doomed at submit is not charged
		if (!(fault && fault.type === 'jobFailed')) {
			charge(key, IMAGE_PRICE_USD, rec);
			job.chargedUsd = IMAGE_PRICE_USD;
		}
		return sendJson(res, 200, { status: 'success', jobid, signature });
	}

	async function handleJob(ctx) {
		const { res, body, key } = ctx;
		if (!isPlainObject(body)) return sendError(res, 400, 'Request body must be a JSON object');
		const rawId = body.jobid;
		const idOk =
			(typeof rawId === 'number' && Number.isInteger(rawId)) ||
			(typeof rawId === 'string' && /^\d+$/.test(rawId.trim()));
		if (!idOk) return sendError(res, 400, 'jobid is required (integer or numeric string)');
		const job = jobs.get(String(rawId).trim());
		if (!job)
			return sendJson(res, 200, { status: 'error', message: 'Job not found', image_url: null });
		if (body.signature !== job.signature) {
			return sendJson(res, 200, { status: 'error', message: 'Invalid signature', image_url: null });
		}
		// only a job that can still fail consumes the fault (not one already final or never-ending)
		if (!job.never && job.failMessage === null && job.finishedAt === null) {
			const fault = takeFault('job', key, LATE_FAULTS.job);
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
		return sendJson(res, 200, {
			status: 'success',
			image_url: `${emu.imageBaseUrl}/images/${job.jobid}.png`,
			message: 'success',
		});
	}

	const API_ROUTES = {
		'/api/chat-completions': ['chat', handleChat],
		'/api/texttoimage': ['submit', handleSubmit],
		'/api/texttoimage/jobs': ['job', handleJob],
	};

	async function onApiRequest(req, res) {
		const path = normalisePath(req.url);
		if (path === '/__emulator' || path.startsWith('/__emulator/')) return onControl(req, res, path);
		const rec = record('api', req, res);
		const overLimit = opts.maxConcurrent > 0 && inflight >= opts.maxConcurrent;
		if (!overLimit) {
			inflight++;
			res.once('close', () => inflight--);
		}
		rec.rawBody = await readBody(req);
		const parsed = parseJson(rec.rawBody);
		rec.body = parsed.ok ? parsed.value : null;
		await sleep(opts.latencyMs);
		if (closed) return;
		if (overLimit) {
			return sendError(res, 429, 'Too many concurrent requests (emulated)', 'rate_limit_error', {
				'Retry-After': String(opts.retryAfterSeconds),
			});
		}
		const route = API_ROUTES[path];
		if (!route) return sendError(res, 404, `Not found: ${req.method} ${path}`);
		if (req.method !== 'POST') {
			return sendError(res, 405, `Method ${req.method} not allowed; use POST`, undefined, {
				Allow: 'POST',
			});
		}
		const [endpoint, handler] = route;
		const key = bearerKey(req.headers.authorization);
		if (await applyEarlyFaults(endpoint, key, res)) return;
		if (!key || !balances.has(key)) {
			return sendError(res, 401, 'Invalid or missing API key', 'authentication_error');
		}
		if (!parsed.ok) return sendError(res, 400, 'Invalid JSON body');
		return handler({ req, res, rec, key, body: parsed.value });
	}

	async function onImageRequest(req, res) {
		const rec = record('image', req, res);
		rec.rawBody = await readBody(req);
		const parsed = parseJson(rec.rawBody);
		rec.body = parsed.ok ? parsed.value : null;
		const path = normalisePath(req.url);
		const key = bearerKey(req.headers.authorization);
		const m = /^\/images\/(\d+)\.png$/.exec(path);
		if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) {
			return sendRaw(res, 404, 'Not found', 'text/plain; charset=utf-8');
		}
		if (await applyEarlyFaults('image', key, res)) return;
		const job = jobs.get(m[1]);
		if (!job || job.status !== 'success') {
			return sendRaw(res, 404, 'Not found', 'text/plain; charset=utf-8');
		}
		if (takeFault('image', key, LATE_FAULTS.image)) {
			return sendRaw(
				res,
				200,
				'<!DOCTYPE html><html><head><title>Oops</title></head><body><h1>Not an image</h1></body></html>',
				'text/html; charset=utf-8',
			);
		}
		let png = pngCache.get(m[1]);
		if (!png) {
			const width = isInt(job.body.width) ? job.body.width : DEFAULT_IMAGE_SIZE;
			const height = isInt(job.body.height) ? job.body.height : DEFAULT_IMAGE_SIZE;
			png = encodeGradientPng(width, height, job.body.prompt, { noise: Boolean(opts.imageNoise) });
			pngCache.set(m[1], png);
		}
		const buf = await png;
		if (res.destroyed) return;
		res.writeHead(200, {
			'Content-Type': 'image/png',
			'Content-Length': buf.length,
			'Cache-Control': 'public, max-age=3600',
		});
		res.end(req.method === 'HEAD' ? undefined : buf);
	}

	// ---------- control endpoints (no auth, not recorded) ----------

	async function onControl(req, res, path) {
		const raw = await readBody(req);
		const parsed = parseJson(raw);
		const query = new URLSearchParams(String(req.url).split('?')[1] || '');
		const route = `${req.method} ${path}`;
		try {
			switch (route) {
				case 'GET /__emulator/health':
					return sendJson(res, 200, {
						ok: true,
						baseUrl: emu.baseUrl,
						imageBaseUrl: emu.imageBaseUrl,
					});
				case 'GET /__emulator/requests':
					return sendJson(res, 200, requests);
				case 'GET /__emulator/jobs':
					return sendJson(res, 200, [...jobs.values()].map(jobSnapshot));
				case 'GET /__emulator/faults':
					return sendJson(res, 200, faults);
				case 'POST /__emulator/faults': {
					if (!parsed.ok) return sendError(res, 400, 'Invalid JSON body');
					const list = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
					const normalised = list.map(normaliseFault);
					faults.push(...normalised);
					return sendJson(res, 200, { ok: true, faults: faults.length });
				}
				case 'DELETE /__emulator/faults':
					emu.clearFaults();
					return sendJson(res, 200, { ok: true });
				case 'POST /__emulator/reset':
					emu.reset();
					return sendJson(res, 200, { ok: true });
				case 'POST /__emulator/configure':
					if (!parsed.ok || !isPlainObject(parsed.value)) {
						return sendError(res, 400, 'Body must be a JSON object of options');
					}
					emu.configure(parsed.value);
					return sendJson(res, 200, { ok: true, options: currentOptions() });
				case 'GET /__emulator/balance': {
					const key = query.get('key') || '';
					return sendJson(res, 200, { key, known: balances.has(key), balance: emu.balance(key) });
				}
				case 'POST /__emulator/balance': {
					const b = parsed.ok ? parsed.value : null;
					if (!isPlainObject(b) || typeof b.key !== 'string' || !isNum(b.balance)) {
						return sendError(res, 400, 'Body must be {"key": string, "balance": number}');
					}
					emu.setBalance(b.key, b.balance);
					return sendJson(res, 200, { ok: true, key: b.key, balance: b.balance });
				}
				default:
					return sendError(res, 404, `Unknown control endpoint: ${route}`);
			}
		} catch (err) {
			return sendError(res, 400, err && err.message ? err.message : String(err));
		}
	}

	function currentOptions() {
		const out = {};
		for (const k of RUNTIME_OPTIONS) out[k] = opts[k];
		out.keys = Object.fromEntries(balances);
		return out;
	}

	// ---------- servers ----------

	const guard = (fn) => (req, res) => {
		fn(req, res).catch((err) => {
			if (!res.headersSent && !res.destroyed) sendError(res, 500, `Emulator bug: ${err.message}`);
			else res.destroy();
			if (!opts.quiet) log(`[emulator] internal error: ${err.stack || err}`);
		});
	};
	const track = (server) => {
		server.on('connection', (socket) => {
			sockets.add(socket);
			socket.once('close', () => sockets.delete(socket));
		});
	};
	const apiServer = http.createServer(guard(onApiRequest));
	const imageServer = http.createServer(guard(onImageRequest));
	track(apiServer);
	track(imageServer);

	await listen(apiServer, opts.port, opts.host);
	let imageHost = opts.imageHost;
	try {
		await listen(imageServer, opts.imagePort, imageHost);
	} catch (err) {
		// some systems only route 127.0.0.1; a different name still makes a distinct origin
		if (imageHost === 'localhost') {
			apiServer.close();
			throw err;
		}
		imageHost = 'localhost';
		try {
			await listen(imageServer, opts.imagePort, imageHost);
		} catch (err2) {
			apiServer.close();
			throw err2;
		}
	}

	const emu = {
		baseUrl: urlFor(opts.host, apiServer.address().port),
		imageBaseUrl: urlFor(imageHost, imageServer.address().port),
		requests,
		jobs,
		balance(key) {
			const b = balances.get(key);
			return typeof b === 'number' ? b : 0;
		},
		setBalance(key, usd) {
			if (typeof key !== 'string' || !isNum(usd)) throw new TypeError('setBalance(key, usd)');
			balances.set(key, usd);
		},
		setFault(fault) {
			faults.push(normaliseFault(fault));
		},
		clearFaults() {
			faults = [];
		},
		reset() {
			requests.length = 0;
			jobs.clear();
			pngCache.clear();
			faults = [];
			seq = 0;
			balances.clear();
			for (const [k, v] of Object.entries(initialKeys)) balances.set(k, v);
		},
		configure(partial = {}) {
			if (!isPlainObject(partial)) throw new TypeError('configure() takes an object');
			for (const k of RUNTIME_OPTIONS) if (partial[k] !== undefined) opts[k] = partial[k];
			if (partial.quiet !== undefined) opts.quiet = Boolean(partial.quiet);
			if (partial.keys !== undefined) {
				if (!isPlainObject(partial.keys)) throw new TypeError('keys must be an object');
				// merge: listed keys get this balance now and after reset(); null removes a key
				const next = { ...initialKeys };
				for (const [k, v] of Object.entries(partial.keys)) {
					if (v === null) {
						delete next[k];
						balances.delete(k);
					} else if (isNum(v)) {
						next[k] = v;
						balances.set(k, v);
					} else throw new TypeError(`keys.${k} must be a number or null`);
				}
				initialKeys = next;
			}
		},
		close() {
			if (closed) return closePromise;
			closed = true;
			for (const t of timers) clearTimeout(t);
			timers.clear();
			const done = (server) => new Promise((resolve) => server.close(() => resolve()));
			closePromise = Promise.all([done(apiServer), done(imageServer)]).then(() => undefined);
			// destroying sockets releases hung and keep-alive connections so close() cannot hang
			for (const s of sockets) s.destroy();
			for (const settle of [...openResponses]) settle();
			return closePromise;
		},
	};
	let closePromise = null;
	return emu;
}

module.exports = {
	startEmulator,
	// exported for tests and the CLI
	CHAT_MODELS,
	IMAGE_MODELS,
	SCHEDULERS,
	IMAGE_PRICE_USD,
	tokenize,
	countPromptTokens,
	replyFor,
};
