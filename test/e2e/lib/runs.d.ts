import type { Emulator, EmulatorJob, Fault, RecordedRequest } from '../../emulator';

/** What `n8n execute` gave (N8nInstance.execute). */
export interface N8nRun {
	code: number | null;
	/** The signal n8n died by after printing its finished run, else null. */
	diedAfterRun: string | null;
	output: { finished?: boolean; status?: string; data?: unknown } | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/** What the emulator received during one run. */
export interface Received {
	requests: RecordedRequest[];
	jobs: EmulatorJob[];
}

export declare function receivedFrom(emulator: Emulator): () => Received;

export declare function executeRun(
	ctx: {
		n8n: { execute(id: string): Promise<N8nRun> };
		emulator: Emulator;
		log?: (line: string) => void;
	},
	id: string,
	options?: { faults?: Fault[] },
): Promise<N8nRun & Received>;

export declare function apiRequests(run: Received, urlPath: string): RecordedRequest[];
