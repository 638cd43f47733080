import { NodeApiError, type INode, type JsonObject } from 'n8n-workflow';

/** What the user can do about each kind of failure, by HTTP status. */
export function hintForStatus(status: number): string {
	if (status === 401 || status === 403) {
		return 'Check the API key in the MiniToolAI API credential, and that its Base URL is https://minitoolai.com.';
	}
	if (status === 402) {
		return 'The MiniToolAI credit balance looks used up: top it up on minitoolai.com, then run the workflow again.';
	}
	if (status === 404) {
		return 'The endpoint was not found: check the Base URL in the MiniToolAI API credential (default https://minitoolai.com).';
	}
	if (status === 429) {
		return 'MiniToolAI is rate limiting and the node already retried. Send fewer items per run, or space them out under Settings > Request Options > Batching.';
	}
	if (status >= 500) {
		return "MiniToolAI had a problem on its side. Try again in a minute; if it persists, check MiniToolAI's status.";
	}
	if (status === 400 || status === 422) {
		return "MiniToolAI rejected the request: check the node's parameters against the message above.";
	}
	return 'See the message from MiniToolAI above.';
}

const MAX_MESSAGE_CHARS = 300;

/** The most useful message in an error body: JSON `error.message`/`message`, an HTML title, or text. */
export function messageFromBody(text: string): string | undefined {
	const trimmed = text.trim();
	if (trimmed === '') return undefined;
	if (trimmed[0] === '{') {
		try {
			const parsed = JSON.parse(trimmed) as Record<string, unknown>;
			const error = parsed.error;
			if (typeof error === 'object' && error !== null) {
				const message = (error as Record<string, unknown>).message;
				if (typeof message === 'string' && message !== '') return clip(message);
			}
			for (const key of ['message', 'detail', 'error']) {
				const value = parsed[key];
				if (typeof value === 'string' && value !== '') return clip(value);
			}
			return clip(trimmed);
		} catch {
			return clip(trimmed);
		}
	}
	if (/^<(!doctype|html)/i.test(trimmed)) {
		const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(trimmed)?.[1];
		const text = (title ?? trimmed.replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ').trim();
		return text === '' ? 'An HTML error page' : clip(text);
	}
	return clip(trimmed.replace(/\s+/g, ' '));
}

function clip(text: string): string {
	return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** Removes a secret from any text that might reach the user (servers sometimes echo keys). */
export function redact(text: string, secret: string | undefined): string {
	if (!secret || secret.length < 4) return text;
	return text.split(secret).join('***');
}

export interface FailedAnswer {
	statusCode: number;
	bodyText: string;
}

/** A NodeApiError carrying the server's message, the HTTP status and a hint. */
export function apiErrorFromAnswer(
	node: INode,
	answer: FailedAnswer,
	// apiKey is required so that no error path can forget to redact it (pass undefined knowingly).
	context: { action: string; itemIndex: number; apiKey: string | undefined; extraHint?: string },
): NodeApiError {
	const serverMessage = redact(messageFromBody(answer.bodyText) ?? 'no message', context.apiKey);
	const status = answer.statusCode;
	const hint = [hintForStatus(status), context.extraHint].filter(Boolean).join(' ');
	return new NodeApiError(
		node,
		{ httpCode: String(status), message: serverMessage } as JsonObject,
		{
			message: `MiniToolAI ${context.action} failed (HTTP ${status}): ${serverMessage}`,
			description: hint,
			httpCode: String(status),
			itemIndex: context.itemIndex,
		},
	);
}

/** A NodeApiError for an answer that arrived with a success status but says it failed. */
export function apiErrorFromMessage(
	node: INode,
	message: string,
	context: { itemIndex: number; hint: string; apiKey: string | undefined; httpCode?: string },
): NodeApiError {
	const safe = redact(message, context.apiKey);
	return new NodeApiError(node, { message: safe } as JsonObject, {
		message: safe,
		description: context.hint,
		itemIndex: context.itemIndex,
		...(context.httpCode ? { httpCode: context.httpCode } : {}),
	});
}
