'use strict';
/**
 * POST /api/chat-completions/: the answer as a Server-Sent Events stream shaped like the documented
 * example, its charge, and the chat answer faults (broken, stalled, odd or erroring streams).
 */
const { drawAnswerTimes, lengthenReply } = require('./answerTimes');
const { CHAT_MODELS, DEFAULT_MAX_COMPLETION_TOKENS, validateChat } = require('./api');
const { refusePaid, charge } = require('./billing');
const { LATE_FAULTS, takeFault } = require('./faults');
const { describePicture } = require('./pictures');
const { replyText, tokenize, countPromptTokens, usageObject, lastUserText } = require('./replies');
const { randomAlnum, isInt, present, sendJson, write } = require('./util');

const DEFAULT_STREAM_ERROR = 'The server had an error while processing your request (emulated)';
const DEFAULT_ERROR_EVENT = 'Upstream model error (emulated)';
const DEFAULT_ERROR_BODY = { status: 'error', message: 'Model is overloaded (emulated)' };
const DEFAULT_LONG_LINE_BYTES = 1024 * 1024;
const LONG_LINE_PIECE_BYTES = 64 * 1024;
// Answers that never complete, or report an error, cost nothing.
const UNCHARGED = ['drop', 'streamError', 'stall', 'errorEvent', 'errorBody', 'longLine'];
const DONE = '[DONE]';

/**
 * The reply for a valid chat body: tokens sent, finish reason, usage and the chunk envelope. With
 * answer times (`times`, this request's draws) the reply is lengthened to the drawn token count.
 */
function composeAnswer(state, body, fault, sequence, times) {
	const model = CHAT_MODELS[body.model];
	const forced = fault && fault.type === 'imperfect' ? fault.kind : undefined;
	const describe = (url) => describePicture(state, url);
	const turn = { sequence, forced, describePicture: describe };
	const reply = replyText(body.messages, state.opts, turn);
	const tokens = tokenize(
		times ? lengthenReply(reply, times.tokens, lastUserText(body.messages)) : reply,
	);
	const max = present(body.max_completion_tokens)
		? body.max_completion_tokens
		: DEFAULT_MAX_COMPLETION_TOKENS;
	const sent = tokens.slice(0, max);
	const usage = usageObject(countPromptTokens(body.messages), sent.length);
	const cost =
		(usage.prompt_tokens * model.input) / 1e6 + (usage.completion_tokens * model.output) / 1e6;
	const base = {
		id: `chatcmpl-${randomAlnum(29)}`,
		object: 'chat.completion.chunk',
		created: Math.floor(Date.now() / 1000),
		model: model.dated,
		service_tier: 'default',
		system_fingerprint: model.fingerprint,
	};
	const finishReason = sent.length < tokens.length ? 'length' : 'stop';
	return { model, sent, finishReason, usage, cost, base };
}

function completionObject(a) {
	return {
		id: a.base.id,
		object: 'chat.completion',
		created: a.base.created,
		model: a.base.model,
		choices: [
			{
				index: 0,
				message: { role: 'assistant', content: a.sent.join(''), refusal: null, annotations: [] },
				logprobs: null,
				finish_reason: a.finishReason,
			},
		],
		usage: a.usage,
		service_tier: 'default',
		system_fingerprint: a.model.fingerprint,
	};
}

/** The stream's events as `{ data, event? }`, shaped by the fault. */
function chatEvents(a, fault) {
	const chunk = (delta, finish) => ({
		data: {
			...a.base,
			choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
			usage: null,
		},
	});
	const content = a.sent.map((t) => chunk({ content: t }, null));
	const finish = chunk({}, a.finishReason);
	const usage = { data: { ...a.base, choices: [], usage: a.usage } };
	const full = [...content, finish, usage, { data: DONE }];
	switch (fault ? fault.type : null) {
		case 'noUsage':
			return [...content, finish];
		case 'streamError': {
			const error = { message: fault.message || DEFAULT_STREAM_ERROR, type: 'server_error' };
			return [...content.slice(0, 1), { data: { error } }, { data: DONE }];
		}
		case 'errorEvent': {
			const message = fault.message || DEFAULT_ERROR_EVENT;
			return [...content.slice(0, 1), { event: 'error', data: { message } }];
		}
		case 'drop':
		case 'stall': {
			const fallback = 1;
			const n = isInt(fault.afterChunks) ? Math.max(0, fault.afterChunks) : fallback;
			return full.slice(0, -1).slice(0, n);
		}
		default:
			return full;
	}
}

/** SSE text of the events: one `data:` line each, or pretty-printed over several lines. */
function frames(events, sep, multiline, malformed) {
	const eol = sep.includes('\r') ? '\r\n' : '\n';
	// a frame of several lines must still end in a blank line, whatever the separator
	const blank = /(\r?\n){2}$/.test(sep) ? sep : sep + eol;
	const out = events.map((e) => {
		const data =
			typeof e.data === 'string' ? e.data : JSON.stringify(e.data, null, multiline ? 2 : 0);
		const lines = (e.event ? [`event: ${e.event}`] : []).concat(
			data.split('\n').map((l) => `data: ${l}`),
		);
		return lines.join(eol) + (lines.length > 1 ? blank : sep);
	});
	if (!malformed) return out;
	const garbage = ['data: {not json', `garbage line ${randomAlnum(8)}`, ': emulator comment'];
	return out.map((f, i) => (i < out.length - 1 ? `${f}${garbage[i % garbage.length]}${sep}` : f));
}

function startStream(res) {
	res.writeHead(200, {
		'Content-Type': 'text/event-stream',
		'Cache-Control': 'no-cache',
		Connection: 'keep-alive',
	});
	res.flushHeaders();
}

/** One `data:` line of `bytes` bytes that never ends, written with the socket's back-pressure. */
async function writeLongLine(state, res, a, fault) {
	const bytes = isInt(fault.bytes) ? fault.bytes : DEFAULT_LONG_LINE_BYTES;
	const head = `data: ${JSON.stringify({ ...a.base, choices: [{ index: 0, delta: { content: '' } }] })}`;
	// reopen the content string so the line still looks like the start of a real chunk
	const start = Buffer.from(head.slice(0, head.lastIndexOf('""') + 1), 'utf8').subarray(0, bytes);
	await write(res, start);
	const piece = Buffer.alloc(LONG_LINE_PIECE_BYTES, 'x');
	for (let left = bytes - start.length; left > 0; left -= piece.length) {
		if (state.closed || res.destroyed) return;
		await write(res, left >= piece.length ? piece : piece.subarray(0, left));
	}
	await state.never();
}

/**
 * Answers a valid chat body (after auth, validation and balance). `onCharge(usd)` is called unless
 * the fault makes the answer fail; the other host passes null (nothing to charge). `rec` (the
 * request's record) gets `streamed`: the content text and the events written to the socket.
 * `times`: this request's answer times (answerTimes.js), else every event `tokenDelayMs` apart.
 */
async function answerChat(state, res, body, fault, sequence, onCharge, rec, times) {
	const a = composeAnswer(state, body, fault, sequence, times);
	const type = fault ? fault.type : null;
	if (onCharge && !UNCHARGED.includes(type)) onCharge(a.cost);
	if (type === 'json') return sendJson(res, 200, completionObject(a));
	if (type === 'errorBody') return sendJson(res, 200, fault.body || DEFAULT_ERROR_BODY);
	if (res.destroyed) return;
	startStream(res);
	if (type === 'longLine') return writeLongLine(state, res, a, fault);
	const sep = state.opts.sseSeparator;
	const events = chatEvents(a, fault);
	const text = frames(events, sep, type === 'multilineData', type === 'malformed');
	const streamed = { text: '', events: 0, of: text.length, firstAt: null };
	if (rec) rec.streamed = streamed;
	for (let i = 0; i < text.length; i++) {
		if (times) await state.sleep(i === 0 ? times.firstTokenMs : times.tokenGapMs);
		else if (i > 0) await state.sleep(state.opts.tokenDelayMs);
		if (state.closed || res.destroyed) return;
		if (!(await write(res, text[i]))) return;
		if (streamed.events++ === 0) streamed.firstAt = Date.now();
		const delta = events[i].data && events[i].data.choices && events[i].data.choices[0];
		if (delta && delta.delta && typeof delta.delta.content === 'string') {
			streamed.text += delta.delta.content;
		}
	}
	// drop cuts the connection mid-stream: no terminating chunk, no [DONE]
	if (type === 'drop') return res.destroy();
	// stall and holdOpen keep the socket open until the client gives up or close()
	if (type === 'stall' || type === 'holdOpen') return state.never();
	res.end();
}

async function handleChat(state, call) {
	const { res, body, key, rec } = call;
	if (refusePaid(state, res, key, validateChat(body))) return;
	const fault = takeFault(state, 'chat', key, LATE_FAULTS.chat);
	const sequence = ++state.chatSeq;
	const times = state.opts.answerTimes
		? drawAnswerTimes(state.opts.answerTimes, rec.rawBody)
		: null;
	const onCharge = (usd) => charge(state, key, usd, rec);
	return answerChat(state, res, body, fault, sequence, onCharge, rec, times);
}

module.exports = { handleChat, answerChat };
