import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteSingleFunctions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import { readBodyText } from '../shared/body';
import { apiErrorFromMessage } from '../shared/errors';
import type { PreparedItem } from '../shared/preparedItem';
import type { ImageOutputOptions } from './buildImageRequest';

const IMAGE_EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
};

/** Adds the image file when "Download Image" is on; the output item either way. */
export async function withImage(
	ctx: IExecuteSingleFunctions,
	plan: PreparedItem<ImageOutputOptions>,
	json: IDataObject,
	imageUrl: string,
	jobId: string,
): Promise<INodeExecutionData> {
	const item: INodeExecutionData = { json, pairedItem: { item: ctx.getItemIndex() } };
	const property = plan.output.binaryProperty;
	if (property === undefined) return item;
	const file = await downloadImage(ctx, plan.credentials.apiKey, imageUrl, jobId);
	item.binary = { [property]: file } as IBinaryKeyData;
	return item;
}

/**
 * Fetches the finished image without credentials (the image host may not be the API's host, and
 * the key must never leave for another host), streaming it into n8n's binary storage.
 */
async function downloadImage(
	ctx: IExecuteSingleFunctions,
	apiKey: string,
	imageUrl: string,
	jobId: string,
) {
	const fail = (message: string) =>
		apiErrorFromMessage(ctx.getNode(), `Could not download the image of job ${jobId}: ${message}`, {
			itemIndex: ctx.getItemIndex(),
			apiKey,
			hint: `The job finished, so the image URL is in the output: ${imageUrl}. Turn off Download Image to keep just the URL, or try again later.`,
		});
	if (!/^https?:\/\//i.test(imageUrl)) throw fail(`"${imageUrl}" is not an http(s) URL`);
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: imageUrl,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			abortSignal: ctx.getExecutionCancelSignal(),
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw fail((error as Error).message);
	}
	if (response.statusCode >= 300) {
		await readBodyText(response.body);
		throw fail(`the image host answered HTTP ${response.statusCode}`);
	}
	const headerType = String(response.headers?.['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	const fromPath = /\.(png|jpe?g|webp|gif)(\?|$)/i.exec(imageUrl)?.[1].toLowerCase();
	const mimeType = headerType.startsWith('image/')
		? headerType
		: (headerType === '' || headerType === 'application/octet-stream') && fromPath
			? `image/${fromPath === 'jpg' ? 'jpeg' : fromPath}`
			: undefined;
	if (!mimeType) {
		await readBodyText(response.body);
		throw fail(`the image host sent ${headerType || 'an unknown type'}, not an image`);
	}
	const fileName = `minitoolai-${jobId}.${IMAGE_EXTENSIONS[mimeType] ?? mimeType.slice('image/'.length)}`;
	return await ctx.helpers.prepareBinaryData(
		response.body as Parameters<typeof ctx.helpers.prepareBinaryData>[0],
		fileName,
		mimeType,
	);
}
