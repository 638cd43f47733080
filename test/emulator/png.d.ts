/** Types for the emulator's PNG encoder (png.js). */

/** Standard CRC-32 (as PNG chunks use) of the buffers, as if concatenated. */
export declare function crc32(...bufs: Uint8Array[]): number;
/** A real 8-bit RGB PNG of width x height, colours derived from seedText. */
export declare function encodeGradientPng(
	width: number,
	height: number,
	seedText?: string,
	options?: { noise?: boolean },
): Promise<Buffer>;
