/**
 * A tool's input schema comes from the tool (n8n's tools build it with zod), not from a form the
 * user fills in, so it cannot be refused the way Response Format is: the parts the validator cannot
 * check safely (a catastrophic pattern, a $ref cycle) or does not know (an unsupported keyword) are
 * not enforced by the model's answer reader, and the Chat Model says which in a warning hint. The
 * tool still checks its own input when it runs.
 */
import {
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
} from 'n8n-workflow';

import { startEmulator, type Emulator } from '../emulator';
import { consumerDescription, consumerInput, runWithChatModel } from './modelHarness';

const KEY = ['emu', 'schemas', 'key', '5d21e0'].join('-');

/** The pattern is catastrophic on "aaa…a!": exponential backtracking if it were run. */
const LOOKUP_INPUT = {
	type: 'object',
	properties: {
		code: { type: 'string', pattern: '(a+)+$' },
		count: { type: 'number', multipleOf: 5 },
	},
	required: ['code'],
};

class SchemaConsumer implements INodeType {
	description = consumerDescription('schemaConsumer', 'Binds a tool with an unsafe schema');

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const { model, messages } = await consumerInput(this);
		const withTools = model.bindTools!([
			{
				type: 'function',
				function: { name: 'lookup', description: 'Looks a code up', parameters: LOOKUP_INPUT },
			},
		]);
		const answer = await withTools.invoke(messages);
		const calls = (answer.tool_calls ?? []).map((call) => ({ name: call.name, args: call.args }));
		return [[{ json: { calls: calls as unknown as IDataObject[] } }]];
	}
}

let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ keys: { [KEY]: 100 } });
});
afterAll(async () => await emulator.close());

it('calls a tool whose schema has unsafe parts without running them, and says what is not checked', async () => {
	// The scripted model copies the question into the string argument: 27 a's and "!".
	const question = `lookup ${'a'.repeat(27)}!`;
	const result = await runWithChatModel({
		consumer: SchemaConsumer,
		credentials: { apiKey: KEY, baseUrl: emulator.baseUrl },
		mode: 'invoke',
		messages: [{ role: 'user', content: question }],
		modelParameters: { model: 'gpt-4o-mini', temperature: 0.2, maxCompletionTokens: 300 },
	});
	expect(result.error).toBeUndefined();
	expect(result.output('Consumer')[0].json.calls).toEqual([
		{ name: 'lookup', args: { code: question, count: 1 } },
	]);
	// One request: the answer was accepted as it was (no repair round over the pattern).
	expect(emulator.requests.filter((r) => r.path.startsWith('/api/chat-completions'))).toHaveLength(
		1,
	);
	const hints = result.run.data.resultData.runData['MiniToolAI Chat Model'][0].hints ?? [];
	const warnings = hints.filter((hint) => hint.type === 'warning').map((hint) => hint.message);
	expect(warnings).toEqual([
		expect.stringMatching(
			/^Tool "lookup": parts of its input schema are not checked in the model's answers \(the tool still checks its input\): #\/properties\/code\/pattern: the pattern \(a\+\)\+\$ could take time growing exponentially .*; #\/properties\/count: the keyword "multipleOf" is not supported$/,
		),
	]);
});
