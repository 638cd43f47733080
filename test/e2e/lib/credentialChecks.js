'use strict';
/**
 * The credential's "Test" button, through n8n's own REST endpoint (`POST /rest/credentials/test`,
 * what the form calls): it passes against the emulator, and when the API answers with a redirect
 * to another host the test fails with the redirect named while nothing reaches that host (n8n
 * would otherwise follow it with `Authorization: Bearer <key>`).
 */
const assert = require('node:assert/strict');

const CHAT_PATH = '/api/chat-completions/';

async function runCredentialChecks({ n8n, emulator, checks, credential, apiKey }) {
	const test = async () => {
		const result = await n8n.request('POST', '/rest/credentials/test', {
			credentials: {
				id: credential.id,
				name: credential.name,
				type: 'miniToolAiApi',
				data: { apiKey, baseUrl: emulator.baseUrl },
			},
		});
		return { result, requests: [...emulator.requests] };
	};

	await checks.check('credential test: passes against the emulator', async () => {
		emulator.reset();
		const { result, requests } = await test();
		assert.equal(result.status, 'OK', JSON.stringify(result));
		assert.deepEqual(
			requests.map((r) => `${r.server} ${r.path} ${r.status}`),
			[`api ${CHAT_PATH} 200`],
		);
	});

	await checks.check(
		'credential test: a 307 to another host fails, naming the redirect; nothing reaches that host',
		async () => {
			emulator.reset();
			emulator.setFault({ endpoint: 'chat', type: 'redirect', status: 307 });
			const { result, requests } = await test();
			emulator.clearFaults();
			assert.equal(result.status, 'Error', JSON.stringify(result));
			assert.match(result.message, /redirect \(HTTP 307\)/);
			assert.match(result.message, /not sent there/);
			const atOtherHost = requests.filter((r) => r.server === 'image');
			assert.deepEqual(atOtherHost, [], 'the redirect was followed');
			assert.equal(requests.length, 1, 'one request, to the API');
		},
	);
}

module.exports = { runCredentialChecks };
