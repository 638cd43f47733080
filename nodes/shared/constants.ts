/**
 * Everything the MiniToolAI documentation fixes (endpoints, enums, ranges, defaults, prices) lives
 * here once (see docs/minitoolai-api.md), and the UI descriptions, the validation and the prices
 * shown read it from here; a unit test walks the built descriptions to keep it that way. The
 * package's own limits, which the API does not set, are at the end.
 */

export const CREDENTIAL_TYPE = 'miniToolAiApi';
export const DEFAULT_BASE_URL = 'https://minitoolai.com';

/** The credential's Base URL as an n8n expression, tolerating a trailing slash or an empty field. */
export const BASE_URL_EXPRESSION = `={{ (String($credentials.baseUrl || "").trim() || "${DEFAULT_BASE_URL}").replace(/\\/+$/, "") }}`;
/** Both nodes' icon, relative to a node file under dist/nodes/<Node>/. */
export const NODE_ICON = {
	light: 'file:../../icons/minitoolai.svg',
	dark: 'file:../../icons/minitoolai.dark.svg',
} as const;

export const CHAT_PATH = '/api/chat-completions/';
export const TEXT_TO_IMAGE_PATH = '/api/texttoimage/';
export const IMAGE_JOB_PATH = '/api/texttoimage/jobs/';

export const CHAT_MODELS = [
	'gpt-4o-mini',
	'gpt-4o',
	'gpt-4.1',
	'gpt-4.1-mini',
	'gpt-4.1-nano',
] as const;
export type ChatModel = (typeof CHAT_MODELS)[number];
export const DEFAULT_CHAT_MODEL: ChatModel = 'gpt-4o-mini';
export const CHAT_ROLES = ['developer', 'user', 'assistant'] as const;
export type ChatRole = (typeof CHAT_ROLES)[number];
export const IMAGE_DETAILS = ['auto', 'high', 'low'] as const;
/** The documented image input formats (jpg, jpeg, png, webp, gif), as MIME types. */
export const IMAGE_INPUT_MIME_TYPES = [
	'image/jpeg',
	'image/png',
	'image/webp',
	'image/gif',
] as const;

/**
 * The one rule for an image's type, for the Chat node and the Chat Model: one of the documented
 * formats, `image/jpg` (as some tools label jpg files) read as `image/jpeg`; undefined otherwise.
 */
export function imageInputMimeType(type: unknown): string | undefined {
	const normalized = String(type ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase()
		.replace(/^image\/jpg$/, 'image/jpeg');
	return (IMAGE_INPUT_MIME_TYPES as readonly string[]).includes(normalized)
		? normalized
		: undefined;
}

export const TEMPERATURE = { min: 0, max: 2, default: 1 } as const;
export const MAX_COMPLETION_TOKENS = { min: 1, default: 1000 } as const;
// The lint that checks UI descriptions reads a default only as a literal or a plain name.
export const DEFAULT_TEMPERATURE = TEMPERATURE.default;
export const DEFAULT_MAX_COMPLETION_TOKENS = MAX_COMPLETION_TOKENS.default;

export const IMAGE_MODELS = [
	'realvision',
	'juggernaut',
	'autismmix',
	'dreamshaper',
	'valhalla',
	'mixrealistic',
	'campursari',
	'reality',
	'extrarealistic',
	'realism',
	'realgirls',
	'realityreborn',
	'amigo',
	'simplemix',
	'beautifulrealistic',
] as const;
export const DEFAULT_IMAGE_MODEL = 'realvision';

export const SCHEDULERS = [
	'Euler a',
	'Euler',
	'LMS',
	'Heun',
	'DPM2',
	'DPM2 a',
	'DPM++ 2S a',
	'DPM++ 2M',
	'DPM++ SDE',
	'DPM++ 2M SDE',
	'DPM fast',
	'LMS Karras',
	'DPM2 Karras',
	'DPM2 a Karras',
	'DPM++ 2S a Karras',
	'DPM++ 2M Karras',
	'DPM++ SDE Karras',
	'DPM++ 2M SDE Karras',
] as const;
export const DEFAULT_SCHEDULER = 'DPM++ SDE';

export const STEPS = { min: 1, max: 8, default: 4 } as const;
export const CFG_SCALE = { min: 1, max: 7, default: 2 } as const;
export const IMAGE_SIZE = { min: 256, max: 1344, default: 1024 } as const;
export const DEFAULT_STEPS = STEPS.default;
export const DEFAULT_CFG_SCALE = CFG_SCALE.default;
export const DEFAULT_IMAGE_SIZE = IMAGE_SIZE.default;

/** USD per 1M tokens, from the documented price table. */
export const CHAT_PRICES_USD_PER_MTOK: Record<ChatModel, { input: number; output: number }> = {
	'gpt-4o-mini': { input: 0.15, output: 0.6 },
	'gpt-4o': { input: 2.5, output: 10 },
	'gpt-4.1': { input: 2, output: 8 },
	'gpt-4.1-mini': { input: 0.4, output: 1.6 },
	'gpt-4.1-nano': { input: 0.1, output: 0.4 },
};
/** Every image model costs the same per image. */
export const IMAGE_PRICE_USD = 0.0015;

/** The package's own bound on Generate's wait for a job (the API documents no job duration). */
export const MAX_WAIT_SECONDS = { min: 1, max: 3600, default: 300 } as const;
export const DEFAULT_MAX_WAIT_SECONDS = MAX_WAIT_SECONDS.default;

/** The package's cap on a downloaded image (the largest documented image is about 5 MiB as PNG). */
export const MAX_IMAGE_BYTES = 50 * 1024 * 1024;
/** How long an image download may take unless Request Options > Timeout says otherwise. */
export const IMAGE_DOWNLOAD_TIMEOUT_MS = 120_000;
/** The package's cap on an image sent inline for vision (binary data turned into a data: URL). */
export const MAX_INLINE_IMAGE_BYTES = 20 * 1024 * 1024;
