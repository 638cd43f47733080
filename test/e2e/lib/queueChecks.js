'use strict';
/**
 * Checks for n8n queue mode (main + workers + Redis + PostgreSQL) against the in-process
 * emulator: a mixed burst through webhooks (queueBurst.js), a worker stopped while it polls an
 * image job (queueChaos.js), a worker killed while Generate waits (queueCrash.js), and a streaming webhook served by a worker (queueStreaming.js), with
 * their shared helpers in queueHelpers.js. Each check fills `report` with what it saw, so the
 * runner can print the numbers the issue asks for.
 */
const { runBurst } = require('./queueBurst');
const { runChaos } = require('./queueChaos');
const { runCrash } = require('./queueCrash');
const { runStreaming } = require('./queueStreaming');
const { postWebhook, jobDelayWatcher, listExecutions } = require('./queueHelpers');

module.exports = {
	runBurst,
	runChaos,
	runCrash,
	runStreaming,
	postWebhook,
	jobDelayWatcher,
	listExecutions,
};
