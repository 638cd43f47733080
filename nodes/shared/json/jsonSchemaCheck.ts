import type { JsonSchema } from './schemaTypes';
import { ANNOTATIONS, ENFORCED, children, isSchema, keywordProblem } from './schemaKeywords';
import { escapePointer, findRefCycles } from './schemaRefs';

/**
 * Checks on a schema a user typed (the Chat node's Response Format), before any request is sent,
 * and the schema inferred from an example object. validateJson (jsonSchema.ts) enforces the
 * keywords in ENFORCED; a schema using anything else is refused with the keyword named, rather than
 * silently not enforcing it. So is anything that could keep the validator busy: a $ref cycle that
 * reads nothing of the value (schemaRefs.ts), a pattern of a catastrophic shape (patternSafety.ts),
 * a schema nested deeper than MAX_SCHEMA_DEPTH or larger than MAX_SCHEMA_PARTS.
 *
 * A tool's schema comes from the tool, not from the user, so it is not refused:
 * `enforceableSchema` takes out the parts that cannot be checked safely and lists what it left
 * unchecked (the tool still checks its own input when it runs).
 */

/** Deeper schemas are refused (no real one comes close); it bounds the walk below. */
const MAX_SCHEMA_DEPTH = 64;
/**
 * Values in a schema (objects, arrays, entries), counted as if written out: larger schemas are
 * refused. It bounds the walks, also for a tool's schema built in code whose objects are shared.
 */
const MAX_SCHEMA_PARTS = 20_000;

export interface SchemaProblem {
	/** Where in the schema, as a JSON pointer (`#/properties/items/items`). */
	at: string;
	problem: string;
}

export type SchemaCheck = { ok: true } | { ok: false; problems: SchemaProblem[] };

/** A problem and the part of the schema to leave unenforced for it (none: already ignored). */
interface Finding extends SchemaProblem {
	drop?: { pointer: string; kind: 'keyword' | 'schema' };
}

/** Lists everything in `schema` that is invalid or that validateJson would not enforce. */
export function checkSchema(schema: unknown): SchemaCheck {
	const problems = inspect(schema).map(({ at, problem }) => ({ at, problem }));
	return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/**
 * The schema with every part checkSchema objects to left out (a keyword removed, a subschema
 * replaced by `true`), and those parts, one line each (`#/properties/code/pattern: …`). For
 * schemas that are not the user's to fix: a tool's input.
 */
export function enforceableSchema(schema: unknown): { schema: JsonSchema; notEnforced: string[] } {
	const findings = inspect(schema);
	const notEnforced = findings.map((f) => `${f.at}: ${f.problem}`);
	if (findings.length === 0) return { schema: schema as JsonSchema, notEnforced };
	let copy: unknown;
	try {
		copy = JSON.parse(JSON.stringify(schema)) as unknown;
	} catch {
		copy = undefined; // not JSON (a cycle of objects): nothing of it can be trusted
	}
	if (!isSchema(copy) || findings.some((f) => f.drop?.pointer === '#')) {
		return { schema: { type: 'object' }, notEnforced };
	}
	for (const { drop } of findings) if (drop) leaveOut(copy, drop.pointer, drop.kind);
	return { schema: copy, notEnforced };
}

function inspect(schema: unknown): Finding[] {
	if (!isSchema(schema)) {
		return [
			{
				at: '#',
				problem: 'a schema must be a JSON object (or true/false)',
				drop: { pointer: '#', kind: 'schema' },
			},
		];
	}
	if (!fewerParts(schema, MAX_SCHEMA_PARTS)) {
		return [
			{
				at: '#',
				problem: `the schema has more than ${MAX_SCHEMA_PARTS.toLocaleString('en-US')} parts`,
				drop: { pointer: '#', kind: 'schema' },
			},
		];
	}
	const findings: Finding[] = [];
	walk(schema, '#', schema, findings, 0);
	// Cycles are looked for only in a schema whose depth is known to be bounded.
	if (findings.some((f) => f.problem.startsWith(TOO_DEEP))) return findings;
	for (const cycle of findRefCycles(schema)) {
		findings.push({
			at: cycle.at,
			problem: `refers back to ${cycle.target} without reading into the value (${cycle.path.join(' → ')}): it would loop without end; a $ref back to an enclosing schema must sit under properties, items or additionalProperties`,
			drop: { pointer: cycle.at, kind: cycle.at.endsWith('/$ref') ? 'keyword' : 'schema' },
		});
	}
	return findings;
}

const TOO_DEEP = 'the schema is nested deeper than';

/** Whether `value`, written out as JSON, holds at most `limit` values; reads at most that many. */
function fewerParts(value: unknown, limit: number): boolean {
	const stack: unknown[] = [value];
	let count = 0;
	while (stack.length > 0) {
		const next = stack.pop();
		if (++count > limit) return false;
		if (next !== null && typeof next === 'object') {
			const children = Object.values(next as object);
			if (count + children.length > limit) return false;
			stack.push(...children);
		}
	}
	return true;
}

/** Removes the keyword at `pointer`, or replaces the subschema there by `true`. */
function leaveOut(root: JsonSchema, pointer: string, kind: 'keyword' | 'schema'): void {
	const keys = pointer
		.slice(2)
		.split('/')
		.map((key) => key.replace(/~1/g, '/').replace(/~0/g, '~'));
	const last = keys.pop() as string;
	let parent: unknown = root;
	for (const key of keys) {
		if (parent === null || typeof parent !== 'object') return;
		parent = (parent as Record<string, unknown>)[key];
	}
	if (parent === null || typeof parent !== 'object') return;
	if (kind === 'keyword') delete (parent as Record<string, unknown>)[last];
	else (parent as Record<string, unknown>)[last] = true;
}

/** One line per problem, for an error description. */
export function formatSchemaProblems(problems: SchemaProblem[]): string {
	return problems.map((p) => `${p.at}: ${p.problem}`).join('\n');
}

function walk(
	schema: JsonSchema,
	at: string,
	root: JsonSchema,
	findings: Finding[],
	depth: number,
): void {
	if (typeof schema === 'boolean') return;
	if (depth > MAX_SCHEMA_DEPTH) {
		findings.push({
			at,
			problem: `${TOO_DEEP} ${MAX_SCHEMA_DEPTH} levels`,
			drop: { pointer: at, kind: 'schema' },
		});
		return;
	}
	for (const [keyword, value] of Object.entries(schema)) {
		const here = `${at}/${escapePointer(keyword)}`;
		if (ANNOTATIONS.has(keyword)) continue;
		if (!ENFORCED.has(keyword)) {
			findings.push({ at, problem: `the keyword "${keyword}" is not supported` });
			continue;
		}
		const problem = keywordProblem(keyword, value, root);
		if (problem) {
			findings.push({ at: here, problem, drop: { pointer: here, kind: 'keyword' } });
			continue;
		}
		for (const [childAt, child] of children(keyword, value, here))
			walk(child, childAt, root, findings, depth + 1);
	}
}

/**
 * A schema from an example value: every key of an object is required, arrays take the schema of
 * their first item, numbers are `number` (an example's 10 says nothing about 10.5 being wrong),
 * `null` allows anything (the example does not tell the type).
 */
export function inferSchema(example: unknown): JsonSchema {
	if (example === null || example === undefined) return {};
	if (Array.isArray(example)) {
		return example.length === 0
			? { type: 'array' }
			: { type: 'array', items: inferSchema(example[0]) };
	}
	if (typeof example === 'object') {
		// fromEntries defines own properties, so a "__proto__" key stays a property.
		const properties: Record<string, JsonSchema> = Object.fromEntries(
			Object.entries(example as Record<string, unknown>).map(([key, value]) => [
				key,
				inferSchema(value),
			]),
		);
		return { type: 'object', properties, required: Object.keys(properties) };
	}
	if (typeof example === 'number') return { type: 'number' };
	if (typeof example === 'boolean') return { type: 'boolean' };
	return { type: 'string' };
}
