/**
 * n8n 2.x evaluates every expression in an isolate, and RoutingNode evaluates a declarative node's
 * expressions per item, some twice: an expression in the package's own definitions is a per-item
 * cost every user pays. With no expression in the workflow, the nodes must cost none.
 */
import { Expression } from 'n8n-workflow';

import { chatNode, imageNode, userMessages, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 300 });

/** Expression evaluations during one run (each sets up its global context once). */
async function evaluationsDuring(run: () => Promise<unknown>): Promise<number> {
	const spy = jest.spyOn(Expression, 'initializeGlobalContext');
	try {
		await run();
		return spy.mock.calls.length;
	} finally {
		spy.mockRestore();
	}
}

const ITEMS = [{}, {}, {}];

describe('expressions the package makes n8n evaluate', () => {
	beforeEach(() => bed.emulator.configure({ jobDelayMs: 300 }));

	it('Chat node: none, for any number of items (Base URL and key come from the credential)', async () => {
		const count = await evaluationsDuring(async () => {
			const result = await bed.runNode(chatNode({ messages: userMessages('Hi') }), ITEMS);
			expect(result.status).toBe('success');
			expect(result.output('Chat')).toHaveLength(ITEMS.length);
		});
		expect(bed.apiRequests()).toHaveLength(ITEMS.length);
		expect(count).toBe(0);
	});

	it('Text to Image Generate with download: none, status checks and download included', async () => {
		const count = await evaluationsDuring(async () => {
			const result = await bed.runNode(
				imageNode({ operation: 'generate', prompt: 'a lighthouse', downloadImage: true }),
				ITEMS,
			);
			expect(result.status).toBe('success');
		});
		// Submits, several status checks per job and the downloads all went out.
		expect(bed.emulator.jobs.size).toBe(ITEMS.length);
		expect(bed.emulator.requests.length).toBeGreaterThan(2 * ITEMS.length);
		expect(count).toBe(0);
	});

	// What the scale advice (docs/scale.md) rests on: n8n evaluates an expression inside the Messages list
	// (a collection) twice more than one in the JSON messages field.
	it("a user's prompt expression: 5 evaluations per item in the Messages list, 3 as JSON", async () => {
		const list = await evaluationsDuring(() =>
			bed.runNode(chatNode({ messages: userMessages('={{ "Hi " + $itemIndex }}') }), ITEMS),
		);
		const json = await evaluationsDuring(() =>
			bed.runNode(
				chatNode({
					inputMode: 'json',
					messagesJson: '={{ [{ role: "user", content: "Hi " + $itemIndex }] }}',
				}),
				ITEMS,
			),
		);
		// Both runs sent the same three requests.
		const bodies = bed.apiRequests().map((request) => JSON.stringify(request.body));
		expect(bodies).toHaveLength(2 * ITEMS.length);
		expect(bodies.slice(ITEMS.length)).toEqual(bodies.slice(0, ITEMS.length));
		expect(list / ITEMS.length).toBe(5);
		expect(json / ITEMS.length).toBe(3);
	});
});
