import type { IDataObject, INode, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { MiniToolAiApi } from '../../credentials/MiniToolAiApi.credentials';
import { MiniToolAiChat } from '../../nodes/MiniToolAiChat/MiniToolAiChat.node';
import { forgetJobDurations } from '../../nodes/MiniToolAiTextToImage/jobStatus';
import { MiniToolAiTextToImage } from '../../nodes/MiniToolAiTextToImage/MiniToolAiTextToImage.node';
import { forgetLimits } from '../../nodes/shared/transport/adaptiveLimit';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator';
import { keyFragmentIn } from '../fixtures/secrets';
import {
	chain,
	createEngine,
	itemsNode,
	manualTrigger,
	type RunOptions,
	type RunResult,
} from '../harness';

/** A fake key for the emulator; distinctive so leak checks can search for it. */
export const TEST_KEY = ['emu', 'key', '4f9a2c7e1b'].join('-');
export const EMPTY_BALANCE_KEY = 'emu-key-empty-balance';

export interface TestBed {
	emulator: Emulator;
	/** Runs trigger -> items -> node and returns the run; `items` default to one empty item. */
	runNode(
		node: INode,
		items?: IDataObject[],
		options?: {
			binaries?: Array<Record<string, { data: Buffer; mimeType: string; fileName?: string }>>;
			apiKey?: string;
			baseUrl?: string;
			abortAfterMs?: number;
			abortSignal?: AbortSignal;
			streaming?: RunOptions['streaming'];
		},
	): Promise<RunResult>;
	/** Requests the API server received (image host excluded). */
	apiRequests(): Emulator['requests'];
	close(): Promise<void>;
}

export async function startTestBed(options: EmulatorOptions = {}): Promise<TestBed> {
	const emulator = await startEmulator({
		keys: { [TEST_KEY]: 100, [EMPTY_BALANCE_KEY]: 0 },
		jobDelayMs: 300,
		...options,
	});
	return {
		emulator,
		async runNode(node, items = [{}], opts = {}) {
			const engine = createEngine({
				nodeTypes: [MiniToolAiChat, MiniToolAiTextToImage],
				credentialTypes: [MiniToolAiApi],
				credentials: {
					miniToolAiApi: {
						apiKey: opts.apiKey ?? TEST_KEY,
						baseUrl: opts.baseUrl ?? emulator.baseUrl,
					},
				},
			});
			const workflow = chain(manualTrigger(), itemsNode('Items', items, opts.binaries), node);
			return await engine.run(workflow, {
				abortAfterMs: opts.abortAfterMs,
				abortSignal: opts.abortSignal,
				streaming: opts.streaming,
			});
		},
		apiRequests: () => emulator.requests.filter((request) => request.server === 'api'),
		close: async () => await emulator.close(),
	};
}

/** One test bed for a test file: started before its tests, reset before each, closed after. */
export function useTestBed(options: EmulatorOptions = {}): TestBed {
	const bed = {} as TestBed;
	beforeAll(async () => Object.assign(bed, await startTestBed(options)));
	afterAll(async () => await bed.close());
	beforeEach(() => {
		bed.emulator.reset();
		// Each test starts as a fresh n8n process: no learned rate limit, no learned job durations.
		forgetLimits();
		forgetJobDurations();
	});
	return bed;
}

export function chatNode(parameters: INodeParameters, settings: Partial<INode> = {}): INode {
	return {
		id: 'chat-node',
		name: 'Chat',
		type: 'miniToolAiChat',
		typeVersion: 1,
		position: [400, 0],
		parameters,
		...settings,
	};
}

export function imageNode(parameters: INodeParameters, settings: Partial<INode> = {}): INode {
	return {
		id: 'image-node',
		name: 'Image',
		type: 'miniToolAiTextToImage',
		typeVersion: 1,
		position: [400, 0],
		parameters,
		...settings,
	};
}

/** A user message in the node's "Define Below" list. */
export function userMessages(...contents: string[]): INodeParameters {
	return { message: contents.map((content) => ({ role: 'user', content })) };
}

export const continueOnFail: Partial<INode> = { onError: 'continueRegularOutput' };

/** The error of an item produced under continueOnFail, as n8n puts it in the item. */
export function itemError(
	item: INodeExecutionData,
): { message?: string; description?: string } | undefined {
	const fromJson = (item.json as { error?: unknown }).error;
	if (item.error)
		return { message: item.error.message, description: item.error.description ?? undefined };
	if (typeof fromJson === 'string') return { message: fromJson };
	return fromJson as { message?: string; description?: string } | undefined;
}

/** Fails the test if a piece of the API key appears anywhere in what n8n keeps of the run. */
export function expectNoKeyIn(result: RunResult, key = TEST_KEY): void {
	expect(keyFragmentIn(result.executionData, key)).toBeUndefined();
	expect(keyFragmentIn(JSON.stringify(result.error ?? {}), key)).toBeUndefined();
	expect(keyFragmentIn(String(result.error?.message ?? ''), key)).toBeUndefined();
}

/**
 * How much later than Max Wait a run that gives up may end: the last status check may take 0.5 s
 * (pollJob.ts), and the rest is room for a loaded CI machine. A generous bound, not a benchmark.
 */
export const MAX_WAIT_SLACK_MS = 1500;

/**
 * Max Wait, measured: the run (timed around `runNode`) lasted at least Max Wait, and it ended
 * within MAX_WAIT_SLACK_MS of Max Wait after the job was submitted (the emulator's clock, this
 * process's; the engine's own start-up before the submit is not the node's wait).
 */
export function expectGaveUpAtMaxWait(
	run: { startedAt: number; endedAt: number },
	submittedAt: number,
	maxWaitMs: number,
): void {
	expect(run.endedAt - run.startedAt).toBeGreaterThanOrEqual(maxWaitMs);
	expect(run.endedAt - submittedAt).toBeGreaterThanOrEqual(maxWaitMs);
	expect(run.endedAt - submittedAt).toBeLessThan(maxWaitMs + MAX_WAIT_SLACK_MS);
}

/** Runs `run` and returns its result with the time around it. */
export async function timed<T>(
	run: () => Promise<T>,
): Promise<{ result: T; startedAt: number; endedAt: number }> {
	const startedAt = Date.now();
	const result = await run();
	return { result, startedAt, endedAt: Date.now() };
}
