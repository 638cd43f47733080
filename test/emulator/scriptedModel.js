'use strict';
/**
 * The emulator's scripted model: answers like a model that follows the package's prompt-mode tool
 * protocol and structured-output prompt (the texts are fixed by
 * nodes/MiniToolAiChatModel/toolProtocol.ts and nodes/shared/json/structuredOutput.ts), optionally
 * with the imperfections real models show. A simulation for tests, not a claim about real models.
 *
 *   scriptedReply(messages, { imperfection, seq, forced, plausible }) -> { text, imperfection } | undefined
 *
 * messages: the request's chat messages ({ role, content: string | parts }).
 * imperfection: { rate: 0..1, kinds?: string[], seed?: number } (the emulator option).
 * seq: the request's sequence number; with the seed it decides, deterministically, which turns
 *   are imperfect and how.
 * forced: { kind } or a kind name (the per-request fault); wins over the rate.
 * plausible: true for answers meant for people (the emulator's `canned` replies): arguments and
 *   fields are read from the question as a model would (scriptedValues.js), tool results are
 *   answered in prose (scriptedAnswers.js), and a question that names no tool is left to the
 *   canned reply. Without it the question is copied into every string, which tests rely on.
 * Returns undefined when the messages hold neither <tools> nor <response_schema> (the emulator
 * then answers as usual). `imperfection` in the result is the kind applied, or null.
 */

const { valueFor, valueContext, isObject, MAX_STRING_CHARS } = require('./scriptedValues');
const imperfections = require('./imperfections');
const { pickKind, renderCalls, renderValue, TOOL_KINDS, SCHEMA_KINDS, ALL_KINDS } = imperfections;
const { plausibleAfterResults, resultsAnswer } = require('./scriptedAnswers');

const REPAIR_PREFIX = 'Your previous answer could not be used:';
/** The tool n8n's AI Agent adds for its Structured Output Parser. */
const FORMAT_TOOL = 'format_final_json_response';

function scriptedReply(messages, options = {}) {
	const tools = taggedJson(messages, 'tools');
	const schema = tools === undefined ? taggedJson(messages, 'response_schema') : undefined;
	if (tools === undefined && schema === undefined) return undefined;

	const users = messages.filter((m) => m.role === 'user').map((m) => textOf(m.content));
	const lastUser = users[users.length - 1] ?? '';
	const isRepair = lastUser.trimStart().startsWith(REPAIR_PREFIX);
	const question = [...users].reverse().find((t) => !t.trimStart().startsWith(REPAIR_PREFIX)) ?? '';
	const plausible = options.plausible === true;

	if (tools !== undefined) {
		const list = (Array.isArray(tools) ? tools : []).filter(
			(t) => isObject(t) && typeof t.name === 'string' && t.name !== '',
		);
		if (/<tool_result\b/.test(question)) {
			if (plausible) {
				const asked = [...users]
					.reverse()
					.find((t) => !t.trimStart().startsWith(REPAIR_PREFIX) && !/<tool_result\b/.test(t));
				return plausibleAfterResults(messages, {
					resultText: question,
					question: asked ?? '',
					tools: list,
					formatToolName: FORMAT_TOOL,
				});
			}
			return { text: resultsAnswer(question), imperfection: null };
		}
		let named = namedTools(list, question, plausible);
		if (named.length === 0 && plausible) {
			// n8n's agent with an output parser expects its answer through the format tool.
			const format = list.find((t) => t.name === FORMAT_TOOL);
			if (!format) return undefined;
			named = [{ name: format.name, parameters: format.parameters ?? {}, at: 0, form: '' }];
		}
		if (named.length === 0) {
			return { text: `I can answer without a tool. You asked: ${question}`, imperfection: null };
		}
		// Unread, the numbers of the question go to the tools' number fields in turn.
		const shared = valueContext(question);
		const calls = named.map((tool, i) => ({
			name: tool.name,
			arguments: valueFor(
				tool.parameters,
				plausible ? toolContext(question, tool, named[i + 1]) : shared,
				tool.parameters,
				0,
				'',
			),
		}));
		const kind = isRepair ? null : pickKind(options, TOOL_KINDS);
		return { text: renderCalls(calls, kind, named, options.seq ?? 0), imperfection: kind };
	}
	const value = valueFor(schema, valueContext(question, { plausible }), schema, 0, '');
	const kind = isRepair ? null : pickKind(options, SCHEMA_KINDS);
	return { text: renderValue(value, kind, schema, options.seq ?? 0), imperfection: kind };
}

/**
 * Read plausibly, a tool gets the part of the question after its name, up to the next tool's
 * ("multiply 17 by 23, then generate an image of a lighthouse" -> "17 by 23" and
 * "a lighthouse"); its numbers and named fields come from that part.
 */
function toolContext(question, tool, next) {
	const start = tool.at + tool.form.length;
	const part = question.slice(start, next ? next.at : undefined).slice(0, MAX_STRING_CHARS);
	const phrase = part
		.replace(/^[\s:,-]*(?:(?:tool|with|for|of|on|to|about|showing|that shows)\s+)*/i, '')
		.replace(/(?:[\s,;.!?]+(?:and\s+then|then|and))*[\s,;.!?]*$/i, '')
		.trim();
	return { ...valueContext(part.trim() === '' ? question : part), plausible: true, phrase };
}

/** The tools the question names (by name, or with _/- as spaces), in the order they appear. */
function namedTools(tools, question, loose = false) {
	const q = question.toLowerCase();
	return tools
		.map((t) => {
			const forms = [t.name.toLowerCase(), t.name.toLowerCase().replace(/[_-]+/g, ' ')];
			let best = { at: Infinity, form: '' };
			for (const form of forms) {
				const at = q.indexOf(form);
				if (at >= 0 && at < best.at) best = { at, form };
			}
			// Read plausibly, a few words may come between the name's words ("generate an image").
			const loosely = loose ? looseMention(t.name, q) : null;
			if (loosely && loosely.at < best.at) best = loosely;
			return { tool: t, ...best };
		})
		.filter((x) => x.at !== Infinity)
		.sort((a, b) => a.at - b.at)
		.map((x) => ({
			name: x.tool.name,
			parameters: x.tool.parameters ?? { type: 'object' },
			at: x.at,
			form: x.form,
		}));
}

/** Where the name's words appear in order with up to two words between them, or null. */
function looseMention(name, lowerQuestion) {
	const words = name
		.toLowerCase()
		.split(/[\s_-]+/)
		.filter(Boolean);
	if (words.length < 2) return null;
	const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
	const pattern = new RegExp(`\\b${escaped.join('(?:\\s+[^\\s]+){0,2}?\\s+')}\\b`);
	const m = pattern.exec(lowerQuestion);
	return m ? { at: m.index, form: m[0] } : null;
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

function textOf(content) {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return '';
	return content
		.filter((p) => p && p.type === 'text')
		.map((p) => p.text)
		.join('\n');
}

module.exports = {
	scriptedReply,
	textOf,
	REPAIR_PREFIX,
	TOOL_KINDS,
	SCHEMA_KINDS,
	ALL_KINDS,
};
