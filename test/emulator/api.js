'use strict';
/**
 * The MiniToolAI API's documented facts (docs/minitoolai-api.md in this repository): models, enums,
 * ranges, prices, and the validation of request bodies. Kept apart from the package's own constants
 * on purpose, so a wrong constant in nodes/ cannot make the emulator agree with it.
 */
const { isPlainObject, isInt, isNum, present } = require('./util');

// Documented chat models; the dated ids and fingerprints are the emulator's own plausible values.
const CHAT_MODELS = {
	'gpt-4o': { dated: 'gpt-4o-2024-08-06', fingerprint: 'fp_a288987b44', input: 2.5, output: 10 },
	'gpt-4o-mini': {
		dated: 'gpt-4o-mini-2024-07-18',
		fingerprint: 'fp_06737a9306',
		input: 0.15,
		output: 0.6,
	},
	'gpt-4.1': { dated: 'gpt-4.1-2025-04-14', fingerprint: 'fp_b3f1157249', input: 2, output: 8 },
	'gpt-4.1-mini': {
		dated: 'gpt-4.1-mini-2025-04-14',
		fingerprint: 'fp_6f2eabb9a5',
		input: 0.4,
		output: 1.6,
	},
	'gpt-4.1-nano': {
		dated: 'gpt-4.1-nano-2025-04-14',
		fingerprint: 'fp_eede8f0d45',
		input: 0.1,
		output: 0.4,
	},
};
const CHAT_ROLES = ['developer', 'user', 'assistant'];
const IMAGE_DETAILS = ['auto', 'high', 'low'];
const IMAGE_MODELS = [
	'realvision',
	'juggernaut',
	'autismmix',
	'dreamshaper',
	'valhalla',
	'mixrealistic',
	'campursari',
	'reality',
	'extrarealistic',
	'realism',
	'realgirls',
	'realityreborn',
	'amigo',
	'simplemix',
	'beautifulrealistic',
];
const SCHEDULERS = [
	'Euler a',
	'Euler',
	'LMS',
	'Heun',
	'DPM2',
	'DPM2 a',
	'DPM++ 2S a',
	'DPM++ 2M',
	'DPM++ SDE',
	'DPM++ 2M SDE',
	'DPM fast',
	'LMS Karras',
	'DPM2 Karras',
	'DPM2 a Karras',
	'DPM++ 2S a Karras',
	'DPM++ 2M Karras',
	'DPM++ SDE Karras',
	'DPM++ 2M SDE Karras',
];
const IMAGE_PRICE_USD = 0.0015;
const DEFAULT_MAX_COMPLETION_TOKENS = 1000;

// ---------- validation (400 messages name the field) ----------

function validateContent(content, where) {
	if (typeof content === 'string') return null;
	if (!Array.isArray(content)) return `${where} must be a string or an array of content parts`;
	for (let i = 0; i < content.length; i++) {
		const part = content[i];
		const at = `${where}[${i}]`;
		if (!isPlainObject(part)) return `${at} must be an object`;
		if (part.type === 'text') {
			if (typeof part.text !== 'string') return `${at}.text must be a string`;
		} else if (part.type === 'image_url') {
			if (!isPlainObject(part.image_url) || typeof part.image_url.url !== 'string') {
				return `${at}.image_url.url must be a string`;
			}
			const detail = part.image_url.detail;
			if (present(detail) && !IMAGE_DETAILS.includes(detail)) {
				return `${at}.image_url.detail must be one of: ${IMAGE_DETAILS.join(', ')}`;
			}
		} else {
			return `${at}.type must be one of: text, image_url`;
		}
	}
	return null;
}

function validateChat(body) {
	if (!isPlainObject(body)) return 'Request body must be a JSON object';
	if (!present(body.model)) return 'model is required';
	if (!Object.prototype.hasOwnProperty.call(CHAT_MODELS, body.model)) {
		return `model must be one of: ${Object.keys(CHAT_MODELS).join(', ')}`;
	}
	if (!Array.isArray(body.messages) || body.messages.length === 0) {
		return 'messages is required and must be a non-empty array';
	}
	for (let i = 0; i < body.messages.length; i++) {
		const msg = body.messages[i];
		if (!isPlainObject(msg)) return `messages[${i}] must be an object with role and content`;
		if (!CHAT_ROLES.includes(msg.role)) {
			return `messages[${i}].role must be one of: ${CHAT_ROLES.join(', ')}`;
		}
		const err = validateContent(msg.content, `messages[${i}].content`);
		if (err) return err;
	}
	const t = body.temperature;
	if (present(t) && (!isNum(t) || t < 0 || t > 2)) {
		return 'temperature must be a number between 0 and 2';
	}
	const max = body.max_completion_tokens;
	if (present(max) && (!isInt(max) || max < 1)) {
		return 'max_completion_tokens must be a positive integer';
	}
	return null;
}

function validateSubmit(body) {
	if (!isPlainObject(body)) return 'Request body must be a JSON object';
	if (!present(body.model)) return 'model is required';
	if (!IMAGE_MODELS.includes(body.model)) return `model must be one of: ${IMAGE_MODELS.join(', ')}`;
	if (typeof body.prompt !== 'string' || body.prompt.trim() === '') {
		return 'prompt is required and must be a non-empty string';
	}
	if (present(body.negativePrompt) && typeof body.negativePrompt !== 'string') {
		return 'negativePrompt must be a string or null';
	}
	if (present(body.scheduler) && !SCHEDULERS.includes(body.scheduler)) {
		return `scheduler must be one of: ${SCHEDULERS.join(', ')}`;
	}
	if (present(body.steps) && (!isInt(body.steps) || body.steps < 1 || body.steps > 8)) {
		return 'steps must be an integer between 1 and 8';
	}
	const cfg = body.cfgScale;
	if (present(cfg) && (!isNum(cfg) || cfg < 1 || cfg > 7)) {
		return 'cfgScale must be a number between 1 and 7';
	}
	for (const field of ['width', 'height']) {
		const v = body[field];
		if (present(v) && (!isInt(v) || v < 256 || v > 1344)) {
			return `${field} must be an integer between 256 and 1344`;
		}
	}
	return null;
}

module.exports = {
	CHAT_MODELS,
	CHAT_ROLES,
	IMAGE_MODELS,
	SCHEDULERS,
	IMAGE_PRICE_USD,
	DEFAULT_MAX_COMPLETION_TOKENS,
	validateChat,
	validateSubmit,
};
