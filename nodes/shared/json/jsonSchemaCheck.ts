import { resolveRef, type JsonSchema } from './jsonSchema';

/**
 * Checks on a schema a user typed (the Chat node's Response Format), before any request is sent,
 * and the schema inferred from an example object. validateJson (jsonSchema.ts) enforces the
 * keywords in ENFORCED; a schema using anything else is refused with the keyword named, rather than
 * silently not enforcing it.
 */

const ENFORCED = new Set([
	'type',
	'nullable',
	'enum',
	'const',
	'properties',
	'required',
	'additionalProperties',
	'items',
	'minItems',
	'maxItems',
	'minimum',
	'maximum',
	'exclusiveMinimum',
	'exclusiveMaximum',
	'minLength',
	'maxLength',
	'pattern',
	'anyOf',
	'oneOf',
	'allOf',
	'$ref',
	'definitions',
	'$defs',
]);

/** Keywords that only describe (JSON Schema lets validators ignore `format`). */
const ANNOTATIONS = new Set([
	'$schema',
	'$id',
	'$comment',
	'title',
	'description',
	'default',
	'examples',
	'example',
	'format',
	'readOnly',
	'writeOnly',
	'deprecated',
]);

const TYPE_NAMES = ['null', 'boolean', 'object', 'array', 'number', 'integer', 'string'];
const COUNT_KEYWORDS = ['minItems', 'maxItems', 'minLength', 'maxLength'];
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'];

export interface SchemaProblem {
	/** Where in the schema, as a JSON pointer (`#/properties/items/items`). */
	at: string;
	problem: string;
}

export type SchemaCheck = { ok: true } | { ok: false; problems: SchemaProblem[] };

/** Lists everything in `schema` that is invalid or that validateJson would not enforce. */
export function checkSchema(schema: unknown): SchemaCheck {
	const problems: SchemaProblem[] = [];
	if (!isSchema(schema)) {
		problems.push({ at: '#', problem: 'a schema must be a JSON object (or true/false)' });
	} else {
		walk(schema, '#', schema, problems);
	}
	return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** One line per problem, for an error description. */
export function formatSchemaProblems(problems: SchemaProblem[]): string {
	return problems.map((p) => `${p.at}: ${p.problem}`).join('\n');
}

function walk(schema: JsonSchema, at: string, root: JsonSchema, problems: SchemaProblem[]): void {
	if (typeof schema === 'boolean') return;
	for (const [keyword, value] of Object.entries(schema)) {
		const here = `${at}/${escapePointer(keyword)}`;
		if (ANNOTATIONS.has(keyword)) continue;
		if (!ENFORCED.has(keyword)) {
			problems.push({ at, problem: `the keyword "${keyword}" is not supported` });
			continue;
		}
		const problem = keywordProblem(keyword, value, root);
		if (problem) {
			problems.push({ at: here, problem });
			continue;
		}
		for (const [childAt, child] of children(keyword, value, here))
			walk(child, childAt, root, problems);
	}
}

/** What is wrong with one keyword's value, if anything. */
function keywordProblem(keyword: string, value: unknown, root: JsonSchema): string | undefined {
	if (keyword === 'type') {
		const names = Array.isArray(value) ? value : [value];
		const bad = names.find((name) => !TYPE_NAMES.includes(name as string));
		if (names.length === 0) return 'must name at least one type';
		return bad === undefined
			? undefined
			: `unknown type ${JSON.stringify(bad)} (use one of ${TYPE_NAMES.join(', ')})`;
	}
	if (keyword === 'nullable')
		return typeof value === 'boolean' ? undefined : 'must be true or false';
	if (keyword === 'enum') {
		return Array.isArray(value) && value.length > 0 ? undefined : 'must be a non-empty array';
	}
	if (keyword === 'required') {
		return Array.isArray(value) && value.every((key) => typeof key === 'string')
			? undefined
			: 'must be an array of property names';
	}
	if (keyword === 'properties' || keyword === 'definitions' || keyword === '$defs') {
		if (!isPlainObject(value)) return 'must be an object of schemas';
		const bad = Object.keys(value).find((key) => !isSchema(value[key]));
		return bad === undefined ? undefined : `${JSON.stringify(bad)} must be a schema (an object)`;
	}
	if (keyword === 'additionalProperties')
		return isSchema(value) ? undefined : 'must be true, false or a schema';
	if (keyword === 'items') {
		if (Array.isArray(value))
			return 'a list of item schemas (tuple) is not supported; give one schema';
		return isSchema(value) ? undefined : 'must be a schema';
	}
	if (keyword === 'anyOf' || keyword === 'oneOf' || keyword === 'allOf') {
		return Array.isArray(value) && value.length > 0 && value.every(isSchema)
			? undefined
			: 'must be a non-empty array of schemas';
	}
	if (COUNT_KEYWORDS.includes(keyword)) {
		return Number.isInteger(value) && (value as number) >= 0
			? undefined
			: 'must be a whole number, 0 or more';
	}
	if (NUMBER_KEYWORDS.includes(keyword)) {
		return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a number';
	}
	if (keyword === 'pattern') {
		if (typeof value !== 'string') return 'must be a regular expression in a string';
		try {
			new RegExp(value, 'u');
		} catch (error) {
			return `is not a valid regular expression (${(error as Error).message})`;
		}
		return undefined;
	}
	if (keyword === '$ref') {
		if (typeof value !== 'string') return 'must be a string';
		if (!value.startsWith('#'))
			return `only references inside the schema (#/…) are supported, not ${value}`;
		return resolveRef(root, value) === undefined ? `points nowhere: ${value}` : undefined;
	}
	return undefined;
}

/** The subschemas below a keyword, with their pointers. */
function children(keyword: string, value: unknown, here: string): Array<[string, JsonSchema]> {
	if (keyword === 'properties' || keyword === 'definitions' || keyword === '$defs') {
		return Object.entries(value as Record<string, JsonSchema>).map(([key, child]) => [
			`${here}/${escapePointer(key)}`,
			child,
		]);
	}
	if (keyword === 'items' || keyword === 'additionalProperties')
		return [[here, value as JsonSchema]];
	if (keyword === 'anyOf' || keyword === 'oneOf' || keyword === 'allOf') {
		return (value as JsonSchema[]).map((child, index) => [`${here}/${index}`, child]);
	}
	return [];
}

/**
 * A schema from an example value: every key of an object is required, arrays take the schema of
 * their first item, numbers are `number` (an example's 10 says nothing about 10.5 being wrong),
 * `null` allows anything (the example does not tell the type).
 */
export function inferSchema(example: unknown): JsonSchema {
	if (example === null || example === undefined) return {};
	if (Array.isArray(example)) {
		return example.length === 0
			? { type: 'array' }
			: { type: 'array', items: inferSchema(example[0]) };
	}
	if (typeof example === 'object') {
		// fromEntries defines own properties, so a "__proto__" key stays a property.
		const properties: Record<string, JsonSchema> = Object.fromEntries(
			Object.entries(example as Record<string, unknown>).map(([key, value]) => [
				key,
				inferSchema(value),
			]),
		);
		return { type: 'object', properties, required: Object.keys(properties) };
	}
	if (typeof example === 'number') return { type: 'number' };
	if (typeof example === 'boolean') return { type: 'boolean' };
	return { type: 'string' };
}

function isSchema(value: unknown): value is JsonSchema {
	return typeof value === 'boolean' || isPlainObject(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function escapePointer(key: string): string {
	return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
