import {
	NodeApiError,
	type IBinaryKeyData,
	type IDataObject,
	type IExecuteSingleFunctions,
	type IN8nHttpFullResponse,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';

import { readBodyText } from '../shared/transport/body';
import { MAX_IMAGE_BYTES } from '../shared/constants';
import { apiErrorFromMessage } from '../shared/errors';
import type { PreparedItem } from '../shared/transport/preparedItem';
import { canceledError } from '../shared/transport/transport';
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
	const file = await downloadImage(ctx, plan, imageUrl, jobId);
	item.binary = { [property]: file } as IBinaryKeyData;
	return item;
}

/**
 * Fetches the finished image without credentials (the image host may not be the API's host, and
 * the key must never leave for another host), streaming it into n8n's binary storage, within a
 * time limit and a size cap.
 */
async function downloadImage(
	ctx: IExecuteSingleFunctions,
	plan: PreparedItem<ImageOutputOptions>,
	imageUrl: string,
	jobId: string,
) {
	const { apiKey } = plan.credentials;
	const fail = (message: string) =>
		apiErrorFromMessage(ctx.getNode(), `Could not download the image of job ${jobId}: ${message}`, {
			itemIndex: ctx.getItemIndex(),
			apiKey,
			hint: `The job finished, so the image URL is in the output: ${imageUrl}. Turn off Download Image to keep just the URL, or try again later.`,
		});
	if (!/^https?:\/\//i.test(imageUrl)) throw fail(`"${imageUrl}" is not an http(s) URL`);
	const cancel = ctx.getExecutionCancelSignal();
	const timeLimitMs = plan.output.downloadTimeoutMs;
	const limit = AbortSignal.timeout(timeLimitMs);
	const signal = cancel ? AbortSignal.any([cancel, limit]) : limit;
	const stopped = (error: unknown) => {
		if (cancel?.aborted) return canceledError(ctx, `the image of job ${jobId}`);
		if (limit.aborted) {
			return fail(
				`it took longer than ${timeLimitMs / 1000} s (set a longer Timeout under the node's Settings > Request Options if the image host is slow)`,
			);
		}
		return fail(cutShort(error) ? CUT_SHORT : (error as Error).message);
	};
	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url: imageUrl,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			abortSignal: signal,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw stopped(error);
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
	const declared = Number(response.headers?.['content-length']);
	if (Number.isFinite(declared) && declared > MAX_IMAGE_BYTES) {
		destroyBody(response.body);
		throw fail(tooLarge(`${(declared / MIB).toFixed(1)} MiB`));
	}
	const fileName = `minitoolai-${jobId}.${IMAGE_EXTENSIONS[mimeType] ?? mimeType.slice('image/'.length)}`;
	capSize(response.body, () => fail(tooLarge('more than that')));
	try {
		return await ctx.helpers.prepareBinaryData(
			response.body as Parameters<typeof ctx.helpers.prepareBinaryData>[0],
			fileName,
			mimeType,
		);
	} catch (error) {
		if (error instanceof NodeApiError)
			throw new NodeApiError(ctx.getNode(), error as unknown as JsonObject);
		throw stopped(error);
	}
}

const MIB = 1024 * 1024;

const CUT_SHORT = 'the image host closed the connection before the whole image arrived';

/** Node's HTTP client says "aborted" (or a reset) when a body ends before its Content-Length. */
function cutShort(error: unknown): boolean {
	const { message, code } = error as { message?: string; code?: string };
	return message === 'aborted' || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

function tooLarge(size: string): string {
	return `the image host sent ${size}; the node accepts images up to ${MAX_IMAGE_BYTES / MIB} MiB (the largest documented image, 1344 x 1344, is far smaller)`;
}

/**
 * Destroys the stream with our error once it has delivered more than MAX_IMAGE_BYTES. The bytes
 * are counted where the stream hands them out (its 'data' events), without a listener of our own:
 * a listener would start or stop the flow, and n8n's binary stores read the stream in different
 * ways (piped to a file, collected with 'data' listeners, async iteration).
 */
function capSize(body: unknown, error: () => NodeApiError): void {
	const stream = body as {
		emit?: (event: string | symbol, ...args: unknown[]) => boolean;
		destroy?: (error?: Error) => void;
	};
	const emit = stream.emit;
	if (typeof emit !== 'function') return;
	let bytes = 0;
	stream.emit = function (event: string | symbol, ...args: unknown[]): boolean {
		if (event === 'data') {
			bytes += (args[0] as { length?: number })?.length ?? 0;
			if (bytes > MAX_IMAGE_BYTES) {
				stream.destroy?.(error());
				return false;
			}
		}
		return emit.call(this, event, ...args);
	};
}

function destroyBody(body: unknown): void {
	(body as { destroy?: () => void }).destroy?.();
}
