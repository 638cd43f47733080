/** Initialises n8n-core's DI services the harness needs (BinaryDataService in memory mode). */
export declare function ensureRuntime(): Promise<void>;
/** n8n-core's own DI container (from its nested @n8n/di). */
export declare const Container: {
	get<T>(type: new (...args: never[]) => T): T;
	set<T>(type: new (...args: never[]) => T, instance: T): void;
	has(type: unknown): boolean;
	reset(): void;
};
/** A line a node logged through n8n's Logger. */
export interface LoggedLine {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	meta: Record<string, unknown>;
	/** Date.now() when it was logged */
	at: number;
}
/** Records what nodes log through n8n's Logger until stop(). */
export declare function captureNodeLogs(): { lines: LoggedLine[]; stop(): void };
