'use strict';
/**
 * The chat reply's text and its accounting: echo or canned text (or the scripted model's answer),
 * the emulator's token rule and the usage object. Pure functions apart from the scripted-model
 * hook, so tests and the CLI can reuse them.
 */
const fs = require('node:fs');
const path = require('node:path');
const { cannedReply } = require('./canned');

const REPLY_MODES = ['echo', 'canned'];
// Written separately (the prompt-mode tool protocol); the emulator works without it.
const SCRIPTED_MODEL_PATH = path.join(__dirname, 'scriptedModel.js');

function describeImage(url) {
	if (url.startsWith('data:')) {
		const comma = url.indexOf(',');
		const meta = comma >= 0 ? url.slice(5, comma) : '';
		const payload = comma >= 0 ? url.slice(comma + 1) : '';
		let bytes;
		if (/;base64$/i.test(meta)) bytes = Buffer.from(payload, 'base64').length;
		else {
			try {
				bytes = Buffer.byteLength(decodeURIComponent(payload));
			} catch {
				bytes = Buffer.byteLength(payload);
			}
		}
		return `[image: data URL, ${bytes} bytes]`;
	}
	return `[image: ${url}]`;
}

function messageText(content) {
	if (typeof content === 'string') return content;
	return content
		.filter((p) => p.type === 'text')
		.map((p) => p.text)
		.join(' ');
}

function lastUserMessage(messages) {
	let last = null;
	for (const m of messages) if (m.role === 'user') last = m;
	return last;
}

/** The text parts of the last user message ('' without one). */
function lastUserText(messages) {
	const last = lastUserMessage(messages);
	return last ? messageText(last.content) : '';
}

/** The echo reply: `Echo: <text of the last user message>`, image parts described. */
function replyFor(messages) {
	const last = lastUserMessage(messages);
	if (!last) return 'Echo:';
	let text;
	if (typeof last.content === 'string') text = last.content;
	else {
		const images = last.content
			.filter((p) => p.type === 'image_url')
			.map((p) => describeImage(p.image_url.url));
		text = [messageText(last.content), ...images].filter((s) => s !== '').join(' ');
	}
	return text === '' ? 'Echo:' : `Echo: ${text}`;
}

/** The scripted model: the one given to startEmulator (null: none), else the file if present. */
function scriptedModel(override) {
	if (override !== undefined) return override;
	// checked per request so a model file added while the emulator runs is picked up
	return fs.existsSync(SCRIPTED_MODEL_PATH) ? require(SCRIPTED_MODEL_PATH) : null;
}

/**
 * The text to stream for a chat request. The scripted model answers first (it returns undefined
 * for conversations it does not handle); then the configured reply mode. With `canned` replies
 * (meant for people) the scripted model reads arguments and fields plausibly, and the canned text
 * sees the conversation: the instructions, earlier user messages and the message's pictures.
 * @param {object} opts the emulator's options (replies, imperfectModel, scriptedModel)
 * @param {{ sequence: number, forced?: string, describePicture?: (url: string) => string | undefined }}
 *   turn the chat turn's number (1-based), the kind an `imperfect` fault forces, and what the
 *   emulator drew at an image URL (pictures.js)
 */
function replyText(messages, opts, turn) {
	const canned = opts.replies === 'canned';
	const model = scriptedModel(opts.scriptedModel);
	if (model && typeof model.scriptedReply === 'function') {
		const answer = model.scriptedReply(messages, {
			imperfection: opts.imperfectModel || undefined,
			seq: turn.sequence,
			forced: turn.forced,
			plausible: canned || undefined,
		});
		if (answer && typeof answer.text === 'string') return answer.text;
	}
	if (canned) {
		const last = lastUserMessage(messages);
		const textsOf = (test) => messages.filter(test).map((m) => messageText(m.content));
		const images = last && Array.isArray(last.content) ? last.content : [];
		return cannedReply(last ? messageText(last.content) : '', {
			instructions: textsOf((m) => m.role === 'developer' || m.role === 'system').join('\n'),
			earlier: textsOf((m) => m.role === 'user' && m !== last),
			pictures: images
				.filter((p) => p.type === 'image_url')
				.map((p) => (turn.describePicture && turn.describePicture(p.image_url.url)) || null),
		});
	}
	return replyFor(messages);
}

/** Word pieces: each word with its leading whitespace; trailing whitespace rides on the last. */
function tokenize(text) {
	const tokens = text.match(/\s*\S+/g) || [];
	const trail = /\s+$/.exec(text);
	if (trail && tokens.length) tokens[tokens.length - 1] += trail[0];
	return tokens;
}

function countPromptTokens(messages) {
	let total = 0;
	for (const m of messages) {
		const words = messageText(m.content).match(/\S+/g);
		total += (words ? words.length : 0) + 3;
	}
	return total;
}

function usageObject(promptTokens, completionTokens) {
	return {
		prompt_tokens: promptTokens,
		completion_tokens: completionTokens,
		total_tokens: promptTokens + completionTokens,
		prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
		completion_tokens_details: {
			reasoning_tokens: 0,
			audio_tokens: 0,
			accepted_prediction_tokens: 0,
			rejected_prediction_tokens: 0,
		},
	};
}

module.exports = {
	REPLY_MODES,
	replyFor,
	replyText,
	lastUserText,
	tokenize,
	countPromptTokens,
	usageObject,
};
