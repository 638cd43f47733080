export interface SpikeCaller {
	/** ok: the whole answer, byte for byte what the emulator sent; lost: no answer text; failed: an
	 * error status, error chunk or transport error; cut: text without its end; differs: other text */
	outcome: 'ok' | 'lost' | 'failed' | 'cut' | 'differs';
	status: number | null;
	error?: string;
	/** From the caller's request to its first text (the whole answer when not streamed) */
	firstTokenMs: number | null;
	wholeMs: number | null;
	/** Requests the emulator received for this conversation, refused (429) and answered */
	requests: number;
	refused: number;
	answered: number;
}
export interface SpikeWave {
	wave: number;
	wallMs: number;
	startSpreadMs: number;
	callers: SpikeCaller[];
	ok: number;
	lost: number;
	failed: number;
	cut: number;
	differs: number;
	requests: number;
	refused: number;
	answered: number;
	/** The emulator's own time per answered request: whole answer, and to its first event */
	serverMs: number[];
	serverFirstMs: number[];
	/** RSS of n8n's process tree: highest during the wave, and after it settled */
	peakKb: number;
	rssKb: number;
}
export interface SpikeVariant {
	name: string;
	label: string;
	waves: SpikeWave[];
	error?: string;
}
export interface SpikeResults {
	conversations: number;
	windowMs: number;
	serverLimit: number;
	/** Quiet time after a wave before the RSS is read */
	settleMs: number;
	answerTimes: Record<string, unknown>;
	setup: { startMs?: number };
	/** RSS of n8n's process tree before the first wave */
	idleKb?: number;
	variants: SpikeVariant[];
	error?: string;
}
export declare function runSpike(options: {
	conversations?: number;
	windowMs?: number;
	waves?: number;
	serverLimit?: number;
	answerTimes?: Record<string, unknown>;
	only?: string[];
	log?: (line: string) => void;
}): Promise<SpikeResults>;
