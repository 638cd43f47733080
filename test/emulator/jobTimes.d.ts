/** Types for the emulator's simulation of job durations (jobTimes.js). */
export interface JobTimes {
	/** Standard deviation of the duration's logarithm (default 0.15). */
	spread?: number;
	/** Share of slow jobs (default 0.1)... */
	slowShare?: number;
	/** ...that take this many times longer (default 2). */
	slowFactor?: number;
	seed?: number;
}

export declare const DEFAULT_JOB_TIMES: Required<JobTimes>;

/** The n-th job's duration for a median of `medianMs`; `jobTimes` null or undefined: fixed. */
export declare function jobDurationMs(
	medianMs: number,
	jobTimes: JobTimes | null | undefined,
	n: number,
): number;

export declare function checkJobTimes(value: unknown): void;
