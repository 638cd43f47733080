// Room: JSON and schemas. Owns the strict JSON reader (jsonParser.ts), finding JSON in prose
// (jsonAnswer.ts), the schema validator and its checks (jsonSchema.ts, jsonSchemaCheck.ts,
// jsonValue.ts) and the structured-output prompts and repair messages built on them (here).

import { findJson } from './jsonAnswer';
import { formatSchemaError, validateJson, type JsonSchema } from './jsonSchema';

/**
 * Structured output by prompting (the API documents no response-format field): the wanted JSON
 * is described in a developer message, the answer's JSON is found (bare, fenced or with prose
 * around it) and validated; one repair round names the first violation by path. The texts are the
 * contract with the emulator's scripted model.
 */

/** Every repair message starts with this; the emulator recognises repairs by it. */
export const REPAIR_PREFIX = 'Your previous answer could not be used:';

/** The schema for Response Format "JSON" (any object). */
export const ANY_OBJECT_SCHEMA: JsonSchema = { type: 'object' };

export type StructuredAnswer = { ok: true; value: unknown } | { ok: false; problem: string };

/** The developer message asking for one JSON value matching `schema`. */
export function renderSchemaPrompt(schema: JsonSchema): string {
	return [
		'Answer with ONLY one JSON value that matches this JSON Schema, nothing else (no prose, no code fence):',
		'<response_schema>',
		JSON.stringify(schema),
		'</response_schema>',
	].join('\n');
}

/** The JSON value in the answer, checked against the schema; or the first problem by path. */
export function parseStructuredAnswer(text: string, schema: JsonSchema): StructuredAnswer {
	// A whole answer that is JSON counts as it is (also a string or number); else the first object.
	const found = findJson(text);
	if (!found.ok) return { ok: false, problem: found.problem };
	const result = validateJson(found.value, schema);
	if (!result.ok) return { ok: false, problem: formatSchemaError(result, 'the answer') };
	return { ok: true, value: found.value };
}

/** The user message of the one repair round. */
export function renderSchemaRepair(problem: string): string {
	return [
		`${REPAIR_PREFIX} ${problem}`,
		'Answer again with ONLY one JSON value that matches the schema in <response_schema>, nothing else.',
	].join('\n');
}
