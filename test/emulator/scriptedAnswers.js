'use strict';
/**
 * The scripted model's answer once tool results are back (<tool_result> blocks, the protocol of
 * nodes/MiniToolAiChatModel/toolProtocol.ts).
 * - resultsAnswer: every result named and quoted (tests check it word for word);
 * - plausibleAfterResults: what a model would tell a person ("Multiply (17 by 23) gives 391.
 *   Here is the image of a lighthouse at dusk: <url>"), or, when n8n's agent waits for its
 *   output parser's format tool, that tool called with fields read from the results.
 */
const { valueFor, valueContext, isObject, MAX_STRING_CHARS } = require('./scriptedValues');

const RESULT_BLOCK = /<tool_result\b([^>]*)>\n?([\s\S]*?)\n?<\/tool_result>/g;
/** Fields of an object result quoted in prose, at most. */
const MAX_QUOTED_FIELDS = 3;
/** JSON nested in JSON is unwrapped this many times at most. */
const MAX_UNWRAP = 4;
const IMAGE_FILE = /\.(?:png|jpe?g|webp|gif)(?:\?|$)/i;

/** A text answer that mentions every tool result. */
function resultsAnswer(text) {
	const parts = results(text).map(
		(r) => `${r.name || 'tool'} returned ${r.text.trim().slice(0, MAX_STRING_CHARS)}`,
	);
	return `Based on the tool results: ${parts.join('; ')}.`;
}

function results(text) {
	const out = [];
	for (const match of text.matchAll(RESULT_BLOCK)) {
		out.push({
			id: unescape((/id="([^"]*)"/.exec(match[1]) || [])[1] || ''),
			name: unescape((/name="([^"]*)"/.exec(match[1]) || [])[1] || ''),
			text: match[2],
		});
	}
	return out;
}

function unescape(s) {
	return s
		.replace(/&quot;/g, '"')
		.replace(/&lt;/g, '<')
		.replace(/&amp;/g, '&');
}

/** The calls the model made earlier (its own protocol JSON), by id. */
function earlierCalls(messages) {
	const byId = new Map();
	for (const m of messages) {
		if (m.role !== 'assistant' || typeof m.content !== 'string') continue;
		let parsed;
		try {
			parsed = JSON.parse(m.content);
		} catch {
			continue;
		}
		for (const call of Array.isArray(parsed?.tool_calls) ? parsed.tool_calls : []) {
			if (isObject(call) && typeof call.id === 'string') byId.set(call.id, call);
		}
	}
	return byId;
}

/** A result as the value worth telling: n8n wraps tool outputs in arrays and {response}. */
function essence(text) {
	let value = text.trim();
	for (let i = 0; i < MAX_UNWRAP; i++) {
		if (typeof value === 'string') {
			try {
				value = JSON.parse(value);
			} catch {
				return value;
			}
		}
		if (Array.isArray(value) && value.length === 1) value = value[0];
		else if (isObject(value) && Object.keys(value).length === 1 && 'response' in value)
			value = value.response;
		else return value;
	}
	return value;
}

/** { link } for a result that carries a URL, { scalar } for a plain value, else { fields }. */
function summarise(value) {
	if (value === null || typeof value !== 'object') return { scalar: String(value) };
	if (isObject(value)) {
		const entries = Object.entries(value);
		const link = entries.find(([k, v]) => /url|link/i.test(k) && /^https?:\/\//.test(String(v)));
		if (link) return { link: String(link[1]), image: /image/i.test(link[0]) };
		const scalars = entries.filter(([, v]) => v === null || typeof v !== 'object');
		return { fields: scalars.slice(0, MAX_QUOTED_FIELDS).map(([k, v]) => `${k}: ${v}`) };
	}
	return { fields: [`${value.length} results`] };
}

/** The arguments as words: the only string, or the values joined (n8n's agent adds the call's `id`). */
function argumentPhrase(call) {
	const args = isObject(call?.arguments) ? Object.entries(call.arguments) : [];
	const words = args
		.filter(([key, v]) => key !== 'id' && (typeof v === 'string' || typeof v === 'number'))
		.map(([, v]) => String(v));
	return words.join(', ').slice(0, MAX_STRING_CHARS);
}

function sentence(result, call) {
	const label = result.name.replace(/[_-]+/g, ' ') || 'The tool';
	const phrase = argumentPhrase(call);
	const told = summarise(essence(result.text));
	if (told.link) {
		const image = told.image || IMAGE_FILE.test(told.link);
		if (image) return `Here is the image${phrase ? ` of ${phrase}` : ''}: ${told.link}`;
		return `${label} found this link: ${told.link}`;
	}
	const value = told.scalar ?? told.fields.join(', ');
	const text = `${label}${phrase ? ` (${phrase})` : ''} gives ${value.slice(0, MAX_STRING_CHARS)}.`;
	return text[0].toUpperCase() + text.slice(1);
}

/**
 * The answer after tool results, meant for people: prose built from every result, or (when the
 * format tool of n8n's output parser is listed) that tool called with fields read from the
 * results and the question, the prose in fields such as `summary`.
 */
function plausibleAfterResults(messages, { resultText, question, tools, formatToolName }) {
	const calls = earlierCalls(messages);
	const told = results(resultText);
	const answer = told.map((r) => sentence(r, calls.get(r.id))).join(' ');
	const format = tools.find((t) => t.name === formatToolName);
	if (!format || told.some((r) => r.name === formatToolName)) {
		return { text: answer, imperfection: null };
	}
	const values = told.map((r) => summarise(essence(r.text)));
	const facts = values.map((v) => v.link ?? v.scalar ?? v.fields.join('\n')).join('\n');
	const numbers = values
		.filter((v) => v.scalar !== undefined)
		.map((v) => Number(v.scalar))
		.filter(Number.isFinite);
	const ctx = valueContext(`${facts}\n${question}`, { plausible: true, answer });
	ctx.numbers = [...numbers, ...valueContext(question).numbers];
	const parameters = format.parameters ?? {};
	const call = { name: format.name, arguments: valueFor(parameters, ctx, parameters, 0, '') };
	return { text: JSON.stringify({ tool_calls: [call] }), imperfection: null };
}

module.exports = { resultsAnswer, plausibleAfterResults };
