'use strict';
/**
 * Local emulator of the MiniToolAI API (see docs/minitoolai-api.md and README.md here).
 * Two HTTP servers: the API itself and a second host that serves the generated images, so tests
 * can check that the API key never travels to the image host. Node built-ins only.
 *
 * This file holds the state, the recording of requests, the servers and the returned object; the
 * answers live in api.js (documented facts), chat.js, jobs.js, imageHost.js, faults.js, control.js.
 */
const http = require('node:http');
const { normaliseAnswerTimes } = require('./answerTimes');
const { CHAT_MODELS, IMAGE_MODELS, SCHEDULERS, IMAGE_PRICE_USD } = require('./api');
const { handleChat } = require('./chat');
const { onControl } = require('./control');
const { applyEarlyFaults, normaliseFault } = require('./faults');
const { onImageRequest } = require('./imageHost');
const { checkJobTimes } = require('./jobTimes');
const { handleJob, handleSubmit } = require('./jobs');
const { record, readInto } = require('./recorder');
const { REPLY_MODES, replyFor, tokenize, countPromptTokens } = require('./replies');
const u = require('./util');

const DEFAULTS = {
	host: '127.0.0.1',
	port: 0,
	imageHost: '127.0.0.2',
	imagePort: 0,
	jobDelayMs: 1500,
	// null: every job takes jobDelayMs; an object: durations vary around it (jobTimes.js)
	jobTimes: null,
	tokenDelayMs: 0,
	// { seed, firstTokenMs, tokens, tokenGapMs }: answer times drawn per request (answerTimes.js)
	answerTimes: null,
	latencyMs: 0,
	maxConcurrent: 0,
	retryAfterSeconds: 1,
	sseSeparator: '\n\n',
	// Photo-like images: noise makes a PNG about as large as a real picture (1344 x 1344: ~5 MB)
	imageNoise: false,
	// 'echo' keeps replies predictable for tests; the CLI shows 'canned' text to humans
	replies: 'echo',
	// passed to the scripted model (test/emulator/scriptedModel.js) when it exists
	imperfectModel: null,
	// undefined: scriptedModel.js if present; null: none; an object: that model (tests)
	scriptedModel: undefined,
	quiet: true,
};
const RUNTIME_OPTIONS = [
	'jobDelayMs',
	'jobTimes',
	'tokenDelayMs',
	'answerTimes',
	'latencyMs',
	'maxConcurrent',
	'retryAfterSeconds',
	'sseSeparator',
	'imageNoise',
	'replies',
	'imperfectModel',
];

const API_ROUTES = {
	'/api/chat-completions': ['chat', handleChat],
	'/api/texttoimage': ['submit', handleSubmit],
	'/api/texttoimage/jobs': ['job', handleJob],
};

function checkOptions(o) {
	checkJobTimes(o.jobTimes);
	if (o.replies !== undefined && !REPLY_MODES.includes(o.replies)) {
		throw new TypeError(`replies must be one of: ${REPLY_MODES.join(', ')}`);
	}
	const im = o.imperfectModel;
	if (im !== undefined && im !== null && !u.isPlainObject(im)) {
		throw new TypeError('imperfectModel must be an object ({ rate, kinds?, seed? }) or null');
	}
	if (o.answerTimes !== undefined) o.answerTimes = normaliseAnswerTimes(o.answerTimes);
}

async function onApiRequest(state, req, res) {
	const path = u.normalisePath(req.url);
	if (path === '/__emulator' || path.startsWith('/__emulator/')) {
		return onControl(state, req, res, path);
	}
	const rec = record(state, 'api', req, res);
	const overLimit = state.opts.maxConcurrent > 0 && state.inflight >= state.opts.maxConcurrent;
	if (!overLimit) {
		state.inflight++;
		res.once('close', () => state.inflight--);
	}
	const parsed = await readInto(rec, req);
	await state.sleep(state.opts.latencyMs);
	if (state.closed) return;
	if (overLimit) {
		return u.sendError(res, 429, 'Too many concurrent requests (emulated)', 'rate_limit_error', {
			'Retry-After': String(state.opts.retryAfterSeconds),
		});
	}
	const route = API_ROUTES[path];
	if (!route) return u.sendError(res, 404, `Not found: ${req.method} ${path}`);
	if (req.method !== 'POST') {
		return u.sendError(res, 405, `Method ${req.method} not allowed; use POST`, undefined, {
			Allow: 'POST',
		});
	}
	const [endpoint, handler] = route;
	const key = u.bearerKey(req.headers.authorization);
	if (await applyEarlyFaults(state, endpoint, key, req, res)) return;
	if (!key || !state.balances.has(key)) {
		return u.sendError(res, 401, 'Invalid or missing API key', 'authentication_error');
	}
	if (!parsed.ok) return u.sendError(res, 400, 'Invalid JSON body');
	return handler(state, { req, res, rec, key, body: parsed.value });
}

async function onSecondHostRequest(state, req, res) {
	const rec = record(state, 'image', req, res);
	await readInto(rec, req);
	return onImageRequest(state, req, res, rec);
}

function createState(options) {
	const opts = { ...DEFAULTS };
	for (const k of Object.keys(DEFAULTS)) if (options[k] !== undefined) opts[k] = options[k];
	checkOptions(opts);
	const timers = new Set();
	return {
		opts,
		log: typeof options.log === 'function' ? options.log : (line) => console.log(line),
		initialKeys: { ...(options.keys || { 'emulator-key': 100 }) },
		balances: new Map(),
		requests: [],
		jobs: new Map(),
		pngCache: new Map(),
		faults: [],
		seq: 0,
		// chat turns answered (the scripted model's sequence), restarts after reset()
		chatSeq: 0,
		// jobs submitted (the job-time draws' sequence), restarts after reset()
		jobSeq: 0,
		inflight: 0,
		closed: false,
		sockets: new Set(),
		timers,
		// settle functions of responses still open, so close() can finalise their records
		openResponses: new Set(),
		// Timers are tracked so close() can cancel them; a cancelled sleep simply never resolves.
		sleep: (ms) =>
			!(ms > 0)
				? Promise.resolve()
				: new Promise((resolve) => {
						const t = setTimeout(() => {
							timers.delete(t);
							resolve();
						}, ms);
						timers.add(t);
					}),
		never: () => new Promise(() => {}),
		currentOptions() {
			const out = {};
			for (const k of RUNTIME_OPTIONS) out[k] = opts[k];
			out.keys = Object.fromEntries(this.balances);
			return out;
		},
		emu: null,
	};
}

function createServer(state, handler) {
	const server = http.createServer((req, res) => {
		handler(state, req, res).catch((err) => {
			if (!res.headersSent && !res.destroyed) u.sendError(res, 500, `Emulator bug: ${err.message}`);
			else res.destroy();
			if (!state.opts.quiet) state.log(`[emulator] internal error: ${err.stack || err}`);
		});
	});
	server.on('connection', (socket) => {
		state.sockets.add(socket);
		socket.once('close', () => state.sockets.delete(socket));
	});
	return server;
}

async function startEmulator(options = {}) {
	const state = createState(options);
	for (const [k, v] of Object.entries(state.initialKeys)) state.balances.set(k, v);
	const apiServer = createServer(state, onApiRequest);
	const imageServer = createServer(state, onSecondHostRequest);

	await u.listen(apiServer, state.opts.port, state.opts.host);
	let imageHost = state.opts.imageHost;
	try {
		await u.listen(imageServer, state.opts.imagePort, imageHost);
	} catch (err) {
		// some systems only route 127.0.0.1; a different name still makes a distinct origin
		if (imageHost === 'localhost') {
			apiServer.close();
			throw err;
		}
		imageHost = 'localhost';
		try {
			await u.listen(imageServer, state.opts.imagePort, imageHost);
		} catch (err2) {
			apiServer.close();
			throw err2;
		}
	}
	let closePromise = null;
	const emu = {
		baseUrl: u.urlFor(state.opts.host, apiServer.address().port),
		imageBaseUrl: u.urlFor(imageHost, imageServer.address().port),
		requests: state.requests,
		jobs: state.jobs,
		balance(key) {
			const b = state.balances.get(key);
			return typeof b === 'number' ? b : 0;
		},
		setBalance(key, usd) {
			if (typeof key !== 'string' || !u.isNum(usd)) throw new TypeError('setBalance(key, usd)');
			state.balances.set(key, usd);
		},
		setFault(fault) {
			state.faults.push(normaliseFault(fault));
		},
		clearFaults() {
			state.faults = [];
		},
		reset() {
			state.requests.length = 0;
			state.jobs.clear();
			state.pngCache.clear();
			state.faults = [];
			state.seq = 0;
			state.chatSeq = 0;
			state.jobSeq = 0;
			state.balances.clear();
			for (const [k, v] of Object.entries(state.initialKeys)) state.balances.set(k, v);
		},
		configure(given = {}) {
			if (!u.isPlainObject(given)) throw new TypeError('configure() takes an object');
			const partial = { ...given };
			checkOptions(partial);
			for (const k of RUNTIME_OPTIONS) if (partial[k] !== undefined) state.opts[k] = partial[k];
			if (partial.quiet !== undefined) state.opts.quiet = Boolean(partial.quiet);
			if (partial.keys !== undefined) configureKeys(state, partial.keys);
		},
		close() {
			if (closePromise) return closePromise;
			state.closed = true;
			for (const t of state.timers) clearTimeout(t);
			state.timers.clear();
			const done = (server) => new Promise((resolve) => server.close(() => resolve()));
			closePromise = Promise.all([done(apiServer), done(imageServer)]).then(() => undefined);
			// destroying sockets releases hung and keep-alive connections so close() cannot hang
			for (const s of state.sockets) s.destroy();
			for (const settle of [...state.openResponses]) settle();
			return closePromise;
		},
	};
	state.emu = emu;
	return emu;
}

/** Merge: listed keys get this balance now and after reset(); null removes a key. */
function configureKeys(state, keys) {
	if (!u.isPlainObject(keys)) throw new TypeError('keys must be an object');
	const next = { ...state.initialKeys };
	for (const [k, v] of Object.entries(keys)) {
		if (v === null) {
			delete next[k];
			state.balances.delete(k);
		} else if (u.isNum(v)) {
			next[k] = v;
			state.balances.set(k, v);
		} else throw new TypeError(`keys.${k} must be a number or null`);
	}
	state.initialKeys = next;
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
