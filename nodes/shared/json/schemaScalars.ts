/**
 * The keywords of numbers and strings, for jsonSchema.ts: bounds, lengths in code points, and
 * patterns, which run only when their shape is safe and on text up to their limit
 * (patternSafety.ts), compiled once per schema.
 */
import type { SchemaError } from './schemaTypes';
import { patternRunner } from './patternSafety';
import { spend, type Run } from './validationRun';

type SchemaObject = { [keyword: string]: unknown };

export function checkNumber(
	value: number,
	schema: SchemaObject,
	path: string,
	errors: SchemaError[],
) {
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

export function checkString(
	value: string,
	schema: SchemaObject,
	path: string,
	run: Run,
	errors: SchemaError[],
) {
	if (typeof schema.minLength === 'number' || typeof schema.maxLength === 'number') {
		if (!spend(run, 1 + Math.floor(value.length / 100))) return;
		// Length in code points, as JSON Schema counts it (an emoji is one character).
		const length = codePoints(value);
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
	}
	if (typeof schema.pattern === 'string')
		checkPattern(value, schema, schema.pattern, path, run, errors);
}

function checkPattern(
	value: string,
	schema: SchemaObject,
	source: string,
	path: string,
	run: Run,
	errors: SchemaError[],
) {
	const runner = patternRunner(schema, source);
	// An invalid pattern constrains nothing here; checkSchema reports it.
	if (runner.kind === 'invalid') return;
	if (runner.kind === 'refused') {
		errors.push({
			path,
			problem: `the schema's pattern ${source} is not checked: it ${runner.reason}`,
		});
		return;
	}
	if (value.length > runner.maxChars) {
		errors.push({
			path,
			problem: `is ${value.length} characters long; the pattern /${source}/ is checked on at most ${runner.maxChars.toLocaleString('en-US')} characters`,
		});
		return;
	}
	if (!spend(run, runner.cost(value.length))) return;
	if (!runner.regex.test(value)) {
		errors.push({ path, problem: `expected text matching /${source}/` });
	}
}

function codePoints(text: string): number {
	let count = text.length;
	for (let i = 0; i < text.length; i++) {
		const code = text.charCodeAt(i);
		// A surrogate pair is one code point.
		if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
			const next = text.charCodeAt(i + 1);
			if (next >= 0xdc00 && next <= 0xdfff) {
				count--;
				i++;
			}
		}
	}
	return count;
}
