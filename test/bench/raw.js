'use strict';
/**
 * The floors the nodes are compared with: the same API calls made directly with undici, no n8n.
 * - rawChatBatch: N chat requests started all at once (as n8n's RoutingNode starts all items),
 *   each SSE body read to the end.
 * - fixedPollImage: submit, then "wait 5 s, check" until done, as the most-used community image
 *   nodes do; or (`backoff: true`) the node's previous schedule: 0.5 s, then ×1.5 up to 4 s.
 */
const { Agent, request } = require('undici');
const { sleep, nowMs } = require('./util');

// One agent per batch, no connection cap: like Node's http agent that n8n's axios uses.
function newAgent() {
	return new Agent({ keepAliveTimeout: 4000, connections: null });
}

async function postJson(agent, url, key, body) {
	const res = await request(url, {
		method: 'POST',
		dispatcher: agent,
		headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	return res;
}

/** Returns { ms, statuses, texts } for N concurrent chat requests, bodies read fully. */
async function rawChatBatch({ baseUrl, key, bodies }) {
	const agent = newAgent();
	try {
		const started = nowMs();
		const results = await Promise.all(
			bodies.map(async (body) => {
				const res = await postJson(agent, `${baseUrl}/api/chat-completions/`, key, body);
				const text = await res.body.text();
				return { status: res.statusCode, bytes: text.length };
			}),
		);
		return { ms: nowMs() - started, statuses: results.map((r) => r.status) };
	} finally {
		await agent.close();
	}
}

/**
 * Submit one job, then poll every `intervalMs` (first check after one interval) until success.
 * Returns { jobId, submittedAt, successPollAt, polls }.
 */
async function fixedPollImage({
	baseUrl,
	key,
	body,
	intervalMs = 5000,
	maxPolls = 200,
	backoff = false,
}) {
	const agent = newAgent();
	try {
		const submitRes = await postJson(agent, `${baseUrl}/api/texttoimage/`, key, body);
		const submit = await submitRes.body.json();
		if (submit.status !== 'success') throw new Error(`submit refused: ${JSON.stringify(submit)}`);
		let polls = 0;
		for (;;) {
			await sleep(backoff ? Math.min(4000, Math.round(500 * 1.5 ** polls)) : intervalMs);
			polls++;
			const res = await postJson(agent, `${baseUrl}/api/texttoimage/jobs/`, key, {
				jobid: submit.jobid,
				signature: submit.signature,
			});
			const answer = await res.body.json();
			if (answer.status === 'success' && answer.image_url) {
				return { jobId: String(submit.jobid), successPollAt: nowMs(), polls };
			}
			if (answer.status !== 'processing') throw new Error(`job: ${JSON.stringify(answer)}`);
			if (polls >= maxPolls) throw new Error('job did not finish');
		}
	} finally {
		await agent.close();
	}
}

module.exports = { rawChatBatch, fixedPollImage };
