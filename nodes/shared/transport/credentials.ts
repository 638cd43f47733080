import { NodeOperationError, type IExecuteSingleFunctions } from 'n8n-workflow';

import { CREDENTIAL_TYPE, DEFAULT_BASE_URL } from '../constants';

/**
 * What the package needs from n8n to reach the API: declarative steps (IExecuteSingleFunctions)
 * and the Chat Model's supplyData context (ISupplyDataFunctions) both provide it.
 */
export type ApiContext = Pick<
	IExecuteSingleFunctions,
	'getCredentials' | 'getExecutionCancelSignal' | 'getNode'
> & {
	helpers: Pick<IExecuteSingleFunctions['helpers'], 'httpRequestWithAuthentication'>;
	getItemIndex?: () => number;
};

export function itemIndexOf(ctx: ApiContext): number | undefined {
	return typeof ctx.getItemIndex === 'function' ? ctx.getItemIndex() : undefined;
}

export interface MiniToolAiCredentials {
	apiKey: string;
	baseUrl: string;
}

/** One credential lookup per item context (n8n may decrypt it from the database each time). */
const credentialCache = new WeakMap<object, Promise<MiniToolAiCredentials>>();

export async function getApiCredentials(ctx: ApiContext): Promise<MiniToolAiCredentials> {
	let cached = credentialCache.get(ctx);
	if (!cached) {
		cached = readApiCredentials(ctx);
		credentialCache.set(ctx, cached);
	}
	return await cached;
}

async function readApiCredentials(ctx: ApiContext): Promise<MiniToolAiCredentials> {
	const data = await ctx.getCredentials<{ apiKey?: string; baseUrl?: string }>(CREDENTIAL_TYPE);
	return { apiKey: String(data.apiKey ?? ''), baseUrl: normalizeBaseUrl(data.baseUrl) };
}

/**
 * The credentials, refusing a Base URL that is not http(s) (a typo, `file:`, `javascript:`) before
 * anything is sent, with a message naming the credential field to fix.
 */
export async function assertHttpBaseUrl(ctx: ApiContext): Promise<MiniToolAiCredentials> {
	const credentials = await getApiCredentials(ctx);
	const { baseUrl } = credentials;
	let protocol = '';
	try {
		protocol = new URL(baseUrl).protocol;
	} catch {
		protocol = '';
	}
	if (protocol !== 'http:' && protocol !== 'https:') {
		throw new NodeOperationError(ctx.getNode(), `Base URL: "${baseUrl}" is not an http(s) URL`, {
			itemIndex: itemIndexOf(ctx),
			description:
				'Set the Base URL in the MiniToolAI API credential to https://minitoolai.com (or your proxy or emulator address).',
		});
	}
	return credentials;
}

/** The credential's Base URL without trailing slashes (users paste both forms). */
export function normalizeBaseUrl(baseUrl: unknown): string {
	const text =
		typeof baseUrl === 'string' && baseUrl.trim() !== '' ? baseUrl.trim() : DEFAULT_BASE_URL;
	return text.replace(/\/+$/, '');
}
