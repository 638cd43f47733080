/**
 * The schema check and the validator are bounded: no schema a user (or a tool) gives can make
 * validation loop, branch without end, or spend more than a fixed budget of steps, and a legal
 * recursive schema still checks data nested as deep as the JSON reader allows.
 */
import {
	formatSchemaError,
	validateJson,
	type JsonSchema,
} from '../../nodes/shared/json/jsonSchema';
import { checkSchema } from '../../nodes/shared/json/jsonSchemaCheck';

function problemsOf(schema: unknown): string[] {
	const result = checkSchema(schema);
	return result.ok ? [] : result.problems.map((p) => `${p.at}: ${p.problem}`);
}

function firstError(value: unknown, schema: JsonSchema): string {
	const result = validateJson(value, schema);
	return result.ok ? 'ok' : formatSchemaError(result);
}

/** A tree of comments: a legal recursive schema (the $ref sits under items, so it consumes). */
const COMMENT: JsonSchema = {
	type: 'object',
	properties: {
		text: { type: 'string' },
		replies: { type: 'array', items: { $ref: '#' } },
	},
	required: ['text'],
};

function thread(depth: number): unknown {
	let node: Record<string, unknown> = { text: 'leaf' };
	for (let i = 0; i < depth; i++) node = { text: `level ${i}`, replies: [node] };
	return node;
}

describe('checkSchema: $ref cycles that read nothing of the value are refused', () => {
	it('refuses {"$ref":"#"}, which no answer can ever match', () => {
		expect(problemsOf({ $ref: '#' })).toEqual([
			'#/$ref: refers back to # without reading into the value (# → #): it would loop without end; a $ref back to an enclosing schema must sit under properties, items or additionalProperties',
		]);
	});

	it('refuses a cycle through anyOf, naming the path', () => {
		const problems = problemsOf({ anyOf: [{ $ref: '#' }, { $ref: '#' }] });
		expect(problems).toHaveLength(2);
		expect(problems[0]).toMatch(/^#\/anyOf\/0\/\$ref: refers back to # .*\(# → #\/anyOf\/0 → #\)/);
		expect(problems[1]).toMatch(/^#\/anyOf\/1\/\$ref: /);
	});

	it('refuses cycles through definitions, allOf and oneOf', () => {
		const schema = {
			definitions: {
				a: { allOf: [{ $ref: '#/definitions/b' }] },
				b: { oneOf: [{ type: 'string' }, { $ref: '#/definitions/a' }] },
			},
			$ref: '#/definitions/a',
		};
		const problems = problemsOf(schema);
		expect(problems).toHaveLength(1);
		expect(problems[0]).toMatch(
			/^#\/definitions\/b\/oneOf\/1\/\$ref: refers back to #\/definitions\/a .*\(#\/definitions\/a → #\/definitions\/a\/allOf\/0 → #\/definitions\/b → #\/definitions\/b\/oneOf\/1 → #\/definitions\/a\)/,
		);
	});

	it('accepts recursion that reads into the value (properties, items, additionalProperties)', () => {
		expect(checkSchema(COMMENT)).toEqual({ ok: true });
		expect(
			checkSchema({
				definitions: {
					node: {
						type: 'object',
						additionalProperties: { $ref: '#/definitions/node' },
						properties: { value: { anyOf: [{ type: 'number' }, { $ref: '#/definitions/node' }] } },
					},
				},
				$ref: '#/definitions/node',
			}),
		).toEqual({ ok: true });
	});
});

describe('validateJson: hops count per level of the value, depth is bounded on its own', () => {
	it('checks a legal recursive schema on data nested deeper than 64 levels', () => {
		expect(firstError(thread(90), COMMENT)).toBe('ok');
		type Comment = { text: unknown; replies?: Comment[] };
		const broken = thread(90) as Comment;
		let node = broken;
		while (node.replies) node = node.replies[0];
		node.text = 7;
		expect(firstError(broken, COMMENT)).toMatch(
			/^(replies\[0\]\.){90}text: expected string, got integer$/,
		);
	});

	it('refuses a value nested deeper than the JSON reader allows, with a clear message', () => {
		expect(firstError(thread(300), COMMENT)).toMatch(/nested deeper than 200 levels/);
	});
});

describe('validateJson: total work is bounded', () => {
	it('returns on the anyOf self-reference of the issue, saying it loops', () => {
		// Before: about 2^64 calls (the hop limit bounded depth, not branching).
		const result = validateJson('x', { anyOf: [{ $ref: '#' }, { $ref: '#' }] });
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problem).toMatch(/loops without end/);
	});

	it('stops a schema whose alternatives branch exponentially, with the budget named', () => {
		// An acyclic chain of definitions, each anyOf two references to the next: 2^30 paths.
		const definitions: Record<string, JsonSchema> = { d30: { type: 'string' } };
		for (let i = 29; i >= 0; i--) {
			definitions[`d${i}`] = {
				anyOf: [{ $ref: `#/definitions/d${i + 1}` }, { $ref: `#/definitions/d${i + 1}` }],
			};
		}
		const schema = { definitions, $ref: '#/definitions/d0' };
		expect(checkSchema(schema)).toEqual({ ok: true });
		const result = validateJson(1, schema);
		expect(result.ok).toBe(false);
		if (result.ok) return;
		expect(result.problem).toMatch(
			/^checking the value against the schema needs more than 1,000,000 steps/,
		);
	});

	it('checks a large value against a plain schema within the budget', () => {
		const rows = Array.from({ length: 50_000 }, (_, i) => ({ id: i, name: `n${i}` }));
		const schema = {
			type: 'array',
			items: {
				type: 'object',
				properties: { id: { type: 'integer' }, name: { type: 'string', pattern: '^n\\d+$' } },
				required: ['id', 'name'],
			},
		};
		expect(firstError(rows, schema)).toBe('ok');
	});
});
