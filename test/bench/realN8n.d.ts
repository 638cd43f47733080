export interface RealChatRun {
	ms: number;
	code: number | null;
	okItems: number;
	requests: number;
	/** first request start -> last request end, on the emulator's clock */
	window: number | null;
}
export interface RealMemoryRun {
	ms: number;
	hwmKb: number;
	childrenPeakKb: number;
	stdoutBytes: number;
	downloads: number;
}
export interface ScaleRun {
	chat: number;
	images: number;
	ms: number;
	hwmKb: number;
	childrenPeakKb: number;
	stdoutBytes: number;
	startupMs: number;
	chatWindowMs: number;
	imageWindowMs: number;
	pollsPerJob: number;
	peakChatKb: number;
	peakImageKb: number;
}
export interface RealN8nResults {
	setup: { hostMs?: number; buildInstallMs?: number; importMs?: number };
	chat:
		| { error: string }
		| { items: number; runs: { ours: RealChatRun[]; http: RealChatRun[] } }
		| null;
	memory:
		| { error: string }
		| {
				images: number;
				imageBytes: number | null;
				rows: Array<{ label: string; id: string; runs: RealMemoryRun[] }>;
		  }
		| null;
	scale:
		| { error: string }
		| {
				emulator: { latencyMs: number; jobDelayMs: number };
				imageSide: number;
				imageBytes: number | null;
				runs: ScaleRun[];
				/** The chat items alone through n8n's HTTP Request node. */
				http: Array<{
					chat: number;
					ms: number;
					hwmKb: number;
					startupMs: number;
					chatWindowMs: number;
				}>;
		  }
		| null;
}
export declare function runRealN8n(options: {
	chatItems?: number;
	chatReps?: number;
	images?: number;
	memReps?: number;
	scale?: Array<{ chat: number; images: number }>;
	/** Added to n8n's environment in the scale runs. */
	scaleEnv?: Record<string, string>;
	log?: (line: string) => void;
}): Promise<RealN8nResults>;
