'use strict';
/**
 * The tool-loop simulation's error model (test/unit/toolLoop.simulation.test.ts): the scripted
 * model (scriptedModel.js) erring at a stated rate on every answer, the answer to a repair
 * message included (the scripted model itself always answers a repair perfectly). A simulation
 * of models drifting from the protocol's format, not a claim about real models.
 *
 *   erringReply(messages, { seq, seed, rate }) -> { text, kind, intent } | undefined
 *
 * kind: the scripted model's imperfection applied (TOOL_KINDS or SCHEMA_KINDS), or null; drawn
 *   from (seed, seq) alone, so each answer is decided on its own and reproducibly.
 * intent: what the script means to answer, read from its perfect answer with JSON.parse, apart
 *   from the package's readers: { calls: [{ name, arguments }] }, { value } or { text }.
 * undefined when the scripted model does not answer (no <tools> or <response_schema>).
 */
const { scriptedReply, REPAIR_PREFIX, TOOL_KINDS, SCHEMA_KINDS } = require('./scriptedModel');

function erringReply(messages, { seq = 0, seed = 1, rate = 0 } = {}) {
	// The conversation as first asked: the script's intent does not change in a repair round.
	const asked = withoutRepair(messages);
	const perfect = scriptedReply(asked);
	if (perfect === undefined) return undefined;
	const intent = intentOf(perfect.text, hasTag(asked, 'tools'));
	const kinds = intent.value !== undefined ? SCHEMA_KINDS : TOOL_KINDS;
	const kind =
		intent.text === undefined && draw(seed, 2 * seq) < rate
			? kinds[Math.floor(draw(seed, 2 * seq + 1) * kinds.length)]
			: null;
	if (kind === null) return { text: perfect.text, kind, intent };
	return { text: scriptedReply(asked, { forced: kind, seq }).text, kind, intent };
}

/** The messages before the last repair exchange (assistant answer + repair message), if any. */
function withoutRepair(messages) {
	const last = messages[messages.length - 1];
	const isRepair =
		last && last.role === 'user' && String(last.content).trimStart().startsWith(REPAIR_PREFIX);
	if (!isRepair) return messages;
	let end = messages.length - 1;
	while (end > 0 && messages[end - 1].role === 'assistant') end--;
	return withoutRepair(messages.slice(0, end));
}

/** The script's perfect answer read plainly: the strict call format, a JSON value, or text. */
function intentOf(text, tools) {
	if (tools) {
		if (!text.startsWith('{')) return { text };
		const calls = JSON.parse(text).tool_calls;
		return { calls: calls.map((c) => ({ name: c.name, arguments: c.arguments })) };
	}
	return { value: JSON.parse(text) };
}

function hasTag(messages, tag) {
	return messages.some((m) => m.role === 'developer' && String(m.content).includes(`<${tag}>`));
}

/** A number in [0, 1) from (seed, n): an integer hash (the same family as the scripted model's). */
function draw(seed, n) {
	let h = (Math.imul(seed, 0x27d4eb2d) ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
	h ^= h >>> 16;
	return (h >>> 0) / 4294967296;
}

module.exports = { erringReply };
