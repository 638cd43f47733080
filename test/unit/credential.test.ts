/**
 * The credential's test, as n8n's credential tester reads it: a failed test shows the message of
 * the rule whose `responseCode` matches the HTTP status (else only the status text, such as
 * "Unauthorized"), and the form's notice says when n8n runs the paid test. The e2e runs the test
 * through n8n's REST API against the emulator (test/e2e/lib/credentialChecks.js).
 */
import type { ICredentialTestRequest } from 'n8n-workflow';

import { MiniToolAiApi } from '../../credentials/MiniToolAiApi.credentials';

const credential = new MiniToolAiApi();
const test = credential.test as ICredentialTestRequest;

function ruleMessage(status: number): string | undefined {
	const rule = (test.rules ?? []).find(
		(r) => r.type === 'responseCode' && r.properties.value === status,
	);
	return rule && 'message' in rule.properties ? rule.properties.message : undefined;
}

describe('credential test failures say what to do', () => {
	it('401: the key was refused; copy it again', () => {
		expect(ruleMessage(401)).toMatch(
			/^MiniToolAI refused this API key \(HTTP 401\)\. Copy the key/,
		);
	});

	it('402: the key works but the balance is empty; top up', () => {
		expect(ruleMessage(402)).toMatch(/balance is empty \(HTTP 402\)\. Top up your balance/);
	});

	it('404 and 429: the Base URL, and waiting', () => {
		expect(ruleMessage(404)).toMatch(/Base URL \(HTTP 404\)\. Use https:\/\/minitoolai\.com/);
		expect(ruleMessage(429)).toMatch(/\(HTTP 429\)\. Wait a minute/);
	});

	it('the request stays the smallest paid call', () => {
		expect(test.request.body).toEqual({
			model: 'gpt-4.1-nano',
			messages: [{ role: 'user', content: 'Reply with OK' }],
			max_completion_tokens: 1,
		});
	});
});

describe("the credential form's notice", () => {
	const notice = credential.properties.find((p) => p.type === 'notice')?.displayName ?? '';

	it('says when n8n runs the test, and what it costs', () => {
		expect(notice).toMatch(/each time this form opens for a saved credential/);
		expect(notice).toMatch(/each time you save it/);
		expect(notice).toMatch(/about USD 0\.000002/);
	});
});
