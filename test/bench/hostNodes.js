'use strict';
/**
 * n8n's own HTTP Request node for the engine measurements, taken from the real-n8n host (n8n
 * 2.41.1's n8n-nodes-base, which the package does not depend on). Installs the host on first use.
 */
const path = require('node:path');
const { ensureN8nHost } = require('../../scripts/lib/n8nHost');

const HTTP_REQUEST_NODE = 'node_modules/n8n-nodes-base/dist/nodes/HttpRequest/HttpRequest.node.js';

async function loadHttpRequestNode() {
	const host = await ensureN8nHost({ quiet: true });
	return require(path.join(host.hostDir, HTTP_REQUEST_NODE)).HttpRequest;
}

module.exports = { loadHttpRequestNode };
