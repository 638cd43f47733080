'use strict';
/** The request log (`emu.requests`): one record per API or second-host request, finalised on close. */
const { normalisePath, readBody, parseJson } = require('./util');

/** Records a request in `state.requests`; the record is finalised when the response closes. */
function record(state, server, req, res) {
	const rec = {
		seq: ++state.seq,
		server,
		method: req.method,
		path: req.url,
		headers: { ...req.headers },
		body: null,
		rawBody: '',
		startedAt: Date.now(),
		endedAt: null,
		status: null,
		chargedUsd: 0,
		aborted: false,
	};
	state.requests.push(rec);
	res.once('finish', () => {
		rec.endedAt = Date.now();
		rec.status = res.statusCode;
	});
	let settled = false;
	const settle = () => {
		if (settled) return;
		settled = true;
		state.openResponses.delete(settle);
		if (rec.endedAt === null) {
			rec.endedAt = Date.now();
			rec.status = res.headersSent ? res.statusCode : null;
			rec.aborted = true;
		}
		if (!state.opts.quiet) {
			// never log the key itself
			const auth = rec.headers.authorization ? ' auth=Bearer ***' : '';
			const tail = rec.aborted ? ' (aborted)' : '';
			const status = rec.status === null ? '-' : rec.status;
			state.log(
				`[${server}] ${rec.method} ${normalisePath(rec.path)} ${status}` +
					` ${rec.endedAt - rec.startedAt}ms${auth}${tail}`,
			);
		}
	};
	state.openResponses.add(settle);
	res.once('close', settle);
	return rec;
}

async function readInto(rec, req) {
	rec.rawBody = await readBody(req);
	const parsed = parseJson(rec.rawBody);
	rec.body = parsed.ok ? parsed.value : null;
	return parsed;
}

module.exports = { record, readInto };
