import type { Message } from '@n8n/ai-node-sdk';

import { parseToolAnswer } from '../../nodes/MiniToolAiChatModel/toolAnswer';
import {
	REPAIR_PREFIX,
	renderToolCalls,
	renderToolRepair,
	renderToolResults,
	renderToolsPrompt,
	toProtocolMessages,
	toToolCallContent,
	type ToolSpec,
} from '../../nodes/MiniToolAiChatModel/toolProtocol';

const TOOLS: ToolSpec[] = [
	{
		name: 'calculator',
		description: 'Evaluates arithmetic',
		parameters: { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] },
	},
];

function text(message: Message): string {
	return message.content
		.map((block) => (block.type === 'text' ? block.text : `<${block.type}>`))
		.join('');
}

describe('renderToolsPrompt', () => {
	it('lists the tools as JSON between <tools> tags and asks for the strict format', () => {
		const prompt = renderToolsPrompt(TOOLS);
		const listed = /<tools>\n(.*)\n<\/tools>/.exec(prompt)?.[1] ?? '';
		expect(JSON.parse(listed)).toEqual([
			{ name: 'calculator', description: 'Evaluates arithmetic', parameters: TOOLS[0].parameters },
		]);
		expect(prompt).toContain('answer with ONLY this JSON object');
		expect(prompt).toContain('{"tool_calls":[{"name":"<tool name>","arguments":{…}}]}');
	});
});

describe('renderToolCalls and renderToolResults', () => {
	it('writes earlier calls in the strict format with ids, which the parser reads back', () => {
		const rendered = renderToolCalls([
			{ id: 'call_1', name: 'calculator', arguments: { input: '2+2' } },
		]);
		expect(rendered).toBe(
			'{"tool_calls":[{"id":"call_1","name":"calculator","arguments":{"input":"2+2"}}]}',
		);
		expect(parseToolAnswer(rendered, TOOLS)).toMatchObject({
			kind: 'calls',
			calls: [{ name: 'calculator' }],
		});
	});

	it('writes one block per result, marks errors and keeps a closing tag in a result from ending it', () => {
		expect(
			renderToolResults([
				{ id: 'call_1', name: 'calculator', result: '4' },
				{ id: 'call_2', name: 'x"y', result: { a: 1 }, isError: true },
				{ id: 'call_3', name: 'z', result: 'a</tool_result>b' },
				{ id: 'call_4', name: 'z', result: [{ type: 'text', text: 'from blocks' }] },
			]),
		).toBe(
			[
				'<tool_result id="call_1" name="calculator">\n4\n</tool_result>',
				'<tool_result id="call_2" name="x&quot;y" error="true">\n{"a":1}\n</tool_result>',
				'<tool_result id="call_3" name="z">\na<\\/tool_result>b\n</tool_result>',
				'<tool_result id="call_4" name="z">\nfrom blocks\n</tool_result>',
			].join('\n'),
		);
	});
});

describe('renderToolRepair', () => {
	it('starts with the repair prefix, says what was wrong and repeats the format with the names', () => {
		const repair = renderToolRepair('there is no tool named "search"', TOOLS);
		expect(repair.startsWith(`${REPAIR_PREFIX} there is no tool named "search"\n`)).toBe(true);
		expect(repair).toContain('where each name is one of: calculator,');
	});
});

describe('toProtocolMessages', () => {
	const conversation: Message[] = [
		{ role: 'system', content: [{ type: 'text', text: 'You are helpful.' }] },
		{ role: 'user', content: [{ type: 'text', text: 'What is 2+2 and 3+3?' }] },
		{
			role: 'assistant',
			content: [
				{ type: 'text', text: 'Let me compute.' },
				{ type: 'tool-call', toolCallId: 'a', toolName: 'calculator', input: '{"input":"2+2"}' },
				{ type: 'tool-call', toolCallId: 'b', toolName: 'calculator', input: '{"input":"3+3"}' },
			],
		},
		{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'a', result: '4' }] },
		{ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'b', result: 6 }] },
	];

	it('puts the tools after the leading system messages and writes calls and results as text', () => {
		const out = toProtocolMessages(conversation, TOOLS);
		expect(out.map((m) => m.role)).toEqual(['system', 'system', 'user', 'assistant', 'user']);
		expect(text(out[0])).toBe('You are helpful.');
		expect(text(out[1])).toBe(renderToolsPrompt(TOOLS));
		expect(text(out[3])).toBe(
			'{"tool_calls":[{"id":"a","name":"calculator","arguments":{"input":"2+2"}},{"id":"b","name":"calculator","arguments":{"input":"3+3"}}]}',
		);
		expect(text(out[4])).toBe(
			'<tool_result id="a" name="calculator">\n4\n</tool_result>\n<tool_result id="b" name="calculator">\n6\n</tool_result>',
		);
		expect(out.every((m) => m.content.every((block) => block.type === 'text'))).toBe(true);
	});

	it('adds no tools message when no tool is bound, but still writes tool traffic as text', () => {
		const out = toProtocolMessages(conversation, []);
		expect(out).toHaveLength(4);
		expect(text(out[3])).toContain('<tool_result id="a" name="calculator">');
	});

	it('puts the tools first when there is no system message', () => {
		const out = toProtocolMessages([conversation[1]], TOOLS);
		expect(out.map((m) => m.role)).toEqual(['system', 'user']);
	});
});

describe('toToolCallContent', () => {
	it('makes the SDK tool-call blocks with the input as a JSON string', () => {
		expect(
			toToolCallContent([{ id: 'call_1', name: 'calculator', arguments: { input: '2+2' } }]),
		).toEqual([
			{ type: 'tool-call', toolCallId: 'call_1', toolName: 'calculator', input: '{"input":"2+2"}' },
		]);
	});
});
