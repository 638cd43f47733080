/** Types for the local MiniToolAI API emulator (index.js). See README.md for behaviour. */
import type { JobTimes } from './jobTimes';

export type { JobTimes };

export type ChatModel = 'gpt-4o' | 'gpt-4o-mini' | 'gpt-4.1' | 'gpt-4.1-mini' | 'gpt-4.1-nano';

export interface EmulatorOptions {
	/** API host, default '127.0.0.1' */
	host?: string;
	/** API port, default 0 (random free port) */
	port?: number;
	/** Image host, default '127.0.0.2'; falls back to 'localhost' if it cannot be bound */
	imageHost?: string;
	/** Image port, default 0 (random free port) */
	imagePort?: number;
	/** API keys and their credit balance in USD, default { 'emulator-key': 100 } */
	keys?: Record<string, number>;
	/** Time from submit until a job is finished, default 1500 (the median with jobTimes) */
	jobDelayMs?: number;
	/** null (default): every job takes jobDelayMs; an object: durations vary (jobTimes.js) */
	jobTimes?: JobTimes | null;
	/** Delay between SSE events, default 0 */
	tokenDelayMs?: number;
	/** Simulated answer times drawn per request (replaces tokenDelayMs); default null (off) */
	answerTimes?: AnswerTimes | null;
	/** Added before every API response's first byte (not image, not control), default 0 */
	latencyMs?: number;
	/** > 0: at most this many in-flight API requests, beyond that 429; default 0 (no limit) */
	maxConcurrent?: number;
	/** Retry-After seconds for maxConcurrent 429s and rateLimit faults without retryAfter; default 1 */
	retryAfterSeconds?: number;
	/** Written after every SSE event, default '\n\n' */
	sseSeparator?: string;
	/** Photo-like grain so images are as large as real ones (1344 x 1344: ~5 MB); default false */
	imageNoise?: boolean;
	/** Chat reply text: 'echo' (default here; tests rely on it) or 'canned' (the CLI's default) */
	replies?: ReplyMode;
	/** Passed to the scripted model; default null (a perfect model) */
	imperfectModel?: ImperfectModel | null;
	/** Default: test/emulator/scriptedModel.js when present; null: none; an object: that model */
	scriptedModel?: ScriptedModel | null;
	/** No per-request log lines, default true */
	quiet?: boolean;
	/** Where log lines go when quiet is false, default console.log */
	log?: (line: string) => void;
}

export type ReplyMode = 'echo' | 'canned';

/** Imperfections of the scripted model (docs: the prompt-mode tool protocol). */
export interface ImperfectModel {
	/** Share 0..1 of turns answered imperfectly */
	rate: number;
	kinds?: string[];
	seed?: number;
}

/** What the emulator passes to the scripted model for each chat turn. */
export interface ScriptedReplyContext {
	/** The imperfectModel option (undefined when null) */
	imperfection?: ImperfectModel;
	/** Chat turn number, 1-based, restarts after reset() */
	seq: number;
	/** Set by an `imperfect` fault: the kind this turn must show */
	forced?: string;
	/** true with `replies: 'canned'`: answer the way a model would for people (else undefined) */
	plausible?: true;
}

export interface ScriptedModel {
	/** The reply text for a conversation it handles, else undefined (echo/canned reply then) */
	scriptedReply(
		messages: ChatMessage[],
		context: ScriptedReplyContext,
	): { text: string } | undefined;
}

/** Options that configure() may change at runtime. */
/** Ranges are [min, max] integers; each request draws once from each, seeded by its body. */
export interface AnswerTimes {
	/** default 1 */
	seed?: number;
	/** From the response headers to the first event, default [300, 1000] */
	firstTokenMs?: readonly [number, number];
	/** Reply length in tokens (a longer echo is kept whole), default [20, 60] */
	tokens?: readonly [number, number];
	/** Between the following events, default [10, 30] */
	tokenGapMs?: readonly [number, number];
}

export interface RuntimeOptions {
	jobDelayMs?: number;
	jobTimes?: JobTimes | null;
	tokenDelayMs?: number;
	answerTimes?: AnswerTimes | null;
	latencyMs?: number;
	maxConcurrent?: number;
	retryAfterSeconds?: number;
	sseSeparator?: string;
	imageNoise?: boolean;
	replies?: ReplyMode;
	imperfectModel?: ImperfectModel | null;
	quiet?: boolean;
	/** Merged into the key set; also becomes the balance reset() restores. null removes a key. */
	keys?: Record<string, number | null>;
}

export type FaultEndpoint = 'chat' | 'submit' | 'job' | 'image' | 'any';

export interface FaultCommon {
	/** default 'any' */
	endpoint?: FaultEndpoint;
	/** How many matching requests it applies to, default Infinity */
	times?: number;
	/** Only requests with this API key (Bearer token) match */
	key?: string;
}

export type FaultSpec =
	| {
			type: 'status';
			status: number;
			/** A string is sent as-is (content type guessed: JSON, HTML or plain text) */
			body?: string | Record<string, unknown> | unknown[];
			headers?: Record<string, string>;
	  }
	| {
			type: 'rateLimit';
			/** Retry-After header value; null omits the header; default retryAfterSeconds */
			retryAfter?: number | string | null;
			body?: string | Record<string, unknown> | unknown[];
			headers?: Record<string, string>;
	  }
	| {
			type: 'drop';
			/** SSE events sent before the socket is destroyed, default 1 */ afterChunks?: number;
	  }
	| { type: 'malformed' }
	| { type: 'streamError'; message?: string }
	| { type: 'noUsage' }
	| { type: 'json' }
	| { type: 'slowFirstByte'; ms: number }
	| { type: 'hang' }
	| { type: 'jobFailed'; /** default 'NSFW content detected' */ message?: string }
	| { type: 'jobNever' }
	| { type: 'submitError' }
	| { type: 'notImage' }
	| {
			type: 'redirect';
			/** default 307 */
			status?: 301 | 302 | 303 | 307 | 308;
			/** default 'otherHost': imageBaseUrl + '/redirected' + the API path */
			target?: 'otherHost' | string;
			headers?: Record<string, string>;
	  }
	| {
			type: 'stall';
			/** SSE events sent before the stream stalls, default 1 */ afterChunks?: number;
	  }
	| { type: 'holdOpen' }
	| { type: 'errorEvent'; message?: string }
	| {
			type: 'errorBody';
			/** default {status:'error', message:'Model is overloaded (emulated)'} */ body?: unknown;
	  }
	| { type: 'multilineData' }
	| { type: 'longLine'; /** bytes of the one line, default 1 MiB */ bytes?: number }
	| { type: 'html'; /** default 200 */ status?: number; body?: string }
	| { type: 'hugeImage'; bytes: number }
	| { type: 'slowImage'; bytesPerSecond?: number; stall?: boolean }
	| {
			type: 'imageLength';
			/** null: no Content-Length (chunked); a number: that header, whatever is sent */
			contentLength: number | null;
			/** send this many bytes of filler (PNG signature, zeros) instead of the real PNG */
			bytes?: number;
	  }
	| {
			type: 'echoKey';
			/** default 400 */
			status?: number;
			/** how many times the key appears, default 1 */
			repeat?: number;
			/** index of the first copy, default: the key centred on character 300 */
			at?: number;
	  }
	| { type: 'imperfect'; /** passed to the scripted model as `forced` */ kind: string };

export type Fault = FaultCommon & FaultSpec;

export interface RecordedRequest {
	/** 1-based, across both servers; restarts at 1 after reset() */
	seq: number;
	server: 'api' | 'image';
	method: string;
	/** As received, query string included */
	path: string;
	/** Lower-cased header names, as Node's http module received them */
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON body, or null when empty or not JSON */
	body: unknown;
	rawBody: string;
	startedAt: number;
	/** null while the request is still open */
	endedAt: number | null;
	/** null while no status has been sent (e.g. a 'hang' fault) */
	status: number | null;
	/** USD deducted from the key's balance for this request (0 if none) */
	chargedUsd: number;
	/** true when the connection closed before the response was complete (drop fault, client abort) */
	aborted: boolean;
	/**
	 * Chat streams only: the content text and the SSE events written to the socket so far, of how
	 * many the answer has (what the emulator sent, to compare with what a caller received), and
	 * when the first event was written
	 */
	streamed?: { text: string; events: number; of: number; firstAt: number | null };
}

export interface TextToImageBody {
	model: string;
	prompt: string;
	negativePrompt?: string | null;
	scheduler?: string | null;
	steps?: number | null;
	cfgScale?: number | null;
	width?: number | null;
	height?: number | null;
	[field: string]: unknown;
}

export type JobStatus = 'processing' | 'success' | 'failed';

export interface EmulatorJob {
	jobid: number;
	signature: string;
	/** API key that submitted the job */
	key: string;
	body: TextToImageBody;
	submittedAt: number;
	/** When the job finishes; null for a 'jobNever' job */
	readyAt: number | null;
	/** Time of the first poll that returned a final answer (success or failed), else null */
	finishedAt: number | null;
	/** Timestamps (ms) of every poll with the right signature */
	polls: number[];
	/** Derived from the clock: 'processing' until readyAt, then 'success' or 'failed' */
	readonly status: JobStatus;
	/** Set when a jobFailed fault applies */
	failMessage: string | null;
	/** true for a 'jobNever' job */
	never: boolean;
	chargedUsd: number;
}

export interface Emulator {
	/** e.g. 'http://127.0.0.1:PORT' (no trailing slash) */
	readonly baseUrl: string;
	/** e.g. 'http://127.0.0.2:PORT2' */
	readonly imageBaseUrl: string;
	/** Every API and image request in arrival order (control calls are not recorded) */
	readonly requests: RecordedRequest[];
	/** jobid (as a string) -> job */
	readonly jobs: Map<string, EmulatorJob>;
	/** Current USD balance; 0 for an unknown key */
	balance(key: string): number;
	/** Set a key's current balance (reset() restores the configured one) */
	setBalance(key: string, usd: number): void;
	setFault(fault: Fault): void;
	clearFaults(): void;
	/** Clear requests, jobs, faults; restore the configured balances */
	reset(): void;
	configure(partial: RuntimeOptions): void;
	/** Close both servers and destroy open sockets */
	close(): Promise<void>;
}

export declare function startEmulator(options?: EmulatorOptions): Promise<Emulator>;

export interface ChatModelInfo {
	/** Dated model id the stream reports */
	dated: string;
	fingerprint: string;
	/** USD per 1M input tokens */
	input: number;
	/** USD per 1M output tokens */
	output: number;
}
export declare const CHAT_MODELS: Readonly<Record<ChatModel, ChatModelInfo>>;
export declare const IMAGE_MODELS: readonly string[];
export declare const SCHEDULERS: readonly string[];
export declare const IMAGE_PRICE_USD: number;

export type ChatContentPart =
	| { type: 'text'; text: string }
	| { type: 'image_url'; image_url: { url: string; detail?: 'auto' | 'high' | 'low' } };
export interface ChatMessage {
	role: 'developer' | 'user' | 'assistant';
	content: string | ChatContentPart[];
}
/** Word pieces as streamed: each word with its leading whitespace */
export declare function tokenize(text: string): string[];
/** Words of every message's text + 3 per message */
export declare function countPromptTokens(messages: ChatMessage[]): number;
/** The reply text the emulator streams for a conversation */
export declare function replyFor(messages: ChatMessage[]): string;
