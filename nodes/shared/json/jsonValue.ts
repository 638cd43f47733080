/**
 * Facts about JSON values that the schema validator and the tool-call reader share: a value's
 * type name as messages say it, a path into a value, and deep equality.
 */

type JsonObject = { [key: string]: unknown };

/** The JSON type name used in messages: null, array, integer (a whole number), number, … */
export function jsonTypeOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'array';
	if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
	return typeof value;
}

/** Joins object keys and array indexes into `a.b[2]["odd key"]`. */
export function joinPath(path: string, key: string | number): string {
	if (typeof key === 'number') return `${path}[${key}]`;
	if (/^[A-Za-z_$][\w$]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
	return `${path}[${JSON.stringify(key)}]`;
}

export function deepEqual(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
	if (Array.isArray(a) !== Array.isArray(b)) return false;
	if (Array.isArray(a) && Array.isArray(b)) {
		return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
	}
	const aKeys = Object.keys(a);
	const bKeys = Object.keys(b);
	return (
		aKeys.length === bKeys.length &&
		aKeys.every(
			(key) =>
				hasOwn(b as JsonObject, key) && deepEqual((a as JsonObject)[key], (b as JsonObject)[key]),
		)
	);
}

export function isObject(value: unknown): value is JsonObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function hasOwn(object: JsonObject, key: string): boolean {
	return Object.prototype.hasOwnProperty.call(object, key);
}

/**
 * JSON text of a value with every object's keys in sorted order: two JSON values are deepEqual
 * exactly when their canonical texts are the same, so a set of these finds repeats in linear time.
 */
export function canonicalJson(value: unknown): string {
	return JSON.stringify(value, (_key, inner: unknown) =>
		isObject(inner)
			? Object.fromEntries(
					Object.keys(inner)
						.sort()
						.map((key) => [key, inner[key]]),
				)
			: inner,
	);
}
