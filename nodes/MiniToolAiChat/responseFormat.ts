import type { IExecuteSingleFunctions } from 'n8n-workflow';

import type { ChatMessage } from '../shared/chat/chatRequest';
import type { JsonSchema } from '../shared/json/jsonSchema';
import { checkSchema, formatSchemaProblems, inferSchema } from '../shared/json/jsonSchemaCheck';
import { ANY_OBJECT_SCHEMA, renderSchemaPrompt } from '../shared/json/structuredOutput';
import { describeValue, type Field, type InputValidator } from '../shared/validation';
import { FIELDS } from './chatFields';

/**
 * n8n's AI nodes (Basic LLM Chain and AI Agent with a Structured Output Parser, the Information
 * Extractor) put the parsed object in `output`; users map `{{ $json.output.price }}` from there.
 */
export const DEFAULT_OUTPUT_FIELD = 'output';

/** Output fields the node writes itself, by Simplify Output; the parsed object must not hide one. */
const SIMPLIFIED_FIELDS = ['text', 'finishReason', 'model', 'usage', 'costUsd', 'repaired'];
const RAW_FIELDS = [
	'id',
	'object',
	'created',
	'model',
	'system_fingerprint',
	'service_tier',
	'choices',
	'usage',
	'repaired',
	'rejectedAnswer',
];

/** What the output step needs for Response Format JSON / JSON Schema. */
export interface StructuredOutputPlan {
	schema: JsonSchema;
	/** The output field for the parsed value. */
	field: string;
}

/**
 * Reads and checks the Response Format parameters. Undefined for Text; otherwise the schema the
 * answer must match (checked here, so a schema the validator cannot enforce never costs credit)
 * and the output field.
 */
export function readResponseFormat(
	ctx: IExecuteSingleFunctions,
	check: InputValidator,
	simplify: boolean,
): StructuredOutputPlan | undefined {
	const format = check.oneOf(
		FIELDS.responseFormat,
		ctx.getNodeParameter('responseFormat', 'text'),
		['text', 'json', 'jsonSchema'],
	);
	if (format === 'text') return undefined;
	const field = outputField(
		check,
		ctx.getNodeParameter('outputField', DEFAULT_OUTPUT_FIELD),
		simplify,
	);
	if (format === 'json') return { schema: ANY_OBJECT_SCHEMA, field };
	const schemaType = check.oneOf(
		FIELDS.schemaType,
		ctx.getNodeParameter('schemaType', 'fromJson'),
		['fromJson', 'manual'],
	);
	if (schemaType === 'fromJson') {
		const example = parseJsonParameter(
			check,
			FIELDS.jsonSchemaExample,
			ctx.getNodeParameter('jsonSchemaExample'),
		);
		return { schema: inferSchema(example), field };
	}
	const schema = parseJsonParameter(check, FIELDS.jsonSchema, ctx.getNodeParameter('jsonSchema'));
	const checked = checkSchema(schema);
	if (!checked.ok) {
		const [first] = checked.problems;
		check.fail(
			FIELDS.jsonSchema,
			`${first.at}: ${first.problem}`,
			`Fix the schema and run the node again. Every problem found:\n${formatSchemaProblems(checked.problems)}`,
		);
	}
	return { schema: schema as JsonSchema, field };
}

/**
 * The messages with the schema instruction: a developer message placed after the last developer
 * message (the user's own instructions come first), or first when there is none.
 */
export function withSchemaMessage(messages: ChatMessage[], schema: JsonSchema): ChatMessage[] {
	let at = 0;
	messages.forEach((message, index) => {
		if (message.role === 'developer') at = index + 1;
	});
	const instruction: ChatMessage = { role: 'developer', content: renderSchemaPrompt(schema) };
	return [...messages.slice(0, at), instruction, ...messages.slice(at)];
}

function outputField(check: InputValidator, value: unknown, simplify: boolean): string {
	const name = check.nonEmptyString(FIELDS.outputField, value).trim();
	const taken = simplify ? SIMPLIFIED_FIELDS : RAW_FIELDS;
	if (taken.includes(name)) {
		check.fail(
			FIELDS.outputField,
			`"${name}" is already a field of the node's output`,
			`Choose another name, e.g. "${DEFAULT_OUTPUT_FIELD}". The output already has: ${taken.join(', ')}.`,
		);
	}
	return name;
}

/** A JSON editor field: text to parse, or a value an expression already produced. */
function parseJsonParameter(check: InputValidator, field: Field, raw: unknown): unknown {
	if (typeof raw !== 'string') {
		if (raw === undefined || raw === null) check.fail(field, `is empty`);
		return raw;
	}
	if (raw.trim() === '') check.fail(field, 'is empty');
	try {
		return JSON.parse(raw) as unknown;
	} catch (error) {
		return check.fail(
			field,
			`is not valid JSON (${(error as Error).message})`,
			`Write valid JSON (double-quoted keys and strings, no trailing commas); it starts ${describeValue(raw.trim())}.`,
		);
	}
}
