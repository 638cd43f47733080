/**
 * An image sent inline for vision is checked against its 20 MiB cap before it is loaded: from the
 * size n8n stored with the binary data (its `bytes`, or the metadata of the stored file), or from
 * the length of the base64 text it holds in memory; a stored file larger than its metadata said is
 * read only up to the cap. The helpers below stand in for n8n's binary-data helpers and count the
 * bytes the node pulls from them.
 */
import type { IBinaryData, IExecuteSingleFunctions, INode } from 'n8n-workflow';

import { chatMessages } from '../../nodes/MiniToolAiChat/chatMessages';
import { MAX_INLINE_IMAGE_BYTES } from '../../nodes/shared/constants';
import { InputValidator } from '../../nodes/shared/validation';

const MIB = 1024 * 1024;
const NODE = { name: 'Chat', type: 'miniToolAiChat', typeVersion: 1, parameters: {} } as INode;

interface Stored {
	/** What the stored file really holds. */
	size: number;
	/** What the store's metadata says (default: the truth). */
	metadataSize?: number;
}

function context(binary: IBinaryData, stored?: Stored) {
	let loaded = 0;
	const fill = (size: number) => Buffer.alloc(size, 7);
	const ctx = {
		getNode: () => NODE,
		getNodeParameter: (name: string) =>
			name === 'messages.message'
				? [{ role: 'user', content: 'Describe', imageSource: 'binary', binaryProperty: 'photo' }]
				: undefined,
		getInputData: () => ({ json: {}, binary: { photo: binary } }),
		helpers: {
			getBinaryDataBuffer: async () => {
				const buffer = stored ? fill(stored.size) : Buffer.from(binary.data, 'base64');
				loaded += buffer.length;
				return buffer;
			},
			getBinaryMetadata: async () => ({ fileSize: stored?.metadataSize ?? stored?.size ?? 0 }),
			getBinaryStream: async (_id: string, chunkSize = 64 * 1024) =>
				(async function* () {
					for (let sent = 0; stored && sent < stored.size; sent += chunkSize) {
						const piece = fill(Math.min(chunkSize, stored.size - sent));
						loaded += piece.length;
						yield piece;
					}
				})(),
		},
	};
	return { ctx: ctx as unknown as IExecuteSingleFunctions, loaded: () => loaded };
}

async function imageUrl(ctx: IExecuteSingleFunctions): Promise<string> {
	const messages = await chatMessages(ctx, new InputValidator(() => NODE, 0), 'list');
	const parts = messages[0].content as Array<{ image_url?: { url: string } }>;
	return parts[1].image_url!.url;
}

const storedBinary = (extra: Partial<IBinaryData> = {}): IBinaryData => ({
	data: 'filesystem-v2',
	mimeType: 'image/png',
	id: 'filesystem-v2:workflows/1/executions/1/binary_data/abc',
	...extra,
});

describe('inline image size is checked before the image is loaded', () => {
	it('a stored image whose recorded size is over the cap is refused without reading it', async () => {
		const { ctx, loaded } = context(storedBinary({ bytes: 30 * MIB }), { size: 30 * MIB });
		await expect(imageUrl(ctx)).rejects.toThrow(
			'Messages > message 1 > Input Binary Field: "photo" is 30.0 MiB; the node sends images up to 20 MiB inline',
		);
		expect(loaded()).toBe(0);
	});

	it("without a recorded size, the store's metadata decides, still before reading", async () => {
		const { ctx, loaded } = context(storedBinary(), { size: 25 * MIB });
		await expect(imageUrl(ctx)).rejects.toThrow('"photo" is 25.0 MiB');
		expect(loaded()).toBe(0);
	});

	it('a stored file larger than its metadata said is read only up to the cap', async () => {
		const { ctx, loaded } = context(storedBinary({ bytes: MIB }), {
			size: 200 * MIB,
			metadataSize: MIB,
		});
		await expect(imageUrl(ctx)).rejects.toThrow(/"photo" is more than 20\.0 MiB/);
		expect(loaded()).toBeLessThanOrEqual(MAX_INLINE_IMAGE_BYTES + MIB);
	});

	it('an image held in memory is measured by its base64 text, before it is decoded', async () => {
		const data = Buffer.alloc(21 * MIB, 1).toString('base64');
		const { ctx, loaded } = context({ data, mimeType: 'image/jpeg' });
		await expect(imageUrl(ctx)).rejects.toThrow('"photo" is 21.0 MiB');
		expect(loaded()).toBe(0);
	});

	it('images under the cap are sent inline, stored or in memory', async () => {
		const stored = context(storedBinary({ bytes: 3 }), { size: 3 });
		expect(await imageUrl(stored.ctx)).toBe(
			`data:image/png;base64,${Buffer.alloc(3, 7).toString('base64')}`,
		);
		const inMemory = context({
			data: Buffer.from('png!').toString('base64'),
			mimeType: 'image/png',
		});
		expect(await imageUrl(inMemory.ctx)).toBe(
			`data:image/png;base64,${Buffer.from('png!').toString('base64')}`,
		);
	});
});
