'use strict';
/**
 * Streaming into the caller, in a running n8n: a Webhook (responseMode 'streaming') and a Chat
 * Trigger (options.responseMode 'streaming', called the way the hosted chat widget calls it) in
 * front of MiniToolAI Chat. The emulator delays every SSE event; the test reads the HTTP answer
 * incrementally with Node's http client, stamps every streamed JSON object on arrival, and checks
 * the begin/item/end framing, the joined text against the node's output in the saved execution,
 * and that text reached the caller while the emulator was still writing the answer (an order of
 * events, not a speed: a loaded machine cannot fail it, an n8n that buffers cannot pass it).
 */
const assert = require('node:assert/strict');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { receivedFrom } = require('./runs');

const NODE_NAME = 'MiniToolAI Chat';
const CHAT_PATH = '/api/chat-completions/';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Splits a growing text into complete top-level JSON objects (newline-delimited or simply
 * concatenated), keeping string contents intact. Returns { objects, rest }.
 */
function takeJsonObjects(text) {
	const objects = [];
	let depth = 0;
	let inString = false;
	let escaped = false;
	let start = -1;
	let consumed = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (inString) {
			if (escaped) escaped = false;
			else if (c === '\\') escaped = true;
			else if (c === '"') inString = false;
			continue;
		}
		if (c === '"') inString = true;
		else if (c === '{') {
			if (depth === 0) start = i;
			depth++;
		} else if (c === '}') {
			depth--;
			if (depth === 0) {
				objects.push({ raw: text.slice(start, i + 1), separator: text.slice(consumed, start) });
				consumed = i + 1;
			}
		}
	}
	return { objects, rest: text.slice(consumed) };
}

/**
 * POSTs JSON and reads the answer as it arrives. Every streamed object gets `at`: ms since the
 * request was sent. Also keeps the raw network reads (count and times) to describe the framing.
 */
function postStreaming(url, body, { timeoutMs = 60000 } = {}) {
	return new Promise((resolve, reject) => {
		const payload = Buffer.from(JSON.stringify(body));
		const sentAtMs = Date.now();
		const started = performance.now();
		const req = http.request(
			url,
			{
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'content-length': payload.length,
					accept: 'application/json, text/plain, */*',
				},
				timeout: timeoutMs,
			},
			(res) => {
				const headersAt = performance.now() - started;
				const chunks = [];
				const reads = [];
				let text = '';
				let buffered = '';
				res.setEncoding('utf8');
				res.on('data', (data) => {
					const at = performance.now() - started;
					reads.push({ at, bytes: Buffer.byteLength(data) });
					text += data;
					buffered += data;
					const { objects, rest } = takeJsonObjects(buffered);
					buffered = rest;
					for (const o of objects) {
						let json;
						try {
							json = JSON.parse(o.raw);
						} catch {
							json = { unparsable: o.raw };
						}
						chunks.push({ at, json, separator: o.separator });
					}
				});
				res.on('end', () =>
					resolve({
						sentAtMs,
						status: res.statusCode,
						headers: res.headers,
						headersAt,
						endAt: performance.now() - started,
						chunks,
						reads,
						text,
						trailing: buffered,
					}),
				);
				res.on('error', reject);
			},
		);
		req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in ${timeoutMs} ms`)));
		req.on('error', reject);
		req.end(payload);
	});
}

/**
 * The begin/item/end chunks of our node; asserts the framing, that text arrived before
 * `upstreamEndedAt` (when the emulator finished writing the answer), returns the measurements.
 */
function assertStreamed(response, { expectedText, upstreamEndedAt, label }) {
	assert.equal(response.status, 200, `HTTP ${response.status}: ${response.text.slice(0, 500)}`);
	const ours = response.chunks.filter(
		(c) => c.json && c.json.metadata && c.json.metadata.nodeName === NODE_NAME,
	);
	const others = response.chunks.filter((c) => !ours.includes(c) && c.json.type !== 'keepalive');
	assert.equal(others.length, 0, `unexpected chunks: ${JSON.stringify(others.map((c) => c.json))}`);
	const types = ours.map((c) => c.json.type);
	assert.ok(ours.length >= 3, `too few chunks: ${types.join(',')}`);
	assert.equal(types[0], 'begin', `first chunk ${types[0]}`);
	assert.equal(types[types.length - 1], 'end', `last chunk ${types[types.length - 1]}`);
	const items = ours.slice(1, -1);
	for (const c of items) assert.equal(c.json.type, 'item', `middle chunk ${c.json.type}`);
	for (const c of ours) {
		assert.equal(c.json.metadata.itemIndex, 0);
		assert.equal(typeof c.json.metadata.nodeId, 'string');
	}
	const joined = items.map((c) => c.json.content).join('');
	assert.equal(joined, expectedText, 'joined item contents');
	assert.ok(items.length >= 3, `only ${items.length} item chunks: the text was not streamed`);

	// Streamed, not buffered: text reached the caller while the emulator was still writing the
	// answer (the emulator waits the token delay between events, so that takes a while).
	const firstText = items.find((c) => c.json.content && c.json.content.length > 0);
	const firstTextAtMs = response.sentAtMs + firstText.at;
	assert.ok(
		firstTextAtMs < upstreamEndedAt,
		`first text arrived ${(firstTextAtMs - upstreamEndedAt).toFixed(0)} ms after the emulator ` +
			`finished the answer: n8n held the stream back`,
	);

	const measured = {
		label,
		firstTextMs: firstText.at,
		fullAnswerMs: ours[ours.length - 1].at,
		lastItemMs: items[items.length - 1].at,
		responseEndMs: response.endAt,
		headersMs: response.headersAt,
		items: items.length,
		chunks: response.chunks.length,
		reads: response.reads.length,
	};
	return measured;
}

async function listExecutions(n8n, apiKey, workflowId, includeData) {
	const list = await n8n.request(
		'GET',
		`/api/v1/executions?workflowId=${workflowId}&includeData=${includeData}&limit=5`,
		undefined,
		{ apiKey },
	);
	return list.data || [];
}

/** The newest execution id of a workflow (0 when none), to tell the next run apart. */
async function latestExecutionId(n8n, apiKey, workflowId) {
	const list = await listExecutions(n8n, apiKey, workflowId, false);
	return list.reduce((max, e) => Math.max(max, Number(e.id)), 0);
}

/** The node's output in the first execution after `afterId`, read through the public API. */
async function executionOutput(n8n, apiKey, workflowId, afterId) {
	let last;
	for (let i = 0; i < 80; i++) {
		const fresh = (await listExecutions(n8n, apiKey, workflowId, true))
			.filter((e) => Number(e.id) > afterId)
			.sort((a, b) => Number(a.id) - Number(b.id));
		last = fresh[0];
		if (last && last.finished && last.data) {
			const runs = last.data.resultData.runData[NODE_NAME];
			assert.ok(runs && runs[0], `node "${NODE_NAME}" not in execution ${last.id}`);
			assert.ok(!runs[0].error, `node failed: ${runs[0].error && runs[0].error.message}`);
			return { execution: last, json: runs[0].data.main[0][0].json };
		}
		if (last && (last.status === 'error' || last.status === 'crashed')) {
			throw new Error(`execution ${last.id} ended ${last.status}`);
		}
		await sleep(250);
	}
	throw new Error(
		`no finished execution of ${workflowId} after #${afterId} (last: ${last ? `${last.id} ${last.status}` : 'none'})`,
	);
}

/** Activates through the public API; polls `probe` until the production webhook answers. */
async function activate(n8n, apiKey, workflowId, probe, log) {
	const started = Date.now();
	await n8n.request('POST', `/api/v1/workflows/${workflowId}/activate`, undefined, { apiKey });
	let attempts = 0;
	for (;;) {
		attempts++;
		const status = await probe();
		if (status !== 404) {
			log(
				`workflow ${workflowId} active, webhook answers ${status} after ${Date.now() - started} ms (${attempts} probe(s))`,
			);
			return;
		}
		if (Date.now() - started > 30000) throw new Error(`webhook of ${workflowId} still 404`);
		await sleep(100);
	}
}

async function probeStatus(url, init) {
	const res = await fetch(url, init);
	await res.arrayBuffer();
	return res.status;
}

function describe(m) {
	return (
		`stream (${m.label}): first text after ${m.firstTextMs.toFixed(0)} ms, full answer after ` +
		`${m.fullAnswerMs.toFixed(0)} ms (${m.items} item chunks, ${m.chunks} JSON objects in ` +
		`${m.reads} network reads; headers after ${m.headersMs.toFixed(0)} ms, response closed after ` +
		`${m.responseEndMs.toFixed(0)} ms)`
	);
}

/**
 * @param {object} ctx { n8n (started, owner logged in), emulator, checks, ids, log,
 *   webhookPath, chatWebhookId, tokenDelayMs, restoreTokenDelayMs }
 */
async function runStreamChecks(ctx) {
	const { n8n, emulator, checks, ids, log } = ctx;
	const { webhookPath, chatWebhookId, tokenDelayMs = 80, restoreTokenDelayMs = 0 } = ctx;
	const measurements = [];
	let apiKey;
	await checks.check(
		'stream: public API key, activate webhook + chat trigger workflows',
		async () => {
			apiKey = await n8n.createApiKey('minitoolai-e2e-stream');
			assert.ok(apiKey, 'no API key');
			await activate(
				n8n,
				apiKey,
				ids.webhookStreaming,
				() =>
					probeStatus(`${n8n.baseUrl}/webhook/${webhookPath}`, {
						method: 'POST',
						headers: { 'content-type': 'application/json' },
						body: JSON.stringify({ text: 'warm up' }),
					}),
				log,
			);
			// The chat URL's GET serves the hosted chat page once the trigger is registered.
			await activate(
				n8n,
				apiKey,
				ids.chatTriggerStreaming,
				() => probeStatus(`${n8n.baseUrl}/webhook/${chatWebhookId}/chat`),
				log,
			);
		},
	);
	if (!apiKey) return measurements;

	await checks.check('stream: the hosted chat page is served at /webhook/<id>/chat', async () => {
		const res = await fetch(`${n8n.baseUrl}/webhook/${chatWebhookId}/chat`);
		const html = await res.text();
		assert.equal(res.status, 200);
		assert.match(String(res.headers.get('content-type')), /text\/html/);
		assert.match(html, /@n8n\/chat|createChat/, 'not the chat widget page');
	});

	emulator.configure({ tokenDelayMs });
	try {
		const cases = [
			{
				label: 'webhook',
				workflowId: ids.webhookStreaming,
				url: `${n8n.baseUrl}/webhook/${webhookPath}`,
				text: 'Please stream this sentence back to me one small word at a time, thank you',
				body: (text) => ({ text }),
			},
			{
				label: 'chat trigger',
				workflowId: ids.chatTriggerStreaming,
				url: `${n8n.baseUrl}/webhook/${chatWebhookId}/chat`,
				text: 'Hello chatbot, tell me how streaming feels from the inside of a workflow today',
				body: (text) => ({
					action: 'sendMessage',
					sessionId: `e2e-session-${Date.now()}`,
					chatInput: text,
				}),
			},
		];
		for (const c of cases) {
			let response;
			let measured;
			const expectedText = `Echo: ${c.text}`;
			let afterId = 0;
			await checks.check(
				`stream (${c.label}): begin, items, end from "${NODE_NAME}", text arrives while it is written`,
				async () => {
					emulator.reset();
					afterId = await latestExecutionId(n8n, apiKey, c.workflowId);
					const received = receivedFrom(emulator);
					response = await postStreaming(c.url, c.body(c.text));
					log(
						`${c.label} answer: HTTP ${response.status}, content-type ${response.headers['content-type']}, ` +
							`transfer-encoding ${response.headers['transfer-encoding']}; separators ` +
							`${JSON.stringify([...new Set(response.chunks.map((x) => x.separator))])}; first objects ` +
							`${response.chunks
								.slice(0, 2)
								.map((x) => JSON.stringify(x.json))
								.join(' ')}`,
					);
					const reqs = received().requests.filter(
						(r) => r.server === 'api' && r.path === CHAT_PATH,
					);
					assert.equal(reqs.length, 1, 'one chat request');
					const last = reqs[0].body.messages[reqs[0].body.messages.length - 1];
					assert.deepEqual(last, { role: 'user', content: c.text });
					measured = assertStreamed(response, {
						expectedText,
						upstreamEndedAt: reqs[0].endedAt,
						label: c.label,
					});
					assert.match(String(response.headers['transfer-encoding']), /chunked/);
					measurements.push(measured);
					log(describe(measured));
				},
			);
			await checks.check(
				`stream (${c.label}): joined text equals the node's output in the execution`,
				async () => {
					assert.ok(response && response.status === 200, 'no streamed answer');
					const { execution, json } = await executionOutput(n8n, apiKey, c.workflowId, afterId);
					assert.equal(json.text, expectedText, `execution ${execution.id} output`);
					const joined = response.chunks
						.filter((x) => x.json.type === 'item')
						.map((x) => x.json.content)
						.join('');
					assert.equal(joined, json.text);
					assert.equal(json.finishReason, 'stop');
					assert.ok(json.usage && json.usage.completionTokens > 0, 'usage');
					log(
						`${c.label}: execution ${execution.id} (${execution.mode}) output text matches the stream`,
					);
				},
			);
		}
	} finally {
		emulator.configure({ tokenDelayMs: restoreTokenDelayMs });
	}
	return measurements;
}

module.exports = {
	runStreamChecks,
	postStreaming,
	takeJsonObjects,
	describe,
	activate,
	probeStatus,
};
