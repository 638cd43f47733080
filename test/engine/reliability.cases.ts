/**
 * Shared pieces of the reliability suite (reliability.*.test.ts): the per-item fault trigger, the
 * "nothing lost or duplicated" checks and the "the key never leaks" checks.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { RecordedRequest } from '../emulator';
import { keyFragmentIn } from '../fixtures/secrets';
import type { RunResult } from '../harness';
import { TEST_KEY, expectNoKeyIn, type TestBed } from './setup';

/**
 * A second configured key, used only by the "victim" item. The emulator's faults can be limited to
 * one Bearer key, and the harness (like n8n) resolves expressions in credential data per item, so
 * `apiKeyFor(VICTIM_KEY)` as the credential's API key makes a fault hit exactly one item of a run.
 */
export const VICTIM_KEY = ['emu', 'key', 'victim', '7c1e5a'].join('-');

/** The credential's API key: TEST_KEY, except for the item with `victim: true`. */
export function apiKeyFor(victimKey: string): string {
	return `={{ $json.victim ? "${victimKey}" : "${TEST_KEY}" }}`;
}

/** Three items; the middle one is the victim of the fault under test. */
export const THREE_ITEMS = [{ q: 'first' }, { q: 'second', victim: true }, { q: 'third' }];
export const VICTIM_INDEX = 1;

/** The error n8n put in an item under continueOnFail (message and description), if any. */
export function errorOf(item: INodeExecutionData): { message: string; description: string } | null {
	if (!item.error) return null;
	return {
		message: String(item.error.message ?? ''),
		description: String(item.error.description ?? ''),
	};
}

/** N in, N out, in order, with pairedItem 0..N-1. */
export function expectPaired(output: INodeExecutionData[], count: number): void {
	expect(output).toHaveLength(count);
	expect(output.map((item) => item.pairedItem)).toEqual(
		Array.from({ length: count }, (_, item) => ({ item })),
	);
}

/** A piece of any of the secrets that `text` contains (FRAGMENT_CHARS long, any case). */
function leaks(text: string, secrets: string[]): string | undefined {
	for (const secret of secrets) {
		const fragment = keyFragmentIn(text, secret);
		if (fragment !== undefined) return fragment;
	}
	return undefined;
}

/**
 * No piece of the keys appears in any output item (json, error message, description, the whole error), not in
 * n8n's execution data, and not in any request to a host other than the API.
 */
export function expectNoSecretsLeaked(
	result: RunResult,
	requests: RecordedRequest[],
	secrets: string[] = [TEST_KEY, VICTIM_KEY],
): void {
	for (const secret of secrets) expectNoKeyIn(result, secret);
	for (const outputs of Object.values(result.outputs)) {
		for (const item of outputs.flat()) {
			expect(leaks(JSON.stringify(item.json), secrets)).toBeUndefined();
			if (item.error) {
				expect(leaks(String(item.error.message), secrets)).toBeUndefined();
				expect(leaks(String(item.error.description ?? ''), secrets)).toBeUndefined();
				expect(leaks(JSON.stringify(item.error), secrets)).toBeUndefined();
			}
		}
	}
	for (const request of requests.filter((r) => r.server !== 'api')) {
		expect(request.headers.authorization).toBeUndefined();
		const everything = JSON.stringify(request.headers) + request.path + request.rawBody;
		expect(leaks(everything, secrets)).toBeUndefined();
		expect(everything).not.toContain('Bearer');
	}
}

/** Requests of a bed since a mark (the array keeps its identity across resets). */
export function requestsSince(bed: TestBed, mark: number): RecordedRequest[] {
	return bed.emulator.requests.slice(mark);
}

/** One line of an outcome table, clipped so the table stays readable. */
export function clip(text: string, max = 110): string {
	const flat = text.replace(/\s+/g, ' ');
	return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
