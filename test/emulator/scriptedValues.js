'use strict';
/**
 * The values the scripted model puts into a JSON Schema (a structured answer, or a tool's
 * arguments). Two readings of the text:
 * - the default, which tests rely on: every string is the question itself, numbers are the
 *   question's numbers in turn, enums their first value;
 * - `plausible` (answers meant for people): a field is filled the way a model would fill it from
 *   its name and the text (textFacts.js): `email` gets the e-mail address, `quantity` the count,
 *   an enum the value the text mentions; what the name does not tell falls back to `ctx.phrase`
 *   (the part of the question meant for a tool) or the text's first sentence.
 *
 * ctx: { question, numbers, next, plausible?, phrase?, answer? }; `next` walks through `numbers`.
 */
const { fieldFromText, labelledValue, firstSentence } = require('./textFacts');

/** Strings longer than this are cut when the question is copied into a value. */
const MAX_STRING_CHARS = 200;
/** Schemas that refer to themselves stop growing at this depth. */
const MAX_VALUE_DEPTH = 6;
/** Field names a model fills with its own answer in prose. */
const PROSE_FIELD = /summary|answer|text|description|message|reply|response|explanation/i;

/** A value for `schema`: every property, arrays of 2, numbers from the question in turn. */
function valueFor(schema, ctx, root, depth, key) {
	schema = resolve(schema, root);
	if (!isObject(schema)) return ctx.question.slice(0, MAX_STRING_CHARS);
	if ('const' in schema) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length > 0) return enumFor(schema.enum, ctx);
	const alternatives = schema.anyOf ?? schema.oneOf ?? schema.allOf;
	if (Array.isArray(alternatives) && alternatives.length > 0) {
		const branch = alternatives.find((b) => !(isObject(b) && b.type === 'null')) ?? alternatives[0];
		return valueFor(branch, ctx, root, depth, key);
	}
	const types = Array.isArray(schema.type) ? schema.type : [schema.type];
	let type = types.find((t) => t !== undefined && t !== 'null') ?? types[0];
	if (type === undefined) type = schema.properties ? 'object' : schema.items ? 'array' : 'string';
	if (depth >= MAX_VALUE_DEPTH) return type === 'array' ? [] : type === 'object' ? {} : null;
	switch (type) {
		case 'object': {
			const out = {};
			for (const [name, child] of Object.entries(schema.properties ?? {})) {
				out[name] = valueFor(child, ctx, root, depth + 1, name);
			}
			return out;
		}
		case 'array': {
			let count = Math.max(2, schema.minItems ?? 0);
			if (typeof schema.maxItems === 'number') count = Math.min(count, schema.maxItems);
			return Array.from({ length: count }, () =>
				valueFor(schema.items ?? {}, ctx, root, depth + 1, key),
			);
		}
		case 'number':
		case 'integer':
			return numberFor(schema, ctx, type === 'integer', key);
		case 'boolean':
			return true;
		case 'null':
			return null;
		default:
			return stringFor(schema, ctx, key);
	}
}

/** The first value; read plausibly, the first one the question names. */
function enumFor(values, ctx) {
	if (ctx.plausible) {
		const q = ctx.question.toLowerCase();
		const named = values.find(
			(v) => typeof v === 'string' && v !== '' && q.includes(v.toLowerCase()),
		);
		if (named !== undefined) return named;
	}
	return values[0];
}

function numberFor(schema, ctx, integer, key) {
	const read = ctx.plausible ? fieldFromText(key ?? '', 'number', ctx.question) : undefined;
	let n = read;
	if (n === undefined)
		n = ctx.numbers.length > 0 ? ctx.numbers[ctx.next++ % ctx.numbers.length] : 1;
	if (integer) n = Math.round(n);
	const step = integer ? 1 : 0.5;
	if (typeof schema.minimum === 'number' && n < schema.minimum) n = schema.minimum;
	if (typeof schema.exclusiveMinimum === 'number' && n <= schema.exclusiveMinimum)
		n = schema.exclusiveMinimum + step;
	if (typeof schema.maximum === 'number' && n > schema.maximum) n = schema.maximum;
	if (typeof schema.exclusiveMaximum === 'number' && n >= schema.exclusiveMaximum)
		n = schema.exclusiveMaximum - step;
	return integer ? Math.ceil(n) : n;
}

function stringFor(schema, ctx, key) {
	let s = ctx.plausible ? plausibleString(ctx, key) : undefined;
	if (s === undefined) s = ctx.question.trim().slice(0, MAX_STRING_CHARS) || key || 'text';
	if (typeof schema.maxLength === 'number') s = s.slice(0, schema.maxLength);
	if (typeof schema.minLength === 'number') s = s.padEnd(schema.minLength, '.');
	return s;
}

function plausibleString(ctx, key) {
	const name = key ?? '';
	const read = labelledValue(name, ctx.question) ?? fieldFromText(name, 'string', ctx.question);
	if (read !== undefined) return read;
	if (ctx.answer && PROSE_FIELD.test(name)) return ctx.answer;
	if (ctx.phrase) return ctx.phrase;
	return firstSentence(ctx.question, MAX_STRING_CHARS) || undefined;
}

/** Follows a local $ref (#/definitions/X, #/$defs/X, #). */
function resolve(schema, root, hops = 0) {
	if (!isObject(schema) || typeof schema.$ref !== 'string' || hops > 16) return schema;
	if (!schema.$ref.startsWith('#')) return {};
	let node = root;
	for (const part of schema.$ref.slice(2).split('/').filter(Boolean)) {
		node = isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
	}
	return resolve(node ?? {}, root, hops + 1);
}

function isObject(v) {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The question's context for valueFor: its numbers are used in turn. */
function valueContext(question, extra = {}) {
	return {
		question,
		numbers: (question.match(/-?\d+(?:\.\d+)?/g) || []).map(Number),
		next: 0,
		...extra,
	};
}

module.exports = { valueFor, valueContext, resolve, isObject, MAX_STRING_CHARS };
