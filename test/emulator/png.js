'use strict';
/**
 * Minimal PNG encoder (8-bit RGB, no interlace) so the emulator can serve real, decodable images
 * without any npm package. Only node:zlib is used, for the IDAT deflate stream.
 */
const zlib = require('node:zlib');
const crypto = require('node:crypto');

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Reflected CRC-32 (polynomial 0xEDB88320), as the PNG spec requires for every chunk.
const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crcUpdate(c, buf) {
	for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
	return c;
}

/** Standard CRC-32 of one or more buffers (as if concatenated). */
function crc32(...bufs) {
	let c = 0xffffffff;
	for (const buf of bufs) c = crcUpdate(c, buf);
	return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
	const typeBuf = Buffer.from(type, 'ascii');
	const head = Buffer.alloc(4);
	head.writeUInt32BE(data.length, 0);
	const crc = Buffer.alloc(4);
	// CRC covers the type and the data, not the length
	crc.writeUInt32BE(crc32(typeBuf, data), 0);
	return Buffer.concat([head, typeBuf, data, crc]);
}

/** The two colours of the gradient drawn for a prompt (its top-left and bottom-right corners). */
function gradientColours(seedText) {
	const h = crypto
		.createHash('sha256')
		.update(String(seedText || ''))
		.digest();
	return { from: [h[0], h[1], h[2]], to: [h[3], h[4], h[5]], seed: h.readUInt32BE(8) || 1 };
}

/** Raw scanlines (filter byte 0 + RGB) for a two-colour gradient picked from the prompt's hash. */
function gradientScanlines(width, height, seedText, noise) {
	const { from, to, seed } = gradientColours(seedText);
	const stride = 1 + 3 * width;
	const raw = Buffer.alloc(stride * height);
	// red/green run left to right, blue top to bottom: every pixel depends on the prompt
	const row = Buffer.alloc(stride);
	for (let x = 0; x < width; x++) {
		const t = width > 1 ? x / (width - 1) : 0;
		row[1 + 3 * x] = Math.round(from[0] + (to[0] - from[0]) * t);
		row[2 + 3 * x] = Math.round(from[1] + (to[1] - from[1]) * t);
	}
	for (let y = 0; y < height; y++) {
		const t = height > 1 ? y / (height - 1) : 0;
		const blue = Math.round(from[2] + (to[2] - from[2]) * t);
		for (let x = 0; x < width; x++) row[3 + 3 * x] = blue;
		row.copy(raw, y * stride);
	}
	if (noise) addNoise(raw, stride, seed);
	return raw;
}

/** Raw scanlines for any picture: `pixel(x, y)` gives [r, g, b]. */
function pictureScanlines(width, height, pixel) {
	const stride = 1 + 3 * width;
	const raw = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const [r, g, b] = pixel(x, y);
			const at = y * stride + 1 + 3 * x;
			raw[at] = r;
			raw[at + 1] = g;
			raw[at + 2] = b;
		}
	}
	return raw;
}

/** Deterministic grain (xorshift32) over every colour byte, leaving the filter bytes at 0. */
function addNoise(raw, stride, seed) {
	let state = seed >>> 0;
	for (let i = 0; i < raw.length; i++) {
		if (i % stride === 0) continue;
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		raw[i] = (raw[i] + (state & 0x3f)) & 0xff;
	}
}

/**
 * Encode a width x height RGB gradient as PNG bytes (async so big images don't block the loop).
 * With `noise`, grain makes it compress like a photo instead of to a few KB.
 */
function encodeGradientPng(width, height, seedText, { noise = false } = {}) {
	return encodeRaw(width, height, gradientScanlines(width, height, seedText, noise));
}

/** Encode a picture drawn pixel by pixel (`pixel(x, y)` -> [r, g, b]) as PNG bytes. */
function encodePicturePng(width, height, pixel) {
	return encodeRaw(width, height, pictureScanlines(width, height, pixel));
}

function encodeRaw(width, height, raw) {
	return new Promise((resolve, reject) => {
		zlib.deflate(raw, { level: 6 }, (err, idat) => {
			if (err) return reject(err);
			const ihdr = Buffer.alloc(13);
			ihdr.writeUInt32BE(width, 0);
			ihdr.writeUInt32BE(height, 4);
			ihdr[8] = 8; // bit depth
			ihdr[9] = 2; // colour type: truecolour RGB
			ihdr[10] = 0; // deflate
			ihdr[11] = 0; // adaptive filtering
			ihdr[12] = 0; // no interlace
			resolve(
				Buffer.concat([
					SIGNATURE,
					pngChunk('IHDR', ihdr),
					pngChunk('IDAT', idat),
					pngChunk('IEND', Buffer.alloc(0)),
				]),
			);
		});
	});
}

module.exports = { crc32, encodeGradientPng, encodePicturePng, gradientColours };
