/** The Chat node's message fields show only what applies, by n8n's own display rules. */
import { NodeHelpers, type INodeParameters, type INodeProperties } from 'n8n-workflow';

import { MiniToolAiChat } from '../../nodes/MiniToolAiChat/MiniToolAiChat.node';

const description = new MiniToolAiChat().description;
const messageFields = (
	description.properties.find((p) => p.name === 'messages')!.options![0] as {
		values: INodeProperties[];
	}
).values;

function shownFields(message: INodeParameters): string[] {
	const parameters: INodeParameters = { inputMode: 'list', messages: { message: [message] } };
	const node = {
		id: '1',
		name: 'Chat',
		type: 'miniToolAiChat',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters,
	};
	return messageFields
		.filter((field) =>
			NodeHelpers.displayParameterPath(parameters, field, 'messages.message[0]', node, description),
		)
		.map((field) => field.name)
		.sort();
}

describe('Chat node: message fields', () => {
	it.each([
		[{ role: 'developer', content: 'x' }, ['content', 'role']],
		[{ role: 'assistant', content: 'x', imageSource: 'url' }, ['content', 'role']],
		[{ role: 'user', content: 'x', imageSource: 'none' }, ['content', 'imageSource', 'role']],
		[
			{ role: 'user', content: 'x', imageSource: 'url' },
			['content', 'imageDetail', 'imageSource', 'imageUrl', 'role'],
		],
		[
			{ role: 'user', content: 'x', imageSource: 'binary' },
			['binaryProperty', 'content', 'imageDetail', 'imageSource', 'role'],
		],
	])('for %p shows %p', (message, expected) => {
		expect(shownFields(message as INodeParameters)).toEqual(expected);
	});

	it('gives the content several lines to write in', () => {
		expect(messageFields.find((f) => f.name === 'content')?.typeOptions).toEqual({ rows: 4 });
	});
});
