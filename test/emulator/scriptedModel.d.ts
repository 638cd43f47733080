/** Types for the emulator's scripted model (scriptedModel.js). */

export interface ScriptedMessage {
	role: string;
	content: string | Array<{ type: string; text?: string; [key: string]: unknown }>;
}

export interface ImperfectModelOptions {
	/** Share of turns (first attempts) answered imperfectly, 0..1. */
	rate: number;
	/** Kinds to draw from (default: all); only those that apply to the turn are used. */
	kinds?: string[];
	seed?: number;
}

export interface ScriptedReplyOptions {
	imperfection?: ImperfectModelOptions;
	/** The request's sequence number (decides the imperfect turns with the seed). */
	seq?: number;
	/** A kind forced on this request (the per-request fault), as `{ kind }` or its name. */
	forced?: { kind: string } | string;
	/**
	 * Answers meant for people (the emulator's `canned` replies): fields and tool arguments read
	 * from the question as a model would, tool results answered in prose, a question that names no
	 * tool left to the canned text. Default: the question copied into every string.
	 */
	plausible?: boolean;
}

export interface ScriptedReply {
	text: string;
	/** The imperfection applied, or null for a correct answer. */
	imperfection: string | null;
}

/** The scripted answer, or undefined when the messages hold neither <tools> nor <response_schema>. */
export declare function scriptedReply(
	messages: ScriptedMessage[],
	options?: ScriptedReplyOptions,
): ScriptedReply | undefined;

export declare const REPAIR_PREFIX: string;
export declare const TOOL_KINDS: string[];
export declare const SCHEMA_KINDS: string[];
export declare const ALL_KINDS: string[];
