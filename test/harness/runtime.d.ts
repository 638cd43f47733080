/** Initialises n8n-core's DI services the harness needs (BinaryDataService in memory mode). */
export declare function ensureRuntime(): Promise<void>;
/** n8n-core's own DI container (from its nested @n8n/di). */
export declare const Container: {
	get<T>(type: new (...args: never[]) => T): T;
	set<T>(type: new (...args: never[]) => T, instance: T): void;
	has(type: unknown): boolean;
	reset(): void;
};
