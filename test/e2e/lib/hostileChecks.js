'use strict';
/**
 * A hostile server, in a real n8n: the API key never follows a redirect to another host, a stream
 * that stalls ends at the Timeout the user set (Request Options), and a server that keeps the
 * connection open after a complete answer does not hold the run.
 */
const assert = require('node:assert/strict');
const { executeRun } = require('./runs');

const CHAT_PATH = '/api/chat-completions/';

async function runHostileChecks({ n8n, emulator, checks, ids }) {
	const run = async (fault) => {
		const started = Date.now();
		const result = await executeRun({ n8n, emulator }, ids.chatTimeout, {
			faults: [{ endpoint: 'chat', ...fault }],
		});
		return { result, text: result.stdout + result.stderr, ms: Date.now() - started };
	};

	await checks.check('hostile: a redirect to another host is an error; the key stays', async () => {
		const { result, text } = await run({ type: 'redirect' });
		assert.equal(result.code, 1, 'exit code');
		assert.match(text, /HTTP 307/);
		assert.ok(text.includes(emulator.imageBaseUrl), 'the redirect target is not named');
		const atOtherHost = result.requests.filter((r) => r.server === 'image');
		assert.equal(atOtherHost.length, 0, 'the redirect was followed');
	});

	await checks.check(
		'hostile: a stalled stream ends at the 3 s Timeout set on the node',
		async () => {
			const { result, text } = await run({ type: 'stall', afterChunks: 1 });
			assert.equal(result.code, 1, 'exit code');
			assert.match(text, /stalled: nothing arrived for 3 s/);
		},
	);

	await checks.check('hostile: an answer held open after [DONE] is used at once', async () => {
		const { result, ms } = await run({ type: 'holdOpen' });
		assert.equal(result.code, 0, result.stdout.slice(-2000));
		const chat = result.output.data.resultData.runData.Chat[0].data.main[0][0].json;
		assert.equal(chat.text, 'Echo: This request meets a misbehaving server.');
		assert.equal(result.requests.filter((r) => r.path === CHAT_PATH).length, 1);
		// Far below the 3 s Timeout: the node stopped reading at [DONE] (n8n's start is ~4 s).
		assert.ok(ms < 60000, `took ${ms} ms`);
	});
}

module.exports = { runHostileChecks };
