export declare const REPO_ROOT: string;
export declare const OUT_DIR: string;
export declare function sleep(ms: number): Promise<void>;
export declare function print(text: string): void;
export declare function writeOut(name: string, content: string): string;
export interface MachineInfo {
	nproc: number;
	cpuModel: string;
	memoryGiB: number;
	node: string;
	platform: string;
	loadAvg: number[];
	date: string;
}
export declare function machineInfo(): MachineInfo;
export declare function nowMs(): number;
export declare function selectedMeasurements(): string[] | null;
export declare function runCleanups(cleanups: Array<() => unknown>): Promise<void>;
