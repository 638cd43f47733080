import type { Field } from '../shared/validation';

/** UI names of the Chat node's fields, shared by the description and the error messages. */
export const FIELDS = {
	model: { displayName: 'Model', name: 'model' },
	inputMode: { displayName: 'Messages Input', name: 'inputMode' },
	messages: { displayName: 'Messages', name: 'messages' },
	messagesJson: { displayName: 'Messages (JSON)', name: 'messagesJson' },
	temperature: { displayName: 'Temperature', name: 'temperature' },
	maxCompletionTokens: { displayName: 'Max Completion Tokens', name: 'maxCompletionTokens' },
	responseFormat: { displayName: 'Response Format', name: 'responseFormat' },
	schemaType: { displayName: 'Schema Type', name: 'schemaType' },
	jsonSchemaExample: { displayName: 'JSON Example', name: 'jsonSchemaExample' },
	jsonSchema: { displayName: 'JSON Schema', name: 'jsonSchema' },
	outputField: { displayName: 'Put Output in Field', name: 'outputField' },
} satisfies Record<string, Field>;

export function messageField(index: number, part: string): Field {
	return { displayName: `Messages > message ${index + 1} > ${part}`, name: 'messages' };
}
