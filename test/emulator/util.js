'use strict';
/** Small helpers shared by the emulator's modules: value checks, request parsing, answers. */
const crypto = require('node:crypto');

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const randomAlnum = (n) => {
	const bytes = crypto.randomBytes(n);
	let out = '';
	for (let i = 0; i < n; i++) out += ALPHANUMERIC[bytes[i] % ALPHANUMERIC.length];
	return out;
};

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v) => typeof v === 'number' && Number.isInteger(v);
const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
const present = (v) => v !== undefined && v !== null;

function bearerKey(header) {
	if (typeof header !== 'string') return null;
	const m = /^Bearer\s+(.+)$/i.exec(header.trim());
	return m ? m[1].trim() : null;
}

function normalisePath(url) {
	const pathname = String(url || '/').split('?')[0];
	return pathname.replace(/\/+$/, '') || '/';
}

function readBody(req) {
	return new Promise((resolve) => {
		const chunks = [];
		let done = false;
		// decode once at the end so multi-byte UTF-8 split across chunks stays intact
		const finish = () => {
			if (done) return;
			done = true;
			resolve(Buffer.concat(chunks).toString('utf8'));
		};
		req.on('data', (c) => chunks.push(c));
		req.on('end', finish);
		req.on('error', finish);
		req.on('close', finish);
	});
}

function parseJson(raw) {
	if (!raw) return { ok: false, value: null };
	try {
		return { ok: true, value: JSON.parse(raw) };
	} catch {
		return { ok: false, value: null };
	}
}

function sendJson(res, status, obj, headers = {}) {
	if (res.destroyed || res.headersSent) return;
	const buf = Buffer.from(JSON.stringify(obj), 'utf8');
	res.writeHead(status, {
		'Content-Type': 'application/json',
		'Content-Length': buf.length,
		...headers,
	});
	res.end(buf);
}

function sendRaw(res, status, body, contentType, headers = {}) {
	if (res.destroyed || res.headersSent) return;
	const buf = Buffer.from(body, 'utf8');
	const all = { 'Content-Length': buf.length, ...headers };
	if (contentType) all['Content-Type'] = contentType;
	res.writeHead(status, all);
	res.end(buf);
}

const sendError = (res, status, message, type, headers) =>
	sendJson(res, status, { error: type ? { message, type } : { message } }, headers);

/** Resolves once the chunk is handed to the socket (false if the response is gone). */
function write(res, chunk) {
	return new Promise((resolve) => {
		if (res.destroyed) return resolve(false);
		res.write(chunk, typeof chunk === 'string' ? 'utf8' : undefined, () => resolve(true));
	});
}

function listen(server, port, host) {
	return new Promise((resolve, reject) => {
		const onError = (err) => {
			server.removeListener('listening', onListening);
			reject(err);
		};
		const onListening = () => {
			server.removeListener('error', onError);
			resolve();
		};
		server.once('error', onError);
		server.once('listening', onListening);
		server.listen(port, host);
	});
}

function urlFor(host, port) {
	const h = host.includes(':') ? `[${host}]` : host;
	return `http://${h}:${port}`;
}

module.exports = {
	randomAlnum,
	isPlainObject,
	isInt,
	isNum,
	present,
	bearerKey,
	normalisePath,
	readBody,
	parseJson,
	sendJson,
	sendRaw,
	sendError,
	write,
	listen,
	urlFor,
};
