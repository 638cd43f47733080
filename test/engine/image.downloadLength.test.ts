/**
 * Text to Image node, Download Image, when the image host sends no Content-Length (chunked) or a
 * wrong one: the size cap holds on the bytes that arrive, not on the header, and a body cut short
 * is an error, never a truncated file. (The emulator's `imageLength` fault.)
 */
import { MAX_IMAGE_BYTES } from '../../nodes/shared/constants';
import { readBinary } from '../harness';
import { imageNode, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 50 });

const MIB = 1024 * 1024;
const download = () =>
	imageNode({
		operation: 'generate',
		prompt: 'A red kite',
		width: 256,
		height: 256,
		downloadImage: true,
	});
const imageRequests = () => bed.emulator.requests.filter((r) => r.server === 'image');
const errorOf = (result: Awaited<ReturnType<typeof bed.runNode>>) =>
	result.error as Error & { description?: string };

describe('Download Image without a Content-Length (chunked)', () => {
	it('stores the whole PNG', async () => {
		bed.emulator.setFault({ endpoint: 'image', type: 'imageLength', contentLength: null });
		const result = await bed.runNode(download());
		expect(result.status).toBe('success');
		const [request] = imageRequests();
		expect(request.status).toBe(200);
		const bytes = await readBinary(result.output('Image')[0], 'data');
		expect(bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
		expect(bytes.subarray(-8, -4).toString('latin1')).toBe('IEND');
	});

	it('stops reading once more than the cap has arrived, naming the cap', async () => {
		const bytes = MAX_IMAGE_BYTES + 10 * MIB;
		bed.emulator.setFault({ endpoint: 'image', type: 'imageLength', contentLength: null, bytes });
		const result = await bed.runNode(download());
		expect(result.status).toBe('error');
		expect(errorOf(result).message).toMatch(
			/^Could not download the image of job \d+: the image host sent more than that; the node accepts images up to 50 MiB/,
		);
		// The node hung up: the emulator could not send the rest.
		const [request] = imageRequests();
		expect(request.aborted).toBe(true);
	});
});

describe('Download Image with a Content-Length that does not match the body', () => {
	it('declared more than is sent, then the connection closes: an error, no truncated file', async () => {
		bed.emulator.setFault({
			endpoint: 'image',
			type: 'imageLength',
			contentLength: 2 * MIB,
			bytes: MIB,
		});
		const result = await bed.runNode(download());
		expect(result.status).toBe('error');
		expect(errorOf(result).message).toMatch(
			/^Could not download the image of job \d+: the image host closed the connection before the whole image arrived/,
		);
		expect(result.output('Image')).toEqual([]);
	});

	it('declared less than is sent: HTTP ends the body where the header says', async () => {
		bed.emulator.setFault({
			endpoint: 'image',
			type: 'imageLength',
			contentLength: 1024,
			bytes: MAX_IMAGE_BYTES + 10 * MIB,
		});
		const result = await bed.runNode(download());
		expect(result.status).toBe('success');
		const bytes = await readBinary(result.output('Image')[0], 'data');
		expect(bytes.length).toBe(1024);
	});

	it('declared more than the cap: refused on the header, before the body is read', async () => {
		bed.emulator.setFault({
			endpoint: 'image',
			type: 'imageLength',
			contentLength: MAX_IMAGE_BYTES + 1,
			bytes: 4096,
		});
		const result = await bed.runNode(download());
		expect(errorOf(result).message).toMatch(/the image host sent 50\.0 MiB; the node accepts/);
	});
});
