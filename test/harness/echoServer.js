'use strict';
/**
 * Tiny HTTP server on 127.0.0.1 for engine tests. Records every request and answers JSON.
 * Plain JS because node:http is off limits for .ts files under the strict lint.
 */
const http = require('node:http');

function startEchoServer(handler) {
	const requests = [];
	const sockets = new Set();
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (c) => chunks.push(c));
		req.on('end', async () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let body = raw;
			try {
				body = raw ? JSON.parse(raw) : undefined;
			} catch {
				// keep raw text
			}
			const recorded = {
				method: req.method,
				url: req.url,
				path: (req.url || '').split('?')[0],
				headers: req.headers,
				body,
				rawBody: raw,
				abortedByClient: false,
			};
			requests.push(recorded);
			res.on('close', () => {
				if (!res.writableFinished) recorded.abortedByClient = true;
			});
			let reply = { status: 200, json: { ok: true, echo: body, path: recorded.path } };
			if (handler) {
				try {
					const custom = await handler(recorded);
					if (custom === 'hang') return; // never answer
					if (custom !== undefined) reply = { status: 200, ...custom };
				} catch (error) {
					reply = { status: 500, json: { error: String(error && error.message) } };
				}
			}
			if (reply.raw !== undefined) {
				res.writeHead(reply.status, reply.headers || { 'content-type': 'text/plain' });
				res.end(reply.raw);
				return;
			}
			res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers || {}) });
			res.end(JSON.stringify(reply.json));
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			resolve({
				port,
				url: `http://127.0.0.1:${port}`,
				requests,
				close: () =>
					new Promise((done) => {
						for (const s of sockets) s.destroy();
						server.close(() => done());
					}),
			});
		});
	});
}

module.exports = { startEchoServer };
