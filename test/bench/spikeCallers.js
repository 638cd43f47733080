'use strict';
/**
 * The callers of the Spike measurement: many chat conversations posted to a running n8n within a
 * short window, each answer read as it streams in. undici (the HTTP client n8n itself and Node's
 * fetch are built on) sends them; autocannon, the load generator, times whole responses and keeps
 * no body per request, so it can neither stamp a caller's first token nor hand back each caller's
 * text for the byte-for-byte comparison with what the emulator sent.
 */
const { Agent, request } = require('undici');
const { nowMs, sleep } = require('./util');

/** Longer than any answer under the server limit may take: a caller still waiting is lost. */
const CALLER_TIMEOUT_MS = 300_000;

/**
 * n8n's streamed answer: one JSON object per line ({type: begin|item|end|error|keepalive, content,
 * metadata}). Returns the text of the `item` chunks and what the framing showed.
 */
function readStreamed(lines) {
	let text = '';
	const types = [];
	let error = null;
	for (const line of lines) {
		if (line.trim() === '') continue;
		let chunk;
		try {
			chunk = JSON.parse(line);
		} catch {
			error = error || `not JSON: ${line.slice(0, 120)}`;
			continue;
		}
		if (chunk.type === 'keepalive') continue;
		types.push(chunk.type);
		if (chunk.type === 'item' && typeof chunk.content === 'string') text += chunk.content;
		if (chunk.type === 'error') error = error || String(chunk.content || 'error chunk');
	}
	const complete = types.length >= 2 && types[0] === 'begin' && types[types.length - 1] === 'end';
	return { text, complete, error };
}

/**
 * One conversation: POST `body` to `url`, read the answer as it arrives. `streamed`: n8n's chunked
 * JSON lines (the first `item` with text is the first token); else one JSON object whose `field`
 * holds the answer (a Chat Trigger answering with the last node's output).
 */
async function converse(dispatcher, { url, body, streamed, field }) {
	const started = nowMs();
	const out = { status: null, firstTokenMs: null, wholeMs: null, text: '', complete: false };
	try {
		const res = await request(url, {
			method: 'POST',
			dispatcher,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			headersTimeout: CALLER_TIMEOUT_MS,
			bodyTimeout: CALLER_TIMEOUT_MS,
		});
		out.status = res.statusCode;
		let raw = '';
		let pending = '';
		const lines = [];
		for await (const data of res.body) {
			const piece = data.toString('utf8');
			raw += piece;
			if (!streamed) continue;
			pending += piece;
			const parts = pending.split('\n');
			pending = parts.pop();
			for (const line of parts) {
				lines.push(line);
				if (
					out.firstTokenMs === null &&
					/"type":"item"/.test(line) &&
					/"content":"[^"]/.test(line)
				) {
					out.firstTokenMs = nowMs() - started;
				}
			}
		}
		out.wholeMs = nowMs() - started;
		if (streamed) {
			lines.push(pending);
			const read = readStreamed(lines);
			out.text = read.text;
			out.complete = read.complete;
			out.error = read.error;
		} else {
			out.firstTokenMs = out.wholeMs;
			try {
				const json = JSON.parse(raw);
				const value = Array.isArray(json) ? json[0] && json[0][field] : json[field];
				out.text = typeof value === 'string' ? value : '';
				out.complete = typeof value === 'string';
			} catch {
				out.error = `not JSON: ${raw.slice(0, 120)}`;
			}
		}
		if (res.statusCode !== 200)
			out.error = out.error || `HTTP ${res.statusCode}: ${raw.slice(0, 200)}`;
	} catch (error) {
		out.error = `${error.code || 'error'}: ${error.message}`;
		out.wholeMs = nowMs() - started;
	}
	return out;
}

/**
 * `count` conversations started evenly over `windowMs`; `make(i)` gives each its request.
 * Resolves with every caller's result, in order, once the last one has finished.
 */
async function spike({ count, windowMs, make }) {
	// One connection per caller, as 200 browsers would open.
	const dispatcher = new Agent({ connections: null, pipelining: 1, keepAliveTimeout: 1_000 });
	try {
		const t0 = nowMs();
		const calls = [];
		for (let i = 0; i < count; i++) {
			const at = t0 + (windowMs * i) / count;
			const wait = at - nowMs();
			if (wait > 1) await sleep(wait);
			const startedAt = nowMs() - t0;
			calls.push(converse(dispatcher, make(i)).then((r) => ({ ...r, startedAt })));
		}
		const results = await Promise.all(calls);
		return { results, startSpreadMs: Math.max(...results.map((r) => r.startedAt)) };
	} finally {
		await dispatcher.close().catch(() => undefined);
	}
}

module.exports = { spike, readStreamed, CALLER_TIMEOUT_MS };
