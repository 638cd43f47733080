'use strict';
/**
 * How the scripted model goes wrong: the imperfections real models show when they follow a
 * prompt-mode protocol (broken JSON, an unknown tool, wrong arguments, prose or a code fence
 * around the JSON, other vendors' call shapes, a schema violation). Which turn is imperfect is
 * drawn from (seed, turn number), so every run of a test sees the same turns go wrong.
 */
const { isObject, resolve } = require('./scriptedValues');

/** Kinds that change an answer calling tools. */
const TOOL_KINDS = [
	'malformedJson',
	'unknownTool',
	'invalidArguments',
	'proseAround',
	'fenced',
	'openaiShape',
	'nameArguments',
	'toolInput',
	'hermes',
	'multipleCalls',
];
/** Kinds that change a structured (schema) answer. */
const SCHEMA_KINDS = ['malformedJson', 'proseAround', 'fenced', 'schemaViolation'];
const ALL_KINDS = [...TOOL_KINDS, 'schemaViolation'];

/** The kind for this turn: the forced one, else a seeded draw over the sequence; null = perfect. */
function pickKind(options, applicable) {
	const forced = typeof options.forced === 'string' ? options.forced : options.forced?.kind;
	if (forced) return applicable.includes(forced) ? forced : null;
	const imperfection = options.imperfection;
	if (!imperfection || !(imperfection.rate > 0)) return null;
	const seed = imperfection.seed ?? 1;
	const seq = options.seq ?? 0;
	if (unitRandom(seed, 2 * seq) >= imperfection.rate) return null;
	const kinds = (imperfection.kinds ?? ALL_KINDS).filter((k) => applicable.includes(k));
	if (kinds.length === 0) return null;
	return kinds[Math.floor(unitRandom(seed, 2 * seq + 1) * kinds.length)];
}

/** A number in [0, 1) from (seed, n): an integer hash, so any turn can be drawn on its own. */
function unitRandom(seed, n) {
	let h = (seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	h ^= h >>> 16;
	return (h >>> 0) / 4294967296;
}

/** The calls as the model writes them: the protocol's JSON, or the `kind` of imperfection. */
function renderCalls(calls, kind, tools, seq) {
	const strict = (list) => JSON.stringify({ tool_calls: list });
	switch (kind) {
		case 'malformedJson':
			return malformed(strict(calls), seq);
		case 'unknownTool':
			return strict(calls.map((c, i) => (i === 0 ? { ...c, name: `${c.name}_tool` } : c)));
		case 'invalidArguments':
			return strict(
				calls.map((c, i) =>
					i === 0 ? { ...c, arguments: violate(c.arguments, tools[0].parameters) } : c,
				),
			);
		case 'proseAround':
			return `I'll use the tools for this {as asked}.\n${strict(calls)}\nI will report "the result" soon.`;
		case 'fenced':
			return '```json\n' + strict(calls) + '\n```';
		case 'openaiShape':
			return JSON.stringify({
				tool_calls: calls.map((c, i) => ({
					id: `call_${i}`,
					type: 'function',
					function: { name: c.name, arguments: JSON.stringify(c.arguments) },
				})),
			});
		case 'nameArguments':
			return calls.map((c) => JSON.stringify({ name: c.name, arguments: c.arguments })).join('\n');
		case 'toolInput':
			return calls.map((c) => JSON.stringify({ tool: c.name, tool_input: c.arguments })).join('\n');
		case 'hermes':
			return calls.map((c) => `<tool_call>\n${JSON.stringify(c)}\n</tool_call>`).join('\n');
		case 'multipleCalls': {
			// One object per call; a single call is repeated (a model saying it twice).
			const list = calls.length === 1 ? [calls[0], calls[0]] : calls;
			return list.map((c) => strict([c])).join('\n\n');
		}
		default:
			return strict(calls);
	}
}

/** A structured answer as the model writes it: the JSON, or the `kind` of imperfection. */
function renderValue(value, kind, schema, seq) {
	const json = JSON.stringify(value);
	switch (kind) {
		case 'malformedJson':
			return malformed(JSON.stringify(value, null, 2), seq);
		case 'proseAround':
			return `Here is the JSON you asked for {as requested}:\n${json}\nTell me if you need "more".`;
		case 'fenced':
			return '```json\n' + json + '\n```';
		case 'schemaViolation':
			return JSON.stringify(violate(value, schema, schema));
		default:
			return json;
	}
}

/** Broken JSON: a trailing comma on even turns, cut off on odd ones. */
function malformed(json, seq) {
	const close = json.search(/[}\]]\s*$/);
	if (seq % 2 === 0 && /[}\]]$/.test(json.slice(0, close).trimEnd())) {
		return `${json.slice(0, close).trimEnd()},${json.slice(close)}`;
	}
	return json.slice(0, Math.max(1, json.length - 2));
}

/** A copy of `value` that breaks `schema`: the first typed property (deepest first) gets a wrong type. */
function violate(value, schema, root = schema) {
	schema = resolve(schema, root);
	if (isObject(value) && isObject(schema) && isObject(schema.properties)) {
		const keys = Object.keys(schema.properties).filter((k) => k in value);
		const required = Array.isArray(schema.required) ? schema.required : [];
		const key = keys.find((k) => required.includes(k)) ?? keys[0];
		if (key !== undefined) {
			const child = resolve(schema.properties[key], root);
			const current = value[key];
			if (
				Array.isArray(current) &&
				current.length > 0 &&
				isObject(child) &&
				isObject(child.items)
			) {
				const items = [...current];
				items[items.length - 1] = violate(items[items.length - 1], child.items, root);
				return { ...value, [key]: items };
			}
			if (isObject(current) && isObject(child) && isObject(child.properties)) {
				return { ...value, [key]: violate(current, child, root) };
			}
			return { ...value, [key]: wrongType(current) };
		}
	}
	return Array.isArray(value) ? { unexpected: value } : ['unexpected', value];
}

function wrongType(value) {
	if (typeof value === 'string') return 12345;
	if (typeof value === 'number') return `${value} (as text)`;
	if (typeof value === 'boolean') return 'yes';
	return 'none';
}

module.exports = { TOOL_KINDS, SCHEMA_KINDS, ALL_KINDS, pickKind, renderCalls, renderValue };
