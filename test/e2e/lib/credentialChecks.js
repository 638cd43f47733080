'use strict';
/**
 * The credential's test as n8n runs it (its credential tester, through the editor's REST call
 * `POST /rest/credentials/test`) against the emulator: a good key passes; a refused key (401) and
 * an empty balance (402) fail with the credential's own messages, which say what to do, instead of
 * the bare status text; a redirect to another host fails with the redirect named while nothing
 * reaches that host (n8n would otherwise follow it with `Authorization: Bearer <key>`). Each test
 * is one paid request (the documented body, the key as a Bearer); n8n sends a refused one twice.
 */
const assert = require('node:assert/strict');
const { CREDENTIAL_TYPE } = require('../../../scripts/lib/workflows');
const { apiRequests, receivedFrom } = require('./runs');

const CHAT_PATH = '/api/chat-completions/';
const GOOD_KEY = 'emulator-key';
const EMPTY_KEY = ['emulator', 'empty', 'balance'].join('-');
const WRONG_KEY = ['not', 'a', 'minitoolai', 'key'].join('-');

/** Creates a credential over REST (as the editor does) and runs n8n's test on it. */
async function testCredential(n8n, name, data) {
	const created = await n8n.request('POST', '/rest/credentials', {
		name,
		type: CREDENTIAL_TYPE,
		data,
	});
	const result = await n8n.request('POST', '/rest/credentials/test', {
		credentials: { id: created.id, name, type: CREDENTIAL_TYPE, data },
	});
	return { id: created.id, result };
}

async function runCredentialChecks({ n8n, emulator, checks, log }) {
	emulator.configure({ keys: { [EMPTY_KEY]: 0 } });
	const baseUrl = emulator.baseUrl;
	const cases = [
		{
			label: 'a good key passes',
			apiKey: GOOD_KEY,
			status: 'OK',
			message: /^Connection successful!$/,
			requests: 1,
		},
		{
			label: 'a refused key (401) says to copy the key again',
			apiKey: WRONG_KEY,
			status: 'Error',
			message: /^MiniToolAI refused this API key \(HTTP 401\)\. Copy the key again/,
			requests: 2,
		},
		{
			label: 'an empty balance (402) says to top up',
			apiKey: EMPTY_KEY,
			status: 'Error',
			message: /balance is empty \(HTTP 402\)\. Top up your balance on minitoolai\.com/,
			requests: 1,
		},
	];
	const ids = {};
	for (const c of cases) {
		await checks.check(`credential test over REST: ${c.label}`, async () => {
			emulator.reset();
			const received = receivedFrom(emulator);
			const { id, result } = await testCredential(n8n, `MiniToolAI test (${c.label})`, {
				apiKey: c.apiKey,
				baseUrl,
			});
			ids[c.apiKey] = id;
			log(`credential test (${c.label}): ${JSON.stringify(result)}`);
			assert.equal(result.status, c.status);
			assert.match(result.message, c.message);
			const tests = apiRequests(received(), CHAT_PATH);
			// n8n sends a request refused with 401 once more (after trying to refresh the credential:
			// httpRequestWithAuthentication, n8n-core 2.41.1).
			assert.equal(tests.length, c.requests, 'test requests');
			for (const test of tests) {
				assert.equal(test.headers.authorization, `Bearer ${c.apiKey}`);
				assert.deepEqual(test.body, {
					model: 'gpt-4.1-nano',
					messages: [{ role: 'user', content: 'Reply with OK' }],
					max_completion_tokens: 1,
				});
			}
		});
	}

	await checks.check(
		'credential test over REST: a 307 to another host fails, naming the redirect; nothing reaches that host',
		async () => {
			emulator.reset();
			emulator.setFault({ endpoint: 'chat', type: 'redirect', status: 307 });
			const received = receivedFrom(emulator);
			let result;
			try {
				({ result } = await testCredential(n8n, 'MiniToolAI test (redirect)', {
					apiKey: GOOD_KEY,
					baseUrl,
				}));
			} finally {
				emulator.clearFaults();
			}
			log(`credential test (redirect): ${JSON.stringify(result)}`);
			assert.equal(result.status, 'Error', JSON.stringify(result));
			assert.match(result.message, /redirect \(HTTP 307\)/);
			assert.match(result.message, /not sent there/);
			const { requests } = received();
			const atOtherHost = requests.filter((r) => r.server !== 'api');
			assert.deepEqual(atOtherHost, [], 'the redirect was followed');
			assert.equal(apiRequests({ requests }, CHAT_PATH).length, 1, 'one request, to the API');
		},
	);
	return { wrongKeyCredentialId: ids[WRONG_KEY] };
}

module.exports = { runCredentialChecks };
