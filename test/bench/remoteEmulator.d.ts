export interface RemoteRecord {
	server: string;
	status: number | null;
	startedAt: number;
	endedAt: number | null;
}
export interface RemoteEmulator {
	baseUrl: string;
	configure(options: Record<string, unknown>): Promise<unknown>;
	reset(): Promise<unknown>;
	requests(): Promise<RemoteRecord[]>;
	close(): Promise<void>;
}
export declare function startRemoteEmulator(options: {
	keys: Record<string, number>;
	latencyMs?: number;
	tokenDelayMs?: number;
}): Promise<RemoteEmulator>;
