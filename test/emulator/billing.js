'use strict';
/** Credit balances: the paid-endpoint gate and the charge (the API documents deduction only). */
const { sendError } = require('./util');

/** Paid endpoints: 400 for an invalid body, then 402 for an empty balance (our choice). */
function refusePaid(state, res, key, invalid) {
	if (invalid) {
		sendError(res, 400, invalid);
		return true;
	}
	if (state.balances.get(key) > 0) return false;
	sendError(
		res,
		402,
		'Insufficient credit balance: top up your MiniToolAI account',
		'insufficient_credit',
	);
	return true;
}

function charge(state, key, usd, rec) {
	state.balances.set(key, (state.balances.get(key) || 0) - usd);
	rec.chargedUsd = usd;
}

module.exports = { refusePaid, charge };
