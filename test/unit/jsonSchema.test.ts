import fc from 'fast-check';

import {
	formatSchemaError,
	validateJson,
	type JsonSchema,
} from '../../nodes/shared/json/jsonSchema';
import { checkSchema, inferSchema } from '../../nodes/shared/json/jsonSchemaCheck';
import { joinPath } from '../../nodes/shared/json/jsonValue';

function firstError(value: unknown, schema: JsonSchema): string {
	const result = validateJson(value, schema);
	if (result.ok) return 'ok';
	return formatSchemaError(result);
}

const ORDER: JsonSchema = {
	type: 'object',
	properties: {
		customer: { type: 'string', minLength: 1 },
		items: {
			type: 'array',
			minItems: 1,
			items: {
				type: 'object',
				properties: { name: { type: 'string' }, price: { type: 'number', minimum: 0 } },
				required: ['name', 'price'],
			},
		},
		status: { enum: ['open', 'paid'] },
		note: { type: 'string', nullable: true },
	},
	required: ['customer', 'items'],
	additionalProperties: false,
};

describe('validateJson', () => {
	const good = {
		customer: 'Ada',
		items: [
			{ name: 'a', price: 1 },
			{ name: 'b', price: 2.5 },
			{ name: 'c', price: 0 },
		],
		status: 'open',
		note: null,
	};

	it('accepts a value that matches', () => {
		expect(validateJson(good, ORDER)).toEqual({ ok: true });
	});

	it('names the first violation by path, with expected and actual type', () => {
		const bad = { ...good, items: [good.items[0], good.items[1], { name: 'c', price: '3' }] };
		expect(firstError(bad, ORDER)).toBe('items[2].price: expected number, got string');
	});

	it.each<[string, unknown, string]>([
		['a missing required key', { items: good.items }, 'customer: is required but missing'],
		['an extra key', { ...good, extra: 1 }, 'extra: is not an allowed property'],
		[
			'a value outside the enum',
			{ ...good, status: 'lost' },
			'status: expected one of "open", "paid"',
		],
		['too few items', { ...good, items: [] }, 'items: expected at least 1 items, got 0'],
		[
			'a number below minimum',
			{ ...good, items: [{ name: 'a', price: -1 }] },
			'items[0].price: expected at least 0, got -1',
		],
		[
			'a too short string',
			{ ...good, customer: '' },
			'customer: expected at least 1 characters, got 0',
		],
		[
			'nullable with a wrong type',
			{ ...good, note: 3 },
			'note: expected string or null, got integer',
		],
		['the root type', [good], 'the value: expected object, got array'],
	])('reports %s', (_label, value, expected) => {
		expect(firstError(value, ORDER)).toBe(expected);
	});

	it('lists all violations, first first', () => {
		const result = validateJson({ items: [{ price: 'x' }] }, ORDER);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.errors.map((e) => e.path)).toEqual([
			'customer',
			'items[0].name',
			'items[0].price',
		]);
	});

	it('treats integer as whole numbers and number as any number', () => {
		expect(firstError(2, { type: 'integer' })).toBe('ok');
		expect(firstError(2.5, { type: 'integer' })).toBe('the value: expected integer, got number');
		expect(firstError(2, { type: 'number' })).toBe('ok');
	});

	it('accepts type arrays and reports them joined', () => {
		expect(firstError(null, { type: ['string', 'null'] })).toBe('ok');
		expect(firstError(true, { type: ['string', 'null'] })).toBe(
			'the value: expected string or null, got boolean',
		);
	});

	it('checks const, maxItems, maxLength, maximum and exclusive bounds', () => {
		expect(firstError('b', { const: 'a' })).toBe('the value: expected "a"');
		expect(firstError([1, 2, 3], { maxItems: 2 })).toBe(
			'the value: expected at most 2 items, got 3',
		);
		expect(firstError('abc', { maxLength: 2 })).toBe(
			'the value: expected at most 2 characters, got 3',
		);
		expect(firstError('😀😀', { maxLength: 2 })).toBe('ok');
		expect(firstError(5, { maximum: 4 })).toBe('the value: expected at most 4, got 5');
		expect(firstError(4, { exclusiveMaximum: 4 })).toBe('the value: expected less than 4, got 4');
		expect(firstError(0, { exclusiveMinimum: 0 })).toBe('the value: expected more than 0, got 0');
	});

	it('checks pattern', () => {
		expect(firstError('ab-12', { type: 'string', pattern: '^[a-z]+-\\d+$' })).toBe('ok');
		expect(firstError('12', { type: 'string', pattern: '^[a-z]+' })).toBe(
			'the value: expected text matching /^[a-z]+/',
		);
	});

	it('combines anyOf of simple types into one message', () => {
		const schema = { anyOf: [{ type: 'string' }, { type: 'null' }] };
		expect(firstError('x', schema)).toBe('ok');
		expect(firstError(null, schema)).toBe('ok');
		expect(firstError(1.5, schema)).toBe('the value: expected string or null, got number');
	});

	it('reports the anyOf branch that got furthest', () => {
		const schema = {
			anyOf: [
				{ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] },
				{ type: 'array' },
			],
		};
		expect(firstError({ a: 1 }, schema)).toBe('a: expected string, got integer');
	});

	it('requires exactly one oneOf branch', () => {
		const schema = { oneOf: [{ type: 'number' }, { type: 'integer' }] };
		expect(firstError(1.5, schema)).toBe('ok');
		expect(firstError(1, schema)).toBe(
			'the value: matches 2 of the oneOf alternatives, expected exactly 1',
		);
	});

	it('applies allOf', () => {
		expect(firstError(5, { allOf: [{ type: 'integer' }, { minimum: 6 }] })).toBe(
			'the value: expected at least 6, got 5',
		);
	});

	it('follows local $ref to definitions, $defs and the root', () => {
		const schema = {
			type: 'object',
			properties: { item: { $ref: '#/definitions/Item' }, child: { $ref: '#' } },
			definitions: { Item: { type: 'object', properties: { id: { $ref: '#/$defs/Id' } } } },
			$defs: { Id: { type: 'integer' } },
		};
		expect(firstError({ item: { id: 1 }, child: { child: { item: { id: 2 } } } }, schema)).toBe(
			'ok',
		);
		expect(firstError({ child: { item: { id: 'x' } } }, schema)).toBe(
			'child.item.id: expected integer, got string',
		);
		expect(firstError(1, { $ref: '#/definitions/Missing' })).toBe(
			'the value: the schema refers to #/definitions/Missing, which does not exist',
		);
	});

	it('stops a $ref loop that consumes nothing', () => {
		const schema = { definitions: { A: { $ref: '#/definitions/A' } }, $ref: '#/definitions/A' };
		expect(firstError(1, schema)).toMatch(/loops without end/);
	});

	it('handles additionalProperties as a schema, and boolean schemas', () => {
		const schema = { type: 'object', additionalProperties: { type: 'number' } };
		expect(firstError({ a: 1, b: 'x' }, schema)).toBe('b: expected number, got string');
		expect(firstError(1, true)).toBe('ok');
		expect(firstError(1, false)).toBe('the value: no value is allowed here');
	});

	it('compares enum and const values deeply', () => {
		expect(firstError({ a: [1] }, { enum: [{ a: [1] }] })).toBe('ok');
		expect(firstError({ a: [2] }, { const: { a: [1] } })).toBe('the value: expected {"a":[1]}');
	});

	it('ignores annotations and does not treat inherited keys as present', () => {
		const schema = { type: 'object', description: 'x', format: 'anything', required: ['toString'] };
		expect(firstError({}, schema)).toBe('toString: is required but missing');
	});

	it('quotes keys that are not identifiers in paths', () => {
		expect(joinPath(joinPath('', 'a'), 'first name')).toBe('a["first name"]');
		expect(joinPath('', 0)).toBe('[0]');
	});
});

describe('checkSchema', () => {
	it('accepts the supported subset, annotations included', () => {
		expect(checkSchema(ORDER)).toEqual({ ok: true });
		expect(checkSchema({ $schema: 'x', title: 't', type: 'string', format: 'email' })).toEqual({
			ok: true,
		});
	});

	it('reports unsupported keywords and invalid values with where they are', () => {
		const result = checkSchema({
			type: 'object',
			properties: {
				a: { type: 'strin' },
				b: { type: 'array', items: [{ type: 'string' }] },
				c: { not: { type: 'string' } },
				d: { minLength: -1, pattern: '(' },
			},
			required: 'a',
			$ref: '#/definitions/none',
		});
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problems.map((p) => p.at)).toEqual([
			'#/properties/a/type',
			'#/properties/b/items',
			'#/properties/c',
			'#/properties/d/minLength',
			'#/properties/d/pattern',
			'#/required',
			'#/$ref',
		]);
		expect(result.problems[2].problem).toBe('the keyword "not" is not supported');
	});

	it('refuses a schema that is not an object', () => {
		expect(checkSchema([1])).toEqual({
			ok: false,
			problems: [{ at: '#', problem: 'a schema must be a JSON object (or true/false)' }],
		});
	});
});

describe('inferSchema', () => {
	it('infers types, required keys and array items from the first element', () => {
		const schema = inferSchema({
			name: 'x',
			price: 3,
			ok: true,
			tags: ['a'],
			lines: [{ sku: 'a', qty: 1 }],
			empty: [],
			unknown: null,
		});
		expect(schema).toEqual({
			type: 'object',
			properties: {
				name: { type: 'string' },
				price: { type: 'number' },
				ok: { type: 'boolean' },
				tags: { type: 'array', items: { type: 'string' } },
				lines: {
					type: 'array',
					items: {
						type: 'object',
						properties: { sku: { type: 'string' }, qty: { type: 'number' } },
						required: ['sku', 'qty'],
					},
				},
				empty: { type: 'array' },
				unknown: {},
			},
			required: ['name', 'price', 'ok', 'tags', 'lines', 'empty', 'unknown'],
		});
		expect(checkSchema(schema)).toEqual({ ok: true });
		expect(
			firstError(
				{ name: 'y', price: 2.5, ok: false, tags: [], lines: [], empty: [1], unknown: 'z' },
				schema,
			),
		).toBe('ok');
		expect(
			firstError(
				{ name: 'y', price: '2', ok: false, tags: [], lines: [], empty: [], unknown: 1 },
				schema,
			),
		).toBe('price: expected number, got string');
	});
});

describe('inferSchema (property)', () => {
	it('keeps a "__proto__" key as a property', () => {
		const example = JSON.parse('{"__proto__": {"a": 1}}');
		const schema = inferSchema(example) as { properties: Record<string, unknown> };
		expect(Object.keys(schema.properties)).toEqual(['__proto__']);
		expect(validateJson(example, schema)).toEqual({ ok: true });
		expect(firstError(JSON.parse('{"__proto__": {"a": "x"}}'), schema)).toBe(
			'__proto__.a: expected number, got string',
		);
	});

	it('accepts the example it was inferred from, and the schema passes checkSchema', () => {
		fc.assert(
			fc.property(fc.jsonValue(), (value) => {
				const schema = inferSchema(value);
				expect(checkSchema(schema)).toEqual({ ok: true });
				// Arrays take their first item's schema: only examples whose items agree must match.
				if (!hasMixedArrays(value)) expect(validateJson(value, schema)).toEqual({ ok: true });
			}),
			{ seed: 13, numRuns: 1000 },
		);
	});
});

function hasMixedArrays(value: unknown): boolean {
	if (Array.isArray(value)) {
		const first = JSON.stringify(inferSchema(value[0]));
		return value.some(
			(item) => JSON.stringify(inferSchema(item)) !== first || hasMixedArrays(item),
		);
	}
	if (value !== null && typeof value === 'object') return Object.values(value).some(hasMixedArrays);
	return false;
}
