/**
 * The keywords validateJson (jsonSchema.ts) enforces, those it ignores on purpose (annotations),
 * and what is wrong with one keyword's value: the rules checkSchema (jsonSchemaCheck.ts) applies
 * at each place of a schema.
 */
import type { JsonSchema } from './schemaTypes';
import { analysePattern } from './patternSafety';
import { escapePointer, resolveRef } from './schemaRefs';

export const ENFORCED = new Set([
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
export const ANNOTATIONS = new Set([
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
/** What is wrong with one keyword's value, if anything. */
export function keywordProblem(
	keyword: string,
	value: unknown,
	root: JsonSchema,
): string | undefined {
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
		const verdict = analysePattern(value);
		return verdict.ok ? undefined : `the pattern ${value} ${verdict.reason}`;
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
export function children(
	keyword: string,
	value: unknown,
	here: string,
): Array<[string, JsonSchema]> {
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

export function isSchema(value: unknown): value is JsonSchema {
	return typeof value === 'boolean' || isPlainObject(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}
