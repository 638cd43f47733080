/**
 * Local `$ref`s of a schema: following one (`#/definitions/Item`), and the cycles that would make
 * validation loop. A `$ref` (or an anyOf/oneOf/allOf branch) applies its schema to the same value;
 * only properties, items and additionalProperties move on to a part of the value. A cycle made
 * only of the former never reads further into the value, so validating anything loops without end
 * ({"$ref":"#"}, or {"anyOf":[{"$ref":"#"},…]} which branches too). Recursion through the latter
 * (a tree of comments) ends with the value.
 */
import type { JsonSchema } from './schemaTypes';

type SchemaObject = { [keyword: string]: unknown };

export interface RefCycle {
	/** Where the `$ref` (or branch) that closes the cycle is, as a JSON pointer. */
	at: string;
	/** The schema it leads back to. */
	target: string;
	/** The schemas of the cycle, from the target round to it again. */
	path: string[];
}

/** Keywords whose subschemas apply to the same value. */
const SAME_VALUE = ['anyOf', 'oneOf', 'allOf'] as const;
/** Keywords that hold subschemas at all (the walk that finds every schema of the document). */
const SCHEMA_MAPS = ['properties', 'definitions', '$defs'];
const SCHEMA_SLOTS = ['items', 'additionalProperties'];

/** Follows a local JSON pointer (`#/definitions/Item`); undefined when it points nowhere. */
export function resolveRef(root: JsonSchema, ref: string): JsonSchema | undefined {
	if (ref === '#') return root;
	if (!ref.startsWith('#/')) return undefined;
	let node: unknown = root;
	for (const raw of ref.slice(2).split('/')) {
		let key: string;
		try {
			key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
		} catch {
			return undefined;
		}
		if (
			node === null ||
			typeof node !== 'object' ||
			!Object.prototype.hasOwnProperty.call(node, key)
		) {
			return undefined;
		}
		node = (node as SchemaObject)[key];
	}
	return isSchemaObject(node) || typeof node === 'boolean' ? (node as JsonSchema) : undefined;
}

/** Every cycle of `$ref`s and branches that reads nothing of the value, in document order. */
export function findRefCycles(root: JsonSchema): RefCycle[] {
	if (!isSchemaObject(root)) return [];
	const pointers = indexSchemas(root);
	const state = new Map<SchemaObject, 'open' | 'done'>();
	const cycles: RefCycle[] = [];
	for (const start of pointers.keys()) {
		if (state.has(start)) continue;
		// Depth-first, with an explicit stack (a chain of refs may be as long as the schema).
		const stack: Array<{ node: SchemaObject; edges: Edge[]; next: number }> = [];
		const enter = (node: SchemaObject) => {
			state.set(node, 'open');
			stack.push({ node, edges: sameValueEdges(node, pointers.get(node) ?? '#', root), next: 0 });
		};
		enter(start);
		while (stack.length > 0) {
			const frame = stack[stack.length - 1];
			if (frame.next >= frame.edges.length) {
				state.set(frame.node, 'done');
				stack.pop();
				continue;
			}
			const edge = frame.edges[frame.next++];
			const seen = state.get(edge.to);
			if (seen === 'open') {
				const from = stack.findIndex((f) => f.node === edge.to);
				const path = [
					...stack.slice(from).map((f) => pointerOf(pointers, f.node)),
					pointerOf(pointers, edge.to),
				];
				cycles.push({ at: edge.at, target: pointerOf(pointers, edge.to), path });
			} else if (seen === undefined) {
				// A $ref may point at an object the walk did not list (into a keyword's value).
				if (!pointers.has(edge.to)) pointers.set(edge.to, edge.ref ?? edge.at);
				enter(edge.to);
			}
		}
	}
	return cycles;
}

interface Edge {
	to: SchemaObject;
	at: string;
	/** The `$ref` followed, for a reference. */
	ref?: string;
}

function sameValueEdges(node: SchemaObject, at: string, root: JsonSchema): Edge[] {
	const edges: Edge[] = [];
	if (typeof node.$ref === 'string') {
		const target = resolveRef(root, node.$ref);
		if (isSchemaObject(target)) edges.push({ to: target, at: `${at}/$ref`, ref: node.$ref });
	}
	for (const keyword of SAME_VALUE) {
		const branches = node[keyword];
		if (!Array.isArray(branches)) continue;
		branches.forEach((branch, index) => {
			if (isSchemaObject(branch)) edges.push({ to: branch, at: `${at}/${keyword}/${index}` });
		});
	}
	return edges;
}

/** Every schema object of the document with its pointer (the first one found, for shared objects). */
function indexSchemas(root: SchemaObject): Map<SchemaObject, string> {
	const pointers = new Map<SchemaObject, string>();
	const queue: Array<[SchemaObject, string]> = [[root, '#']];
	for (let i = 0; i < queue.length; i++) {
		const [node, at] = queue[i];
		if (pointers.has(node)) continue;
		pointers.set(node, at);
		for (const [childAt, child] of subschemas(node, at)) {
			if (isSchemaObject(child) && !pointers.has(child)) queue.push([child, childAt]);
		}
	}
	return pointers;
}

/** The subschemas directly below a schema, with their pointers. */
export function subschemas(schema: SchemaObject, at: string): Array<[string, unknown]> {
	const out: Array<[string, unknown]> = [];
	for (const keyword of SCHEMA_MAPS) {
		const map = schema[keyword];
		if (!isSchemaObject(map)) continue;
		for (const [key, child] of Object.entries(map)) {
			out.push([`${at}/${keyword}/${escapePointer(key)}`, child]);
		}
	}
	for (const keyword of SCHEMA_SLOTS) {
		if (keyword in schema) out.push([`${at}/${keyword}`, schema[keyword]]);
	}
	for (const keyword of SAME_VALUE) {
		const branches = schema[keyword];
		if (Array.isArray(branches)) {
			branches.forEach((child, index) => out.push([`${at}/${keyword}/${index}`, child]));
		}
	}
	return out;
}

export function escapePointer(key: string): string {
	return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointerOf(pointers: Map<SchemaObject, string>, node: SchemaObject): string {
	return pointers.get(node) ?? '#';
}

function isSchemaObject(value: unknown): value is SchemaObject {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}
