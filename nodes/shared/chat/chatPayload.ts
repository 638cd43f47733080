/**
 * What one payload of the chat endpoint's answer says, read tolerantly: a JSON object, the
 * `[DONE]` marker, an error it carries, its token usage. Pure functions, for the stream parser.
 */
export const DONE_MARKER = '[DONE]';

export type Json = Record<string, unknown>;

export interface ChatUsage {
	promptTokens: number;
	completionTokens: number;
	totalTokens: number;
	/** The usage object exactly as the API sent it (token details included). */
	raw: Record<string, unknown>;
}

export interface ChatStreamError {
	message: string;
	type?: string;
	code?: string | number;
	/** Set when a size limit of the reader stopped the parse (else the answer said it failed). */
	overLimit?: true;
}

/** A JSON object, the `[DONE]` marker, or undefined for anything else. */
export function parsePayload(value: string): Json | typeof DONE_MARKER | undefined {
	const trimmed = value.trim();
	if (trimmed === DONE_MARKER) return DONE_MARKER;
	if (trimmed[0] !== '{') return undefined;
	try {
		const parsed: unknown = JSON.parse(trimmed);
		return isObject(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/**
 * The error an answer carries: an error object (`{"error": …}`), or an object whose status says it
 * failed (`{"status": "error", "message": …}`). Both look like success but are not.
 */
export function errorIn(payload: Json): ChatStreamError | undefined {
	const error = payload.error;
	if (error !== undefined && error !== null && error !== false) {
		if (!isObject(error)) return { message: String(error) };
		return {
			message: typeof error.message === 'string' ? error.message : JSON.stringify(error),
			type: typeof error.type === 'string' ? error.type : undefined,
			code:
				typeof error.code === 'string' || typeof error.code === 'number' ? error.code : undefined,
		};
	}
	const status = typeof payload.status === 'string' ? payload.status.trim().toLowerCase() : '';
	if (!Array.isArray(payload.choices) && /^(error|failed|failure|fail)$/.test(status)) {
		const message = [payload.message, payload.detail].find((v) => typeof v === 'string' && v);
		return { message: typeof message === 'string' ? message : `status "${status}"` };
	}
	return undefined;
}

/** An `event: error` frame: its JSON error object, its message, or its text. */
export function errorInEvent(payload: Json | string): ChatStreamError {
	if (typeof payload === 'object') {
		const error = errorIn(payload);
		if (error) return error;
		return {
			message: typeof payload.message === 'string' ? payload.message : JSON.stringify(payload),
		};
	}
	return { message: payload || 'an error event without a message' };
}

export function usageIn(usage: unknown): ChatUsage | undefined {
	if (!isObject(usage)) return undefined;
	const prompt = toCount(usage.prompt_tokens);
	const completion = toCount(usage.completion_tokens);
	return {
		promptTokens: prompt,
		completionTokens: completion,
		totalTokens:
			usage.total_tokens === undefined ? prompt + completion : toCount(usage.total_tokens),
		raw: usage,
	};
}

export function isObject(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toCount(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
