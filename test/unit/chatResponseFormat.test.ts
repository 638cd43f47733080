/** The Chat node's Response Format fields: what shows when, by n8n's own display rules, and defaults. */
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { MiniToolAiChat } from '../../nodes/MiniToolAiChat/MiniToolAiChat.node';
import { checkSchema, inferSchema } from '../../nodes/shared/json/jsonSchemaCheck';

const description = new MiniToolAiChat().description;
const FORMAT_FIELDS = [
	'responseFormat',
	'schemaType',
	'jsonSchemaExample',
	'fromJsonNotice',
	'jsonSchema',
	'outputField',
];

/** The top-level parameters n8n shows for these values (defaults filled in as the editor does). */
function shown(parameters: INodeParameters): string[] {
	const node = {
		id: '1',
		name: 'Chat',
		type: 'miniToolAiChat',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters,
	};
	const values = NodeHelpers.getNodeParameters(
		description.properties,
		parameters,
		true,
		false,
		node,
		description,
	);
	return Object.keys(values ?? {}).filter((name) => FORMAT_FIELDS.includes(name));
}

function property(name: string): INodeProperties {
	return description.properties.find((p) => p.name === name)!;
}

describe('Chat node: Response Format fields', () => {
	it.each([
		[{}, ['responseFormat']],
		[{ responseFormat: 'text' }, ['responseFormat']],
		[{ responseFormat: 'json' }, ['responseFormat', 'outputField']],
		[
			{ responseFormat: 'jsonSchema' },
			['responseFormat', 'schemaType', 'jsonSchemaExample', 'fromJsonNotice', 'outputField'],
		],
		[
			{ responseFormat: 'jsonSchema', schemaType: 'manual' },
			['responseFormat', 'schemaType', 'jsonSchema', 'outputField'],
		],
		[{ responseFormat: 'text', schemaType: 'manual' }, ['responseFormat']],
	])('for %p shows %p', (parameters, expected) => {
		expect(shown(parameters as INodeParameters)).toEqual(expected);
	});

	it('defaults to Text, a schema from an example, and the output field "output"', () => {
		expect(property('responseFormat').default).toBe('text');
		expect(property('schemaType').default).toBe('fromJson');
		expect(property('outputField').default).toBe('output');
	});

	it('sits right after the messages, before the model settings', () => {
		const names = description.properties.map((p) => p.name);
		expect(names.indexOf('responseFormat')).toBe(names.indexOf('messagesJson') + 1);
		expect(names.indexOf('temperature')).toBe(names.indexOf('outputField') + 1);
	});

	it('ships a default example and a default schema that the node accepts', () => {
		const example = JSON.parse(property('jsonSchemaExample').default as string) as unknown;
		expect(checkSchema(inferSchema(example))).toEqual({ ok: true });
		const schema = JSON.parse(property('jsonSchema').default as string) as unknown;
		expect(checkSchema(schema)).toEqual({ ok: true });
	});

	it('lists in its hint only keywords the validator enforces', () => {
		const hint = property('jsonSchema').hint!;
		const listed = hint
			.slice(hint.indexOf(':') + 1, hint.indexOf('. '))
			.split(/,\s*|\//)
			.map((word) => word.replace(/^local /, '').trim());
		expect(listed.length).toBeGreaterThan(10);
		const sample: Record<string, unknown> = {
			type: 'object',
			properties: {},
			required: [],
			additionalProperties: false,
			items: {},
			enum: [1],
			const: 1,
			minimum: 0,
			maximum: 1,
			minLength: 0,
			maxLength: 1,
			pattern: 'a',
			minItems: 0,
			maxItems: 1,
			anyOf: [{}],
			oneOf: [{}],
			allOf: [{}],
			$ref: '#',
		};
		// A $ref alone can only point at its own schema, a loop the check refuses: it is shown where
		// it is legal, recursing under properties.
		const schemaWith = (keyword: string) =>
			keyword === '$ref'
				? { properties: { child: { $ref: sample.$ref } } }
				: { [keyword]: sample[keyword] };
		for (const keyword of listed) {
			expect(sample).toHaveProperty([keyword]);
			expect(checkSchema(schemaWith(keyword))).toEqual({ ok: true });
		}
	});
});
