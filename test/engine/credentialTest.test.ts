/**
 * The credential's "Test" request, sent the way n8n 2.41.1's CredentialsTester sends it: n8n-core's
 * RoutingNode runs a node whose one property routes `test.request` (credentials-tester.service.js,
 * `runRequestTest`). A redirect is not followed: nothing reaches the other host, the key included.
 * What the form then says (the `test.rules` message) is checked in a real n8n by the e2e
 * (test/e2e/lib/credentialChecks.js), since the rules are applied by n8n's server, not n8n-core.
 */
import { NodeConnectionTypes, type INode, type INodeType } from 'n8n-workflow';

import { MiniToolAiApi } from '../../credentials/MiniToolAiApi.credentials';
import { chain, createEngine, manualTrigger } from '../harness';
import { TEST_KEY, useTestBed } from './setup';

const bed = useTestBed();

const REDIRECTS = [301, 302, 303, 307, 308] as const;

/** n8n's stand-in node for a credential test: one property that routes the test request. */
class CredentialTestProbe implements INodeType {
	description: INodeType['description'] = {
		displayName: 'Credential Test Probe',
		name: 'credentialTestProbe',
		group: ['transform'],
		version: 1,
		description: 'Sends the credential test request as n8n does',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'miniToolAiApi', required: true }],
		properties: [
			{
				displayName: 'Temp',
				name: 'temp',
				type: 'string',
				default: '',
				routing: { request: new MiniToolAiApi().test.request },
			},
		],
	};
}

async function runCredentialTest() {
	const engine = createEngine({
		nodeTypes: [CredentialTestProbe],
		credentialTypes: [MiniToolAiApi],
		credentials: { miniToolAiApi: { apiKey: TEST_KEY, baseUrl: bed.emulator.baseUrl } },
	});
	const probe: INode = {
		id: 'probe',
		name: 'Probe',
		type: 'credentialTestProbe',
		typeVersion: 1,
		position: [200, 0],
		parameters: {},
	};
	return await engine.run(chain(manualTrigger(), probe));
}

describe('the credential test request', () => {
	it('passes against the API (one paid token)', async () => {
		const result = await runCredentialTest();
		expect(result.status).toBe('success');
		const [request] = bed.apiRequests();
		expect(request.path).toBe('/api/chat-completions/');
		expect(request.body).toMatchObject({ model: 'gpt-4.1-nano', max_completion_tokens: 1 });
	});

	it.each(REDIRECTS)('does not follow a %i to another host', async (status) => {
		bed.emulator.setFault({ endpoint: 'chat', type: 'redirect', status });
		const result = await runCredentialTest();
		expect(result.status).toBe('error');
		expect(bed.emulator.requests.filter((r) => r.server === 'image')).toEqual([]);
		expect(result.executionData).not.toContain(TEST_KEY);
	});

	it('has a rule for each redirect status: the form says it was a redirect, not sent on', () => {
		const rules = new MiniToolAiApi().test.rules ?? [];
		for (const status of REDIRECTS) {
			const rule = rules.find((r) => r.type === 'responseCode' && r.properties.value === status);
			expect(rule?.properties.message).toMatch(new RegExp(`redirect \\(HTTP ${status}\\)`));
			expect(rule?.properties.message).toMatch(/not sent there/);
		}
	});
});
