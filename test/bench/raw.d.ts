export declare function rawChatBatch(options: {
	baseUrl: string;
	key: string;
	bodies: unknown[];
}): Promise<{ ms: number; statuses: number[] }>;
export declare function fixedPollImage(options: {
	baseUrl: string;
	key: string;
	body: unknown;
	intervalMs?: number;
	maxPolls?: number;
	backoff?: boolean;
}): Promise<{ jobId: string; successPollAt: number; polls: number }>;
