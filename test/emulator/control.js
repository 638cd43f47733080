'use strict';
/** HTTP control endpoints under /__emulator/ on the API server: no auth, not recorded, no latency. */
const { normaliseFault } = require('./faults');
const { jobSnapshot } = require('./jobs');
const { isPlainObject, isNum, readBody, parseJson, sendJson, sendError } = require('./util');

async function onControl(state, req, res, path) {
	const emu = state.emu;
	const raw = await readBody(req);
	const parsed = parseJson(raw);
	const query = new URLSearchParams(String(req.url).split('?')[1] || '');
	const route = `${req.method} ${path}`;
	try {
		switch (route) {
			case 'GET /__emulator/health':
				return sendJson(res, 200, {
					ok: true,
					baseUrl: emu.baseUrl,
					imageBaseUrl: emu.imageBaseUrl,
				});
			case 'GET /__emulator/requests':
				return sendJson(res, 200, state.requests);
			case 'GET /__emulator/jobs':
				return sendJson(res, 200, [...state.jobs.values()].map(jobSnapshot));
			case 'GET /__emulator/faults':
				return sendJson(res, 200, state.faults);
			case 'POST /__emulator/faults': {
				if (!parsed.ok) return sendError(res, 400, 'Invalid JSON body');
				const list = Array.isArray(parsed.value) ? parsed.value : [parsed.value];
				const normalised = list.map(normaliseFault);
				state.faults.push(...normalised);
				return sendJson(res, 200, { ok: true, faults: state.faults.length });
			}
			case 'DELETE /__emulator/faults':
				emu.clearFaults();
				return sendJson(res, 200, { ok: true });
			case 'POST /__emulator/reset':
				emu.reset();
				return sendJson(res, 200, { ok: true });
			case 'POST /__emulator/configure':
				if (!parsed.ok || !isPlainObject(parsed.value)) {
					return sendError(res, 400, 'Body must be a JSON object of options');
				}
				emu.configure(parsed.value);
				return sendJson(res, 200, { ok: true, options: state.currentOptions() });
			case 'GET /__emulator/balance': {
				const key = query.get('key') || '';
				return sendJson(res, 200, {
					key,
					known: state.balances.has(key),
					balance: emu.balance(key),
				});
			}
			case 'POST /__emulator/balance': {
				const b = parsed.ok ? parsed.value : null;
				if (!isPlainObject(b) || typeof b.key !== 'string' || !isNum(b.balance)) {
					return sendError(res, 400, 'Body must be {"key": string, "balance": number}');
				}
				emu.setBalance(b.key, b.balance);
				return sendJson(res, 200, { ok: true, key: b.key, balance: b.balance });
			}
			default:
				return sendError(res, 404, `Unknown control endpoint: ${route}`);
		}
	} catch (err) {
		return sendError(res, 400, err && err.message ? err.message : String(err));
	}
}

module.exports = { onControl };
