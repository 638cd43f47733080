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
		return 'MiniToolAI is rate limiting and the node already retried within its budget. Send fewer items per run, or space them out under Settings > Request Options > Batching.';
	}
	if (status >= 300 && status < 400) {
		return 'Check the Base URL in the MiniToolAI API credential (default https://minitoolai.com).';
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

/**
 * Removes a secret from any text that might reach the user (servers sometimes echo keys). Call it
 * before clipping a text, never after.
 */
export function redact(text: string, secret: string | undefined): string {
	if (!usableSecret(secret)) return text;
	return text.split(secret).join('***');
}

function usableSecret(secret: string | undefined): secret is string {
	return secret !== undefined && secret.length >= 4;
}

/**
 * Redacts a secret from text that arrives in pieces (a streamed answer): the end of a piece that
 * could be the start of the secret is held back until the next piece shows whether it is. The
 * pieces it hands out join to what `redact` makes of the whole text.
 */
export class PieceRedactor {
	private held = '';

	constructor(private readonly secret: string | undefined) {}

	push(piece: string): string {
		const secret = this.secret;
		if (!usableSecret(secret)) return piece;
		const text = redact(this.held + piece, secret);
		let keep = Math.min(secret.length - 1, text.length);
		while (keep > 0 && !text.endsWith(secret.slice(0, keep))) keep--;
		this.held = text.slice(text.length - keep);
		return text.slice(0, text.length - keep);
	}

	/** What is still held back once the text is complete. */
	end(): string {
		const rest = this.held;
		this.held = '';
		return rest;
	}
}

/** Nesting deeper than this is not walked: no answer the API documents comes near it. */
const MAX_REDACT_DEPTH = 64;

/**
 * A copy of a JSON-like value with the secret redacted from every string in it (keys included).
 * Deeper than MAX_REDACT_DEPTH, a value is replaced by a note rather than walked.
 */
export function redactValue<T>(value: T, secret: string | undefined, depth = 0): T {
	if (!usableSecret(secret)) return value;
	if (typeof value === 'string') return redact(value, secret) as T;
	if (value === null || typeof value !== 'object') return value;
	if (depth >= MAX_REDACT_DEPTH) return '(nested too deep to show)' as T;
	if (Array.isArray(value)) return value.map((v) => redactValue(v, secret, depth + 1)) as T;
	const copy: Record<string, unknown> = {};
	for (const [key, v] of Object.entries(value)) {
		copy[redact(key, secret)] = redactValue(v, secret, depth + 1);
	}
	return copy as T;
}

export interface FailedAnswer {
	statusCode: number;
	bodyText: string;
	/** The answer's headers: a redirect's target and a 429's Retry-After are reported from them. */
	headers?: Record<string, unknown>;
}

/**
 * "https://other.example" for a redirect's Location, resolved against the request's origin. The
 * key is redacted first: URL parsing lower-cases a host, and a lower-cased key would not be found.
 */
function redirectTarget(headers: FailedAnswer['headers'], secret: string | undefined) {
	const location = headers?.location;
	const text = Array.isArray(location) ? location[0] : location;
	if (typeof text !== 'string' || text.trim() === '') return undefined;
	try {
		const url = new URL(redact(text, secret).trim(), 'http://same-origin.invalid');
		return url.host === 'same-origin.invalid' ? 'another path of the same host' : url.origin;
	} catch {
		return undefined;
	}
}

/** What a 3xx or a 429 adds to the hint: where the redirect pointed, what wait was asked for. */
function statusDetail(answer: FailedAnswer, secret: string | undefined): string | undefined {
	const status = answer.statusCode;
	if (status >= 300 && status < 400) {
		const target = redirectTarget(answer.headers, secret);
		return `MiniToolAI redirected the request${target ? ` to ${target}` : ''}. The node does not follow redirects, so the API key is never sent anywhere but the credential's Base URL: if that address is right, set it as the Base URL.`;
	}
	if (status === 429) {
		const retryAfter = answer.headers?.['retry-after'];
		const text = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
		if (typeof text === 'string' || typeof text === 'number') {
			return `The server asked to wait ${String(text).trim()}${/^\d+(\.\d+)?$/.test(String(text).trim()) ? ' s' : ''} (Retry-After) before the next request.`;
		}
	}
	return undefined;
}

/** A NodeApiError carrying the server's message, the HTTP status and a hint. */
export function apiErrorFromAnswer(
	node: INode,
	answer: FailedAnswer,
	// apiKey is required so that no error path can forget to redact it (pass undefined knowingly).
	context: { action: string; itemIndex: number; apiKey: string | undefined; extraHint?: string },
): NodeApiError {
	// Redact before the message is clipped: a key cut in two by the clip would survive in part.
	const bodyText = redact(answer.bodyText, context.apiKey);
	const status = answer.statusCode;
	const fallback = status >= 300 && status < 400 ? 'redirect' : 'no message';
	const serverMessage = messageFromBody(bodyText) ?? fallback;
	const hint = redact(
		[statusDetail(answer, context.apiKey), hintForStatus(status), context.extraHint]
			.filter(Boolean)
			.join(' '),
		context.apiKey,
	);
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
		// Hints quote server answers too (an image URL, a job signature).
		description: redact(context.hint, context.apiKey),
		itemIndex: context.itemIndex,
		...(context.httpCode ? { httpCode: context.httpCode } : {}),
	});
}
