import { z } from 'zod';

import { parseToolAnswer } from '../../nodes/MiniToolAiChatModel/toolAnswer';
import { toToolSpecs } from '../../nodes/MiniToolAiChatModel/toolSpecs';

const input = z.object({
	word: z.string(),
	note: z.string().nullable(),
	count: z.number().int().nullable().optional(),
});
// What a second zod copy's schema looks like to the SDK: the same definition, another class, so
// the SDK's converter hands it back and the fallback reads `_def`.
const foreign = { _def: input._def, safeParse: () => undefined };

describe.each([
	['the SDK converter (zod the SDK knows)', input],
	['the fallback (zod from another copy)', foreign],
])('tool input schemas through %s', (_label, schema) => {
	const [spec] = toToolSpecs([{ type: 'function', name: 'lookup', inputSchema: schema as never }]);
	const call = (args: object) =>
		parseToolAnswer(JSON.stringify({ name: 'lookup', arguments: args }), [spec]);

	it('accept null for a nullable field', () => {
		expect(call({ word: 'a', note: null, count: null })).toMatchObject({ kind: 'calls' });
	});

	it('still refuse null where the field is not nullable, and a wrong type', () => {
		expect(call({ word: null, note: null })).toMatchObject({ kind: 'invalid' });
		expect(call({ word: 'a', note: 3 })).toMatchObject({ kind: 'invalid' });
	});
});
