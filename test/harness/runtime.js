'use strict';
/**
 * n8n-core runtime bootstrap for the engine harness (plain CommonJS: it uses `process`, node
 * built-ins and `@n8n/di`, which the strict lint forbids in .ts files).
 */
require('./env');

const path = require('node:path');
const core = require('n8n-core');

// n8n-core has its own nested copy of @n8n/di; the harness must use that very Container.
const coreDir = path.dirname(require.resolve('n8n-core'));
const { Container } = require(require.resolve('@n8n/di', { paths: [coreDir] }));

let ready;

/** Initialises n8n-core's BinaryDataService once (mode "filesystem", as n8n 2.x by default). */
function ensureRuntime() {
	if (!ready) {
		ready = (async () => {
			const binaryDataService = Container.get(core.BinaryDataService);
			await binaryDataService.init();
		})();
	}
	return ready;
}

/**
 * Records what nodes log through n8n's Logger (the one `this.logger` of a node context returns),
 * whatever the log level. Returns { lines: [{ level, message, meta, at }], stop() }.
 */
function captureNodeLogs() {
	const { Logger } = require(require.resolve('@n8n/backend-common', { paths: [coreDir] }));
	const logger = Container.get(Logger);
	const lines = [];
	const saved = {};
	for (const level of ['error', 'warn', 'info', 'debug']) {
		saved[level] = Object.getOwnPropertyDescriptor(logger, level);
		const original = logger[level].bind(logger);
		logger[level] = (message, meta = {}) => {
			lines.push({ level, message, meta, at: Date.now() });
			return original(message, meta);
		};
	}
	const stop = () => {
		for (const [level, descriptor] of Object.entries(saved)) {
			if (descriptor) Object.defineProperty(logger, level, descriptor);
			else delete logger[level];
		}
	};
	return { lines, stop };
}

module.exports = { ensureRuntime, Container, captureNodeLogs };
