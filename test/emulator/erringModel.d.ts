/** Types for the tool-loop simulation's error model (erringModel.js). */
import type { ScriptedMessage } from './scriptedModel';

export interface ErringReplyOptions {
	/** The answer's sequence number: with the seed it decides whether and how it errs. */
	seq?: number;
	seed?: number;
	/** Share of answers (first answers and repair answers alike) that err, 0..1. */
	rate?: number;
}

/** What the script means to answer, read from its perfect answer with JSON.parse. */
export interface ScriptIntent {
	calls?: Array<{ name: string; arguments: unknown }>;
	value?: unknown;
	text?: string;
}

export interface ErringReply {
	text: string;
	/** The scripted model's imperfection applied, or null. */
	kind: string | null;
	intent: ScriptIntent;
}

export declare function erringReply(
	messages: ScriptedMessage[],
	options?: ErringReplyOptions,
): ErringReply | undefined;
