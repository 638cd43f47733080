import type { Message } from '@n8n/ai-node-sdk';
import type { INode } from 'n8n-workflow';

import { runToolTurn } from '../../nodes/MiniToolAiChatModel/toolTurn';
import type { ChatStreamResult } from '../../nodes/shared/chat/chatStream';
import { keyFragmentIn } from '../fixtures/secrets';
import { CALCULATOR_PARAMETERS } from '../fixtures/tools';

const TOOLS = [
	{ name: 'calculator', description: 'Arithmetic', parameters: CALCULATOR_PARAMETERS },
];
const KEY = ['mtai', 'sk', '9f2c4e7a1b3d5f60'].join('-');
const NODE: INode = {
	id: 'model',
	name: 'MiniToolAI Chat Model',
	type: 'miniToolAiChatModel',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const ASK: Message[] = [{ role: 'user', content: [{ type: 'text', text: 'What is 2+2?' }] }];

function answer(text: string): ChatStreamResult {
	return {
		format: 'sse',
		text,
		finishReason: 'stop',
		usage: null,
		done: true,
		chunks: 1,
		skipped: 0,
	};
}

async function protocolErrorFor(secondAnswer: string): Promise<Error & { description?: string }> {
	const answers = ['{"tool_calls": [{"name": "nope"}]}', secondAnswer];
	try {
		await runToolTurn(ASK, TOOLS, async () => answer(answers.shift()!), {
			node: NODE,
			itemIndex: 0,
			apiKey: KEY,
		});
	} catch (error) {
		return error as Error & { description?: string };
	}
	throw new Error('the turn did not fail');
}

describe('a tool turn that fails twice: the key in the shown answer', () => {
	it.each([1984, 1990, 2000 - KEY.length])(
		'is redacted before the answer is cut at 2,000 characters (key at %i)',
		async (at) => {
			// A call of an unknown tool (invalid) whose argument puts the key at character `at`.
			const head = '{"tool_calls": [{"name": "nope", "arguments": {"q": "';
			const error = await protocolErrorFor(
				`${head}${'x'.repeat(at - head.length)}${KEY} and more text"}}]}`,
			);
			expect(error.description).toMatch(/The model's second answer: \{"tool_calls".*x+/);
			expect(keyFragmentIn(`${error.message}\n${error.description}`, KEY)).toBeUndefined();
		},
	);
});
