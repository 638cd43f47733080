export interface Counts {
	completed: number;
	failed: number;
	/** Items the execution never answered (its webhook failed or left them out). */
	lost: number;
}
export interface WorkersRun {
	label: 'first' | 'learned';
	/** From the first webhook call to the last answer. */
	ms: number;
	chat: Counts;
	images: Counts;
	/** HTTP statuses of webhook calls that did not answer 200. */
	httpErrors: number[];
	requests: number;
	rejected: number;
	rejectedChat: number;
	medianChatMs: number;
	firstRequestMs: number;
	chatWindowMs: number;
	/** Accepted requests in flight at the server on average, first request to last end. */
	inFlightAvg: number;
	chatExecsPerWorker: number[];
}
export interface WorkersRow {
	workers: number;
	concurrency?: number;
	runs?: WorkersRun[];
	error?: string;
}
export interface WorkersLoad {
	chatExecs: number;
	chatItems: number;
	imageExecs: number;
	imageItems: number;
}
export interface WorkersResults {
	serverLimit: number;
	load: WorkersLoad;
	emulatorOptions: Record<string, unknown>;
	rows: WorkersRow[];
	error?: string;
}
export function runWorkers(options: {
	workerCounts: number[];
	serverLimit: number;
	load: WorkersLoad;
	emulatorOptions: Record<string, unknown>;
	words: number;
	log: (line: string) => void;
}): Promise<WorkersResults>;
