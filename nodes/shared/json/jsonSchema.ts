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
 *
 * Bounded, whatever the schema: a `$ref` cycle that reads nothing of the value is refused before
 * any checking (schemaRefs.ts); patterns run only when their shape is safe and on text up to their
 * limit (patternSafety.ts); the value may be nested as deep as the JSON reader allows; and one
 * validation spends at most MAX_VALIDATION_STEPS steps (validationRun.ts).
 */
import { MAX_DEPTH } from './jsonParser';
import { deepEqual, hasOwn, isObject, joinPath, jsonTypeOf } from './jsonValue';
import { checkNumber, checkString } from './schemaScalars';
import { findRefCycles, resolveRef } from './schemaRefs';
import type { JsonSchema, SchemaError } from './schemaTypes';
import { BUDGET_PROBLEM, spend, type Run } from './validationRun';

export { resolveRef };
export { MAX_VALIDATION_STEPS } from './validationRun';

export type { JsonSchema, SchemaError } from './schemaTypes';

export type ValidationResult =
	| { ok: true }
	| { ok: false; path: string; problem: string; errors: SchemaError[] };

/** Enough detail for a repair message; more only lengthens it. */
const MAX_ERRORS = 20;
/** The problem checkType reports: `expected string or null, got number`. */
const TYPE_PROBLEM =
	/^expected ((?:null|boolean|object|array|number|integer|string)(?: or \w+)*), got \w+$/;

type SchemaObject = { [keyword: string]: unknown };

/** A branch of anyOf/oneOf costs about this many plain steps (its errors are kept and compared). */
const ALTERNATIVE_STEPS = 4;

const cyclesBySchema = new WeakMap<object, string | undefined>();

/** Validates `value` against `schema`; on failure the first violation comes first. */
export function validateJson(value: unknown, schema: JsonSchema): ValidationResult {
	const loop = refLoopOf(schema);
	if (loop) return failure([{ path: '', problem: loop }]);
	const errors: SchemaError[] = [];
	const run: Run = { root: schema, steps: 0, exhausted: false, refs: new Map() };
	check(value, schema, '', 0, run, errors);
	if (run.exhausted) return failure([{ path: '', problem: BUDGET_PROBLEM }]);
	return errors.length === 0 ? { ok: true } : failure(errors);
}

function failure(errors: SchemaError[]): ValidationResult {
	const first = errors[0];
	return {
		ok: false,
		path: first.path,
		problem: first.problem,
		errors: errors.slice(0, MAX_ERRORS),
	};
}

/** The first $ref cycle that reads nothing of the value, as a problem; found once per schema. */
function refLoopOf(schema: JsonSchema): string | undefined {
	if (typeof schema !== 'object' || schema === null) return undefined;
	if (cyclesBySchema.has(schema)) return cyclesBySchema.get(schema);
	const [cycle] = findRefCycles(schema);
	const problem = cycle
		? `the schema's $ref at ${cycle.at} loops without end (${cycle.path.join(' → ')})`
		: undefined;
	cyclesBySchema.set(schema, problem);
	return problem;
}

/** `items[2].price: expected number, got string`; `rootLabel` names the value itself. */
export function formatSchemaError(error: SchemaError, rootLabel = 'the value'): string {
	return `${error.path === '' ? rootLabel : error.path}: ${error.problem}`;
}

function check(
	value: unknown,
	schema: JsonSchema,
	path: string,
	depth: number,
	run: Run,
	errors: SchemaError[],
): void {
	if (!spend(run, 1) || schema === true) return;
	if (schema === false) {
		errors.push({ path, problem: 'no value is allowed here' });
		return;
	}
	if (typeof schema !== 'object' || schema === null) return;
	if (depth > MAX_DEPTH) {
		errors.push({ path, problem: `the value is nested deeper than ${MAX_DEPTH} levels` });
		return;
	}
	if (typeof schema.$ref === 'string') {
		const target = refTarget(run, schema.$ref);
		if (target === undefined) {
			errors.push({ path, problem: `the schema refers to ${schema.$ref}, which does not exist` });
			return;
		}
		// The same value, one schema on: cycles of these were refused, so the chain ends.
		check(value, target, path, depth, run, errors);
		// Draft 7 ignores siblings of $ref; later drafts apply them. Applying them is the safer reading.
	}
	const before = errors.length;
	if (!checkType(value, schema, path, errors)) return;
	if ('const' in schema && !deepEqual(value, schema.const)) {
		errors.push({ path, problem: `expected ${JSON.stringify(schema.const)}` });
	}
	if (Array.isArray(schema.enum) && spend(run, schema.enum.length)) {
		if (!schema.enum.some((option) => deepEqual(value, option))) {
			errors.push({
				path,
				problem: `expected one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`,
			});
		}
	}
	if (typeof value === 'number') checkNumber(value, schema, path, errors);
	if (typeof value === 'string') checkString(value, schema, path, run, errors);
	if (Array.isArray(value)) checkArray(value, schema, path, depth, run, errors);
	else if (value !== null && typeof value === 'object') {
		checkObject(value as SchemaObject, schema, path, depth, run, errors);
	}
	if (Array.isArray(schema.allOf)) {
		for (const part of schema.allOf) check(value, part as JsonSchema, path, depth, run, errors);
	}
	if (errors.length > before) return;
	checkAlternatives(value, schema, path, depth, run, errors);
}

function refTarget(run: Run, ref: string): JsonSchema | undefined {
	if (!run.refs.has(ref)) run.refs.set(ref, resolveRef(run.root, ref));
	return run.refs.get(ref);
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

function checkArray(
	value: unknown[],
	schema: SchemaObject,
	path: string,
	depth: number,
	run: Run,
	errors: SchemaError[],
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
			if (errors.length < MAX_ERRORS && !run.exhausted) {
				check(item, items as JsonSchema, joinPath(path, index), depth + 1, run, errors);
			}
		});
	}
}

function checkObject(
	value: SchemaObject,
	schema: SchemaObject,
	path: string,
	depth: number,
	run: Run,
	errors: SchemaError[],
) {
	const properties = isObject(schema.properties) ? schema.properties : {};
	if (Array.isArray(schema.required)) {
		if (!spend(run, schema.required.length)) return;
		for (const key of schema.required) {
			if (typeof key === 'string' && !hasOwn(value, key)) {
				errors.push({ path: joinPath(path, key), problem: 'is required but missing' });
			}
		}
	}
	for (const key of Object.keys(value)) {
		if (errors.length >= MAX_ERRORS || run.exhausted) return;
		const childPath = joinPath(path, key);
		if (hasOwn(properties, key)) {
			check(value[key], properties[key] as JsonSchema, childPath, depth + 1, run, errors);
		} else if (schema.additionalProperties === false) {
			errors.push({ path: childPath, problem: 'is not an allowed property' });
		} else if (isObject(schema.additionalProperties)) {
			check(value[key], schema.additionalProperties, childPath, depth + 1, run, errors);
		}
	}
}

/** anyOf: at least one branch; oneOf: exactly one. Reports the branch that got furthest. */
function checkAlternatives(
	value: unknown,
	schema: SchemaObject,
	path: string,
	depth: number,
	run: Run,
	errors: SchemaError[],
) {
	for (const keyword of ['anyOf', 'oneOf'] as const) {
		const branches = schema[keyword];
		if (!Array.isArray(branches) || branches.length === 0) continue;
		if (!spend(run, ALTERNATIVE_STEPS * branches.length)) return;
		const failures: SchemaError[][] = branches.map((branch) => {
			const branchErrors: SchemaError[] = [];
			check(value, branch as JsonSchema, path, depth, run, branchErrors);
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
