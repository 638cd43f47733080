/**
 * A small JSON Schema validator for the subset that tool inputs and response formats use, with no
 * runtime dependency (a community package may not have any).
 *
 * Enforced: `type` (one name or an array), `nullable: true` (OpenAPI), `enum`, `const`,
 * `properties`, `required`, `additionalProperties` (boolean or schema), `items` (one schema),
 * `minItems`, `maxItems`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` (numbers),
 * `minLength`, `maxLength`, `pattern`, `anyOf`, `oneOf`, `allOf`, and `$ref` to a JSON pointer
 * inside the same schema (`#`, `#/definitions/…`, `#/$defs/…`, `#/properties/…`).
 * Other keywords are ignored here (annotations such as `description` or `format` on purpose);
 * `checkSchema` in jsonSchemaCheck.ts reports them so that a user's schema can be refused early.
 */
import { deepEqual, hasOwn, isObject, joinPath, jsonTypeOf } from './jsonValue';

export type JsonSchema = boolean | { [keyword: string]: unknown };

export interface SchemaError {
	/** Where in the value, e.g. `items[2].price`; empty for the value itself. */
	path: string;
	/** What is wrong, e.g. `expected number, got string`. */
	problem: string;
}

export type ValidationResult =
	| { ok: true }
	| { ok: false; path: string; problem: string; errors: SchemaError[] };

/** Stops `$ref` loops that never consume any of the value (`{"$ref":"#"}` at the root). */
const MAX_REF_HOPS = 64;
/** Enough detail for a repair message; more only lengthens it. */
const MAX_ERRORS = 20;

/** The problem checkType reports: `expected string or null, got number`. */
const TYPE_PROBLEM =
	/^expected ((?:null|boolean|object|array|number|integer|string)(?: or \w+)*), got \w+$/;

type SchemaObject = { [keyword: string]: unknown };

/** Validates `value` against `schema`; on failure the first violation comes first. */
export function validateJson(value: unknown, schema: JsonSchema): ValidationResult {
	const errors: SchemaError[] = [];
	check(value, schema, '', schema, errors, 0);
	if (errors.length === 0) return { ok: true };
	const first = errors[0];
	return {
		ok: false,
		path: first.path,
		problem: first.problem,
		errors: errors.slice(0, MAX_ERRORS),
	};
}

/** `items[2].price: expected number, got string`; `rootLabel` names the value itself. */
export function formatSchemaError(error: SchemaError, rootLabel = 'the value'): string {
	return `${error.path === '' ? rootLabel : error.path}: ${error.problem}`;
}

/** Follows a local JSON pointer (`#/definitions/Item`); undefined when it points nowhere. */
export function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
	if (ref === '#') return root;
	if (!ref.startsWith('#/')) return undefined;
	let node: unknown = root;
	for (const raw of ref.slice(2).split('/')) {
		const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
		if (
			node === null ||
			typeof node !== 'object' ||
			!Object.prototype.hasOwnProperty.call(node, key)
		) {
			return undefined;
		}
		node = (node as SchemaObject)[key];
	}
	return typeof node === 'boolean' ||
		(node !== null && typeof node === 'object' && !Array.isArray(node))
		? (node as JsonSchema)
		: undefined;
}

function check(
	value: unknown,
	schema: JsonSchema,
	path: string,
	root: JsonSchema,
	errors: SchemaError[],
	refHops: number,
): void {
	if (schema === true) return;
	if (schema === false) {
		errors.push({ path, problem: 'no value is allowed here' });
		return;
	}
	if (typeof schema !== 'object' || schema === null) return;
	if (typeof schema.$ref === 'string') {
		const target = resolveRef(root, schema.$ref);
		if (target === undefined) {
			errors.push({ path, problem: `the schema refers to ${schema.$ref}, which does not exist` });
			return;
		}
		if (refHops >= MAX_REF_HOPS) {
			errors.push({ path, problem: `the schema's $ref ${schema.$ref} loops without end` });
			return;
		}
		check(value, target, path, root, errors, refHops + 1);
		// Draft 7 ignores siblings of $ref; later drafts apply them. Applying them is the safer reading.
	}
	const before = errors.length;
	if (!checkType(value, schema, path, errors)) return;
	if ('const' in schema && !deepEqual(value, schema.const)) {
		errors.push({ path, problem: `expected ${JSON.stringify(schema.const)}` });
	}
	if (Array.isArray(schema.enum) && !schema.enum.some((option) => deepEqual(value, option))) {
		errors.push({
			path,
			problem: `expected one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`,
		});
	}
	if (typeof value === 'number') checkNumber(value, schema, path, errors);
	if (typeof value === 'string') checkString(value, schema, path, errors);
	if (Array.isArray(value)) checkArray(value, schema, path, root, errors, refHops);
	else if (value !== null && typeof value === 'object') {
		checkObject(value as SchemaObject, schema, path, root, errors, refHops);
	}
	if (Array.isArray(schema.allOf)) {
		for (const part of schema.allOf) check(value, part as JsonSchema, path, root, errors, refHops);
	}
	if (errors.length > before) return;
	checkAlternatives(value, schema, path, root, errors, refHops);
}

/** False when the type is wrong (nothing else about the value is worth reporting then). */
function checkType(value: unknown, schema: SchemaObject, path: string, errors: SchemaError[]) {
	if (schema.type === undefined) return true;
	const types = (Array.isArray(schema.type) ? schema.type : [schema.type]).map(String);
	if (schema.nullable === true && !types.includes('null')) types.push('null');
	const actual = jsonTypeOf(value);
	const fits = types.some((type) => type === actual || (type === 'number' && actual === 'integer'));
	if (fits) return true;
	errors.push({ path, problem: `expected ${types.join(' or ')}, got ${actual}` });
	return false;
}

function checkNumber(value: number, schema: SchemaObject, path: string, errors: SchemaError[]) {
	const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = schema;
	if (typeof minimum === 'number' && value < minimum) {
		errors.push({ path, problem: `expected at least ${minimum}, got ${value}` });
	}
	if (typeof maximum === 'number' && value > maximum) {
		errors.push({ path, problem: `expected at most ${maximum}, got ${value}` });
	}
	if (typeof exclusiveMinimum === 'number' && value <= exclusiveMinimum) {
		errors.push({ path, problem: `expected more than ${exclusiveMinimum}, got ${value}` });
	}
	if (typeof exclusiveMaximum === 'number' && value >= exclusiveMaximum) {
		errors.push({ path, problem: `expected less than ${exclusiveMaximum}, got ${value}` });
	}
}

function checkString(value: string, schema: SchemaObject, path: string, errors: SchemaError[]) {
	// Length in code points, as JSON Schema counts it (an emoji is one character).
	const length = Array.from(value).length;
	if (typeof schema.minLength === 'number' && length < schema.minLength) {
		errors.push({
			path,
			problem: `expected at least ${schema.minLength} characters, got ${length}`,
		});
	}
	if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
		errors.push({
			path,
			problem: `expected at most ${schema.maxLength} characters, got ${length}`,
		});
	}
	if (typeof schema.pattern === 'string') {
		let pattern: RegExp | undefined;
		try {
			pattern = new RegExp(schema.pattern, 'u');
		} catch {
			pattern = undefined; // checkSchema reports it; an unusable pattern constrains nothing.
		}
		if (pattern && !pattern.test(value)) {
			errors.push({ path, problem: `expected text matching /${schema.pattern}/` });
		}
	}
}

function checkArray(
	value: unknown[],
	schema: SchemaObject,
	path: string,
	root: JsonSchema,
	errors: SchemaError[],
	refHops: number,
) {
	if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
		errors.push({
			path,
			problem: `expected at least ${schema.minItems} items, got ${value.length}`,
		});
	}
	if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
		errors.push({
			path,
			problem: `expected at most ${schema.maxItems} items, got ${value.length}`,
		});
	}
	const items = schema.items;
	if (
		typeof items === 'boolean' ||
		(items !== null && typeof items === 'object' && !Array.isArray(items))
	) {
		value.forEach((item, index) => {
			if (errors.length < MAX_ERRORS) {
				check(item, items as JsonSchema, joinPath(path, index), root, errors, refHops);
			}
		});
	}
}

function checkObject(
	value: SchemaObject,
	schema: SchemaObject,
	path: string,
	root: JsonSchema,
	errors: SchemaError[],
	refHops: number,
) {
	const properties = isObject(schema.properties) ? schema.properties : {};
	if (Array.isArray(schema.required)) {
		for (const key of schema.required) {
			if (typeof key === 'string' && !hasOwn(value, key)) {
				errors.push({ path: joinPath(path, key), problem: 'is required but missing' });
			}
		}
	}
	for (const key of Object.keys(value)) {
		if (errors.length >= MAX_ERRORS) return;
		const childPath = joinPath(path, key);
		if (hasOwn(properties, key)) {
			check(value[key], properties[key] as JsonSchema, childPath, root, errors, refHops);
		} else if (schema.additionalProperties === false) {
			errors.push({ path: childPath, problem: 'is not an allowed property' });
		} else if (isObject(schema.additionalProperties)) {
			check(value[key], schema.additionalProperties, childPath, root, errors, refHops);
		}
	}
}

/** anyOf: at least one branch; oneOf: exactly one. Reports the branch that got furthest. */
function checkAlternatives(
	value: unknown,
	schema: SchemaObject,
	path: string,
	root: JsonSchema,
	errors: SchemaError[],
	refHops: number,
) {
	for (const keyword of ['anyOf', 'oneOf'] as const) {
		const branches = schema[keyword];
		if (!Array.isArray(branches) || branches.length === 0) continue;
		const failures: SchemaError[][] = branches.map((branch) => {
			const branchErrors: SchemaError[] = [];
			check(value, branch as JsonSchema, path, root, branchErrors, refHops);
			return branchErrors;
		});
		const matches = failures.filter((branchErrors) => branchErrors.length === 0).length;
		if (keyword === 'oneOf' && matches > 1) {
			errors.push({
				path,
				problem: `matches ${matches} of the oneOf alternatives, expected exactly 1`,
			});
		}
		if (matches > 0) continue;
		// All branches rejected the type itself: say which types would do ("expected string or null").
		const typeOnly = failures.every(
			(f) => f.length === 1 && f[0].path === path && TYPE_PROBLEM.test(f[0].problem),
		);
		if (typeOnly) {
			const wanted = new Set(
				failures.flatMap((f) => f[0].problem.replace(TYPE_PROBLEM, '$1').split(' or ')),
			);
			errors.push({
				path,
				problem: `expected ${[...wanted].join(' or ')}, got ${jsonTypeOf(value)}`,
			});
			continue;
		}
		const deepest = failures.reduce((best, f) =>
			f[0].path.length > best[0].path.length ? f : best,
		);
		errors.push(...deepest);
	}
}
