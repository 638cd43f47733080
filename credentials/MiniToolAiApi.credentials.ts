import type {
	IAuthenticateRuleResponseCode,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
	Icon,
} from 'n8n-workflow';

import { BASE_URL_EXPRESSION } from '../nodes/shared/constants';

/** n8n shows these messages instead of the bare status text ("Unauthorized"). */
const STATUS_RULES: IAuthenticateRuleResponseCode[] = [
	{
		type: 'responseCode',
		properties: {
			value: 401,
			message:
				'MiniToolAI refused this API key (HTTP 401). Copy the key again from your account on minitoolai.com, paste it into API Key and save.',
		},
	},
	{
		type: 'responseCode',
		properties: {
			value: 402,
			message:
				'The API key works, but your MiniToolAI balance is empty (HTTP 402). Top up your balance on minitoolai.com, then test again.',
		},
	},
	{
		type: 'responseCode',
		properties: {
			value: 404,
			message:
				'No MiniToolAI API at this Base URL (HTTP 404). Use https://minitoolai.com unless you go through a proxy or the local emulator.',
		},
	},
	{
		type: 'responseCode',
		properties: {
			value: 429,
			message:
				'MiniToolAI is limiting requests for this key right now (HTTP 429). Wait a minute, then test again.',
		},
	},
];

/**
 * The test, like the nodes, never follows a redirect (n8n would send the key to the redirect's
 * target). n8n then fails the test with the 3xx, and these rules say why; n8n's rule messages are
 * fixed text, so the target itself cannot be quoted.
 */
const REDIRECT_RULES: IAuthenticateRuleResponseCode[] = [301, 302, 303, 307, 308].map((status) => ({
	type: 'responseCode',
	properties: {
		value: status,
		message: `The Base URL answered with a redirect (HTTP ${status}) to the address in its Location header. The test does not follow redirects, so the API key was not sent there. Set the Base URL to where the API really answers (https://minitoolai.com, with https).`,
	},
}));

export class MiniToolAiApi implements ICredentialType {
	name = 'miniToolAiApi';

	displayName = 'MiniToolAI API';

	icon: Icon = { light: 'file:../icons/minitoolai.svg', dark: 'file:../icons/minitoolai.dark.svg' };

	documentationUrl =
		'https://github.com/minitoolai/n8n-nodes-minitoolai/blob/main/docs/credentials.md';

	properties: INodeProperties[] = [
		{
			displayName:
				'n8n tests this credential each time this form opens for a saved credential and each time you save it. Each test is a tiny paid call: one token from gpt-4.1-nano, about USD 0.000002 of your balance (MiniToolAI has no free endpoint to check a key with)',
			name: 'testCostNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description: 'Your MiniToolAI API key, from your account on minitoolai.com',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://minitoolai.com',
			description:
				'Leave as is unless you go through a proxy or use the local MiniToolAI emulator (e.g. http://127.0.0.1:8787)',
		},
	];

	// A function rather than n8n's generic `=Bearer {{$credentials.apiKey}}`: that form is an
	// expression n8n evaluates on every request, in an isolate in n8n 2.x.
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${String(credentials.apiKey ?? '')}`,
			},
		};
	}

	// The API has no free endpoint, so the check is the smallest paid call there is: one output
	// token from the cheapest model (about USD 0.000002). It proves the key and the balance.
	test: ICredentialTestRequest = {
		request: {
			baseURL: BASE_URL_EXPRESSION,
			url: '/api/chat-completions/',
			method: 'POST',
			disableFollowRedirect: true,
			headers: { 'Content-Type': 'application/json' },
			body: {
				model: 'gpt-4.1-nano',
				messages: [{ role: 'user', content: 'Reply with OK' }],
				max_completion_tokens: 1,
			},
		},
		rules: [...STATUS_RULES, ...REDIRECT_RULES],
	};
}
