'use strict';
/**
 * Queue mode, streaming: a streaming webhook served by a worker; its chunks must reach the caller
 * in order, text must arrive while the emulator is still writing the answer (an order of events,
 * not a speed), and a worker (not the main) must have run the execution.
 */
const assert = require('node:assert/strict');

const { CHAT_PATH, workerLog, logSize } = require('./queueHelpers');
const { receivedFrom, apiRequests } = require('./runs');

async function runStreaming(ctx) {
	const { main, workers, emulator, checks, report, log } = ctx;
	const text = 'stream this answer through a queue worker please';
	// About 1.5 s from the first to the last event of this answer: the room the order check has.
	const tokenDelayMs = 150;
	emulator.configure({ tokenDelayMs });
	const offsets = workers.map(logSize);
	const reads = [];
	let status = 0;
	let contentType = '';
	const received = receivedFrom(emulator);
	const started = Date.now();
	try {
		const res = await fetch(`${main.baseUrl}/webhook/mtai-queue-stream`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ text }),
			signal: AbortSignal.timeout(60000),
		});
		status = res.status;
		contentType = res.headers.get('content-type') || '';
		report.streaming = {
			status,
			contentType,
			transferEncoding: res.headers.get('transfer-encoding'),
		};
		const reader = res.body.getReader();
		const decoder = new TextDecoder();
		for (;;) {
			const { value, done } = await reader.read();
			if (done) break;
			reads.push({ at: Date.now() - started, text: decoder.decode(value, { stream: true }) });
		}
	} finally {
		emulator.configure({ tokenDelayMs: 0 });
	}

	// NDJSON: a chunk may hold several lines or end mid-line; stamp each object with its read.
	const objects = [];
	let buffer = '';
	for (const r of reads) {
		buffer += r.text;
		const lines = buffer.split('\n');
		buffer = lines.pop();
		for (const line of lines) if (line.trim()) objects.push({ at: r.at, line });
	}
	if (buffer.trim())
		objects.push({ at: reads.length ? reads[reads.length - 1].at : 0, line: buffer });
	const parsed = objects.map((o) => {
		try {
			return { at: o.at, ...JSON.parse(o.line) };
		} catch {
			return { at: o.at, type: 'unparsed', content: o.line };
		}
	});
	const items = parsed.filter((p) => p.type === 'item');
	const joined = items.map((p) => p.content).join('');
	const itemReads = new Set(items.map((p) => p.at)).size;
	const span = items.length ? items[items.length - 1].at - items[0].at : 0;
	const chats = apiRequests(received(), CHAT_PATH);
	// When the emulator finished writing the answer, relative to the request's start.
	const upstreamEndMs = chats.length === 1 ? chats[0].endedAt - started : null;
	const firstText = items.find((p) => p.content);
	const ranOn = workers
		.map((w, i) => ({ name: w.name, n: workerLog(w, offsets[i]).started.length }))
		.filter((w) => w.n > 0)
		.map((w) => w.name);
	Object.assign(report.streaming || (report.streaming = { status }), {
		reads: reads.length,
		types: parsed.map((p) => p.type).join(','),
		items: items.length,
		itemReads,
		firstItemMs: items.length ? items[0].at : null,
		upstreamEndMs,
		spanMs: span,
		joined,
		arrivalsMs: items.map((p) => p.at).join(' '),
		ranOn,
		firstLine: objects.length
			? objects[0].line.slice(0, 200)
			: reads
					.map((r) => r.text)
					.join('')
					.slice(0, 300),
	});
	log(
		`streaming: HTTP ${status}, ${items.length} item chunks over ${span} ms in ${reads.length} reads`,
	);

	await checks.check("queue streaming: the worker's chunks reach the caller in order", () => {
		assert.equal(status, 200);
		assert.equal(joined, `Echo: ${text}`, `types ${report.streaming.types}`);
		assert.ok(
			parsed.some((p) => p.type === 'begin'),
			'no begin chunk',
		);
		assert.ok(
			parsed.some((p) => p.type === 'end'),
			'no end chunk',
		);
	});
	await checks.check('queue streaming: text arrives while the emulator still writes it', () => {
		assert.equal(chats.length, 1, 'chat requests');
		assert.ok(firstText, 'no text item');
		// Stamped per network read; the emulator waits tokenDelayMs between events.
		assert.ok(
			firstText.at < upstreamEndMs,
			`first text at ${firstText.at} ms, the emulator finished at ${upstreamEndMs} ms`,
		);
	});
	await checks.check('queue streaming: a worker (not the main) ran the execution', () => {
		assert.equal(ranOn.length, 1, `ran on ${JSON.stringify(ranOn)}`);
	});
}

module.exports = { runStreaming };
