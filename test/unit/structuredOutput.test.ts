import {
	ANY_OBJECT_SCHEMA,
	REPAIR_PREFIX,
	parseStructuredAnswer,
	renderSchemaPrompt,
	renderSchemaRepair,
} from '../../nodes/shared/json/structuredOutput';

const SCHEMA = {
	type: 'object',
	properties: {
		items: {
			type: 'array',
			items: { type: 'object', properties: { price: { type: 'number' } }, required: ['price'] },
		},
	},
	required: ['items'],
};

describe('structured output', () => {
	it('puts the schema between <response_schema> tags', () => {
		const prompt = renderSchemaPrompt(SCHEMA);
		expect(
			JSON.parse(/<response_schema>\n(.*)\n<\/response_schema>/.exec(prompt)?.[1] ?? ''),
		).toEqual(SCHEMA);
		expect(prompt).toContain('ONLY one JSON value');
	});

	it('accepts a matching answer, bare, fenced or with prose', () => {
		const value = { items: [{ price: 1 }] };
		for (const text of [
			JSON.stringify(value),
			'```json\n' + JSON.stringify(value) + '\n```',
			'Here it is: ' + JSON.stringify(value) + ' Hope that helps {really}.',
		]) {
			expect(parseStructuredAnswer(text, SCHEMA)).toEqual({ ok: true, value });
		}
	});

	it('names the first violation by path', () => {
		const text = '{"items":[{"price":1},{"price":2},{"price":"3"}]}';
		expect(parseStructuredAnswer(text, SCHEMA)).toEqual({
			ok: false,
			problem: 'items[2].price: expected number, got string',
		});
		expect(parseStructuredAnswer('[1]', SCHEMA)).toEqual({
			ok: false,
			problem: 'the answer: expected object, got array',
		});
	});

	it('reports JSON problems and answers without JSON', () => {
		expect(parseStructuredAnswer('{"items": [}', SCHEMA)).toEqual({
			ok: false,
			problem: "Unexpected token '}' at position 11",
		});
		expect(parseStructuredAnswer('I cannot do that.', ANY_OBJECT_SCHEMA)).toEqual({
			ok: false,
			problem: 'no JSON object found',
		});
	});

	it('accepts a scalar when the schema asks for one', () => {
		expect(parseStructuredAnswer(' "yes" ', { type: 'string' })).toEqual({
			ok: true,
			value: 'yes',
		});
	});

	it('writes the repair round', () => {
		expect(renderSchemaRepair('items[2].price: expected number, got string')).toBe(
			`${REPAIR_PREFIX} items[2].price: expected number, got string\nAnswer again with ONLY one JSON value that matches the schema in <response_schema>, nothing else.`,
		);
	});
});
