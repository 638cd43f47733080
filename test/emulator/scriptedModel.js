'use strict';
/**
 * The emulator's scripted model: answers like a model that follows the package's prompt-mode tool
 * protocol and structured-output prompt (the texts are fixed by
 * nodes/MiniToolAiChatModel/toolProtocol.ts and nodes/shared/json/structuredOutput.ts), optionally
 * with the imperfections real models show. A simulation for tests, not a claim about real models.
 *
 *   scriptedReply(messages, { imperfection, seq, forced }) -> { text, imperfection } | undefined
 *
 * messages: the request's chat messages ({ role, content: string | parts }).
 * imperfection: { rate: 0..1, kinds?: string[], seed?: number } (the emulator option).
 * seq: the request's sequence number; with the seed it decides, deterministically, which turns
 *   are imperfect and how.
 * forced: { kind } or a kind name (the per-request fault); wins over the rate.
 * Returns undefined when the messages hold neither <tools> nor <response_schema> (the emulator
 * then answers as usual). `imperfection` in the result is the kind applied, or null.
 */

const REPAIR_PREFIX = 'Your previous answer could not be used:';

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

/** Strings longer than this are cut when the question is copied into a value. */
const MAX_STRING_CHARS = 200;
/** Schemas that refer to themselves stop growing at this depth. */
const MAX_VALUE_DEPTH = 6;

function scriptedReply(messages, options = {}) {
	const tools = taggedJson(messages, 'tools');
	const schema = tools === undefined ? taggedJson(messages, 'response_schema') : undefined;
	if (tools === undefined && schema === undefined) return undefined;

	const users = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content));
	const lastUser = users[users.length - 1] ?? '';
	const isRepair = lastUser.trimStart().startsWith(REPAIR_PREFIX);
	const question = [...users].reverse().find((t) => !t.trimStart().startsWith(REPAIR_PREFIX)) ?? '';
	const ctx = {
		question,
		numbers: (question.match(/-?\d+(?:\.\d+)?/g) || []).map(Number),
		next: 0,
	};

	if (tools !== undefined) {
		const list = Array.isArray(tools) ? tools : [];
		if (/<tool_result\b/.test(question))
			return { text: resultsAnswer(question), imperfection: null };
		const named = namedTools(list, question);
		if (named.length === 0) {
			return { text: `I can answer without a tool. You asked: ${question}`, imperfection: null };
		}
		const calls = named.map((tool) => ({
			name: tool.name,
			arguments: valueFor(tool.parameters, ctx, tool.parameters, 0, ''),
		}));
		const kind = isRepair ? null : pickKind(options, TOOL_KINDS);
		return { text: renderCalls(calls, kind, named, options.seq ?? 0), imperfection: kind };
	}
	const value = valueFor(schema, ctx, schema, 0, '');
	const kind = isRepair ? null : pickKind(options, SCHEMA_KINDS);
	return { text: renderValue(value, kind, schema, options.seq ?? 0), imperfection: kind };
}

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

/** A value for `schema`: every property, arrays of 2, numbers from the question in turn. */
function valueFor(schema, ctx, root, depth, key) {
	schema = resolve(schema, root);
	if (!isObject(schema)) return ctx.question.slice(0, MAX_STRING_CHARS);
	if ('const' in schema) return schema.const;
	if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
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
			return numberFor(schema, ctx, type === 'integer');
		case 'boolean':
			return true;
		case 'null':
			return null;
		default:
			return stringFor(schema, ctx, key);
	}
}

function numberFor(schema, ctx, integer) {
	let n = ctx.numbers.length > 0 ? ctx.numbers[ctx.next++ % ctx.numbers.length] : 1;
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
	let s = ctx.question.trim().slice(0, MAX_STRING_CHARS) || key || 'text';
	if (typeof schema.maxLength === 'number') s = s.slice(0, schema.maxLength);
	if (typeof schema.minLength === 'number') s = s.padEnd(schema.minLength, '.');
	return s;
}

/** The tools the question names (by name, or with _/- as spaces), in the order they appear. */
function namedTools(tools, question) {
	const q = question.toLowerCase();
	return tools
		.filter((t) => isObject(t) && typeof t.name === 'string' && t.name !== '')
		.map((t) => {
			const forms = [t.name.toLowerCase(), t.name.toLowerCase().replace(/[_-]+/g, ' ')];
			const at = Math.min(...forms.map((f) => q.indexOf(f)).map((i) => (i < 0 ? Infinity : i)));
			return { tool: t, at };
		})
		.filter((x) => x.at !== Infinity)
		.sort((a, b) => a.at - b.at)
		.map((x) => ({ name: x.tool.name, parameters: x.tool.parameters ?? { type: 'object' } }));
}

/** A text answer that mentions every tool result. */
function resultsAnswer(text) {
	const parts = [];
	for (const match of text.matchAll(/<tool_result\b([^>]*)>\n?([\s\S]*?)\n?<\/tool_result>/g)) {
		const name = (/name="([^"]*)"/.exec(match[1]) || [])[1] || 'tool';
		parts.push(`${unescape(name)} returned ${match[2].trim().slice(0, MAX_STRING_CHARS)}`);
	}
	return `Based on the tool results: ${parts.join('; ')}.`;
}

function unescape(s) {
	return s
		.replace(/&quot;/g, '"')
		.replace(/&lt;/g, '<')
		.replace(/&amp;/g, '&');
}

/** The JSON between <tag> and </tag> in a developer/system message, or undefined. */
function taggedJson(messages, tag) {
	const pattern = new RegExp(`<${tag}>\\s*([\\s\\S]*?)\\s*</${tag}>`);
	for (const m of messages) {
		if (m.role !== 'developer' && m.role !== 'system') continue;
		const match = pattern.exec(textOf(m.content));
		if (!match) continue;
		try {
			return JSON.parse(match[1]);
		} catch {
			return null; // tagged but unreadable: still scripted mode, with nothing to use
		}
	}
	return undefined;
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

function textOf(content) {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.filter((p) => p && p.type === 'text')
		.map((p) => p.text)
		.join('\n');
}

function isObject(v) {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

module.exports = { scriptedReply, REPAIR_PREFIX, TOOL_KINDS, SCHEMA_KINDS, ALL_KINDS };
