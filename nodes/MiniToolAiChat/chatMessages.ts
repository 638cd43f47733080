import type { IBinaryData, IExecuteSingleFunctions } from 'n8n-workflow';

import type { ChatContentPart as ContentPart, ChatMessage } from '../shared/chat/chatRequest';
import {
	CHAT_ROLES,
	IMAGE_DETAILS,
	imageInputMimeType,
	MAX_INLINE_IMAGE_BYTES,
} from '../shared/constants';
import { describeValue, InputValidator, type Field } from '../shared/validation';
import { FIELDS, messageField } from './chatFields';

const MIB = 1024 * 1024;
/** Stored binary data is read in pieces of this size, so that the cap stops the read in time. */
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * The Chat node's messages, checked and assembled from either input mode: the list defined in the
 * node (with images by URL or from binary data) or a JSON array from an earlier node.
 */
export async function chatMessages(
	ctx: IExecuteSingleFunctions,
	check: InputValidator,
	inputMode: string,
): Promise<ChatMessage[]> {
	return inputMode === 'json'
		? messagesFromJson(check, ctx.getNodeParameter('messagesJson'))
		: await messagesFromList(ctx, check);
}

interface ListMessage {
	role?: unknown;
	content?: unknown;
	imageSource?: unknown;
	imageUrl?: unknown;
	imageDetail?: unknown;
	binaryProperty?: unknown;
}

async function messagesFromList(
	ctx: IExecuteSingleFunctions,
	check: InputValidator,
): Promise<ChatMessage[]> {
	const entries = ctx.getNodeParameter('messages.message', []) as ListMessage[];
	if (!Array.isArray(entries) || entries.length === 0) {
		check.fail(
			FIELDS.messages,
			'add at least one message',
			'Click "Add Message" and write what the model should answer.',
		);
	}
	const messages: ChatMessage[] = [];
	for (const [index, entry] of entries.entries()) {
		const role = check.oneOf(messageField(index, 'Role'), entry.role, CHAT_ROLES);
		const text = typeof entry.content === 'string' ? entry.content : '';
		const source = role === 'user' ? String(entry.imageSource ?? 'none') : 'none';
		if (source === 'none') {
			check.nonEmptyString(messageField(index, 'Content'), entry.content);
			messages.push({ role, content: text });
			continue;
		}
		const detail = check.oneOf(
			messageField(index, 'Image Detail'),
			entry.imageDetail ?? 'auto',
			IMAGE_DETAILS,
		);
		const url =
			source === 'binary'
				? await dataUrlFromBinary(
						ctx,
						check,
						messageField(index, 'Input Binary Field'),
						entry.binaryProperty,
					)
				: check.httpUrl(messageField(index, 'Image URL'), entry.imageUrl, { allowDataUrl: true });
		const parts: ContentPart[] = [];
		if (text.trim() !== '') parts.push({ type: 'text', text });
		parts.push({ type: 'image_url', image_url: { url, detail } });
		messages.push({ role, content: parts });
	}
	return messages;
}

/** The API documents image URLs only; a binary file is sent inline as a `data:` URL. */
async function dataUrlFromBinary(
	ctx: IExecuteSingleFunctions,
	check: InputValidator,
	field: Field,
	property: unknown,
): Promise<string> {
	const name = check.nonEmptyString(field, property).trim();
	const binary = ctx.getInputData().binary?.[name];
	if (!binary) {
		const available = Object.keys(ctx.getInputData().binary ?? {});
		check.fail(
			field,
			`the input item has no binary property "${name}"`,
			available.length
				? `The item's binary properties are: ${available.join(', ')}.`
				: 'The input item has no binary data at all: read or download the image first (e.g. with an HTTP Request or Read File node).',
		);
	}
	const mimeType = imageInputMimeType(binary.mimeType);
	if (!mimeType) {
		check.fail(
			field,
			`"${name}" is ${binary.mimeType || 'of unknown type'}, not an image the API accepts`,
			'MiniToolAI accepts jpg, jpeg, png, webp and gif images.',
		);
	}
	const tooLarge = (size: string): never =>
		check.fail(
			field,
			`"${name}" is ${size}; the node sends images up to ${MAX_INLINE_IMAGE_BYTES / MIB} MiB inline`,
			'Resize or compress the image first (e.g. with the Edit Image node), or give it as a public URL with Image Source "Image URL".',
		);
	const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
	// The size is known before anything is loaded: a larger image is refused without reading it.
	const declared = await declaredSize(ctx, binary);
	if (declared !== undefined && declared > MAX_INLINE_IMAGE_BYTES) tooLarge(mib(declared));
	const buffer = binary.id
		? await readStored(ctx, binary.id, () => tooLarge(`more than ${mib(MAX_INLINE_IMAGE_BYTES)}`))
		: await ctx.helpers.getBinaryDataBuffer(name);
	if (buffer.length > MAX_INLINE_IMAGE_BYTES) tooLarge(mib(buffer.length));
	return `data:${mimeType};base64,${buffer.toString('base64')}`;
}

/**
 * The size of binary data without loading it: for data stored outside the execution (n8n 2.x
 * stores binary data in the filesystem or S3 by default), the `bytes` n8n recorded, else the
 * store's metadata; for data held in memory, the length of its base64 text.
 */
async function declaredSize(
	ctx: IExecuteSingleFunctions,
	binary: IBinaryData,
): Promise<number | undefined> {
	if (!binary.id) return base64Bytes(binary.data);
	if (typeof binary.bytes === 'number' && Number.isFinite(binary.bytes)) return binary.bytes;
	try {
		const { fileSize } = await ctx.helpers.getBinaryMetadata(binary.id);
		return Number.isFinite(fileSize) ? fileSize : undefined;
	} catch {
		return undefined; // read it then, up to the cap
	}
}

/** 4 base64 characters carry 3 bytes; "=" padding carries none. */
function base64Bytes(data: string): number {
	const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
	return Math.floor((data.length * 3) / 4) - padding;
}

/** Reads stored binary data up to the cap: a file larger than recorded stops the read there. */
async function readStored(
	ctx: IExecuteSingleFunctions,
	id: string,
	tooLarge: () => never,
): Promise<Buffer> {
	const stream = await ctx.helpers.getBinaryStream(id, READ_CHUNK_BYTES);
	const chunks: Buffer[] = [];
	let bytes = 0;
	for await (const chunk of stream as AsyncIterable<Buffer>) {
		bytes += chunk.length;
		// Leaving the loop (the error) ends the stream.
		if (bytes > MAX_INLINE_IMAGE_BYTES) tooLarge();
		chunks.push(chunk);
	}
	return Buffer.concat(chunks, bytes);
}

function messagesFromJson(check: InputValidator, raw: unknown): ChatMessage[] {
	const field = FIELDS.messagesJson;
	let value = raw;
	if (typeof raw === 'string') {
		if (raw.trim() === '') check.fail(field, 'is empty', 'Give a JSON array of messages.');
		try {
			value = JSON.parse(raw);
		} catch (error) {
			check.fail(
				field,
				`is not valid JSON (${(error as Error).message})`,
				'Give a JSON array such as [{"role": "user", "content": "Hello"}].',
			);
		}
	}
	// Chained conversations often carry the array inside an object.
	if (value && typeof value === 'object' && !Array.isArray(value) && 'messages' in value) {
		value = (value as { messages: unknown }).messages;
	}
	if (!Array.isArray(value)) {
		check.fail(field, `must be a JSON array of messages, got ${describeValue(value)}`);
	}
	if (value.length === 0) check.fail(field, 'contains no messages');
	return value.map((message, index) => checkJsonMessage(check, message, index));
}

function checkJsonMessage(check: InputValidator, message: unknown, index: number): ChatMessage {
	const at = (part: string): Field => ({
		displayName: `Messages (JSON) [${index}]${part}`,
		name: 'messagesJson',
	});
	if (!message || typeof message !== 'object' || Array.isArray(message)) {
		check.fail(
			at(''),
			`must be an object with "role" and "content", got ${describeValue(message)}`,
		);
	}
	const { role: rawRole, content } = message as { role?: unknown; content?: unknown };
	const role = check.oneOf(at('.role'), rawRole, CHAT_ROLES);
	if (typeof content === 'string') {
		check.nonEmptyString(at('.content'), content);
		return { role, content };
	}
	if (!Array.isArray(content) || content.length === 0) {
		check.fail(at('.content'), `must be text or a list of parts, got ${describeValue(content)}`);
	}
	const parts = content.map((part, partIndex): ContentPart => {
		const where = at(`.content[${partIndex}]`);
		const {
			type,
			text,
			image_url: image,
		} = (part ?? {}) as { type?: unknown; text?: unknown; image_url?: unknown };
		if (type === 'text') return { type: 'text', text: check.nonEmptyString(where, text) };
		if (type !== 'image_url')
			check.fail(where, `has type ${describeValue(type)}; use "text" or "image_url"`);
		if (role !== 'user') check.fail(where, 'images can only be sent in user messages');
		const spec = (typeof image === 'string' ? { url: image } : (image ?? {})) as {
			url?: unknown;
			detail?: unknown;
		};
		const url = check.httpUrl(
			{ ...where, displayName: `${where.displayName}.image_url.url` },
			spec.url,
			{ allowDataUrl: true },
		);
		if (spec.detail === undefined) return { type: 'image_url', image_url: { url } };
		const detail = check.oneOf(
			{ ...where, displayName: `${where.displayName}.image_url.detail` },
			spec.detail,
			IMAGE_DETAILS,
		);
		return { type: 'image_url', image_url: { url, detail } };
	});
	return { role, content: parts };
}
