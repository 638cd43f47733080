import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_OUTPUT_FIELD } from './responseFormat';

const EXAMPLE_JSON = `{
	"name": "Ada Lovelace",
	"email": "ada@example.com",
	"score": 9.5
}`;

const EXAMPLE_SCHEMA = `{
	"type": "object",
	"properties": {
		"name": { "type": "string" },
		"email": { "type": "string" },
		"score": { "type": "number", "minimum": 0, "maximum": 10 }
	},
	"required": ["name", "email", "score"]
}`;

const showForJson = { show: { responseFormat: ['json', 'jsonSchema'] } };
const showForSchema = { show: { responseFormat: ['jsonSchema'] } };

/**
 * Response Format: plain text, or a JSON object the node parses and checks. Names follow n8n's
 * own nodes: the HTTP Request node's "Response Format" and "Put Output in Field", the Structured
 * Output Parser's "Schema Type" with "Generate From JSON Example" / "JSON Example".
 */
export const responseFormatProperties: INodeProperties[] = [
	{
		displayName: 'Response Format',
		name: 'responseFormat',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Text', value: 'text', description: 'The answer as the model writes it' },
			{
				name: 'JSON',
				value: 'json',
				description: 'Any JSON object, parsed into its own output field',
			},
			{
				name: 'JSON Schema',
				value: 'jsonSchema',
				description:
					'A JSON object matching a schema, checked and parsed into its own output field',
			},
		],
		default: 'text',
		description:
			'What the model answers with. For JSON the node asks for it in the prompt, checks the answer and asks once more to fix a wrong one.',
	},
	{
		displayName: 'Schema Type',
		name: 'schemaType',
		type: 'options',
		noDataExpression: true,
		displayOptions: showForSchema,
		options: [
			{
				name: 'Generate From JSON Example',
				value: 'fromJson',
				description: 'Generate a schema from an example JSON object',
			},
			{
				name: 'Define Using JSON Schema',
				value: 'manual',
				description: 'Define the JSON schema manually',
			},
		],
		default: 'fromJson',
		description: 'How to specify the schema the answer must match',
	},
	{
		displayName: 'JSON Example',
		name: 'jsonSchemaExample',
		type: 'json',
		typeOptions: { rows: 10 },
		default: EXAMPLE_JSON,
		displayOptions: { show: { responseFormat: ['jsonSchema'], schemaType: ['fromJson'] } },
		description: 'An example of the object the model should answer with',
	},
	{
		displayName:
			"All properties will be required. To make some optional or restrict values, use the 'Define Using JSON Schema' schema type instead.",
		name: 'fromJsonNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { responseFormat: ['jsonSchema'], schemaType: ['fromJson'] } },
	},
	{
		displayName: 'JSON Schema',
		name: 'jsonSchema',
		type: 'json',
		typeOptions: { rows: 10 },
		default: EXAMPLE_SCHEMA,
		displayOptions: { show: { responseFormat: ['jsonSchema'], schemaType: ['manual'] } },
		description: 'The JSON Schema the answer must match',
		hint: 'Supported: type, properties, required, additionalProperties, items, enum, const, minimum/maximum, minLength/maxLength, pattern, minItems/maxItems, anyOf/oneOf/allOf, local $ref. Other keywords are refused, so nothing goes unchecked.',
	},
	{
		displayName: 'Put Output in Field',
		name: 'outputField',
		type: 'string',
		default: DEFAULT_OUTPUT_FIELD,
		displayOptions: showForJson,
		description:
			'The name of the output field for the parsed object, beside "text" (the answer as written)',
	},
];
