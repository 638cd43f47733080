import { getParametersJsonSchema, type Tool } from '@n8n/ai-node-sdk';

import type { JsonSchema } from '../shared/json/jsonSchema';
import { enforceableSchema } from '../shared/json/jsonSchemaCheck';
import type { ToolSpec } from './toolProtocol';

/** What the model is told when a tool's input schema cannot be read: any object. */
const ANY_INPUT: JsonSchema = { type: 'object' };

/**
 * The tools an agent bound, as the prompt describes them: name, description, input as JSON Schema.
 * The SDK's own converter handles zod schemas (n8n's tools build theirs with zod) and plain JSON
 * Schema. Provider tools (a vendor's built-in web search, say) have no schema and cannot be
 * called by prompting, so they are left out.
 *
 * The model's calls are checked against the schema with the same validator and the same rules as
 * Response Format. A tool's schema is not the user's to fix, though, and the tool checks its own
 * input when it runs; so instead of refusing the tool, the parts the validator cannot check safely
 * (a catastrophic pattern, a $ref loop) or does not know (an unsupported keyword) are not enforced,
 * and listed in `notEnforced` for the Chat Model to report.
 */
export function toToolSpecs(tools: Tool[]): ToolSpec[] {
	const specs: ToolSpec[] = [];
	for (const tool of tools) {
		if (tool.type !== 'function') continue;
		const parameters = parametersOf(tool);
		const { schema, notEnforced } = enforceableSchema(parameters);
		specs.push({
			name: tool.name,
			...(tool.description ? { description: tool.description } : {}),
			parameters,
			...(notEnforced.length > 0 ? { enforced: schema, notEnforced } : {}),
		});
	}
	return specs;
}

function parametersOf(tool: Extract<Tool, { type: 'function' }>): JsonSchema {
	let schema: unknown;
	try {
		schema = getParametersJsonSchema(tool);
	} catch {
		schema = tool.inputSchema;
	}
	if (isJsonSchema(schema)) return withoutMetaKeywords(schema);
	// A zod schema from another copy of zod than the SDK's (a package installed with its own
	// copies) fails the SDK's instance check and comes back unconverted. Zod 3 schemas describe
	// themselves in `_def`; the common shapes of tool inputs are read from there.
	return fromZodDef(schema, 0) ?? ANY_INPUT;
}

/** A plain JSON Schema object (not a zod schema, which carries `_def` / `_zod` and methods). */
function isJsonSchema(value: unknown): value is { [keyword: string]: unknown } {
	if (!isRecord(value)) return false;
	return !('_def' in value) && !('_zod' in value) && typeof value.safeParse !== 'function';
}

/** `$schema` and the like tell a validator which draft; the model does not need them. */
function withoutMetaKeywords(schema: { [keyword: string]: unknown }): JsonSchema {
	const rest = { ...schema };
	delete rest.$schema;
	return rest;
}

/** Deep enough for tool inputs; deeper (or recursive) schemas are described as "anything". */
const MAX_ZOD_DEPTH = 8;

function fromZodDef(schema: unknown, depth: number): JsonSchema | undefined {
	if (!isRecord(schema) || !isRecord(schema._def) || depth > MAX_ZOD_DEPTH) return undefined;
	const def = schema._def;
	const described = (out: JsonSchema | undefined): JsonSchema | undefined =>
		isRecord(out) && typeof def.description === 'string'
			? { ...out, description: def.description }
			: out;
	const inner = (child: unknown) => fromZodDef(child, depth + 1) ?? {};
	switch (def.typeName) {
		case 'ZodString':
			return described({ type: 'string' });
		case 'ZodNumber':
			return described({
				type:
					isArray(def.checks) && def.checks.some((c) => isRecord(c) && c.kind === 'int')
						? 'integer'
						: 'number',
			});
		case 'ZodBoolean':
			return described({ type: 'boolean' });
		case 'ZodNull':
			return described({ type: 'null' });
		case 'ZodLiteral':
			return described({ const: def.value });
		case 'ZodEnum':
			return described({ type: 'string', enum: isArray(def.values) ? def.values : [] });
		case 'ZodArray':
			return described({ type: 'array', items: inner(def.type) });
		case 'ZodOptional':
		case 'ZodDefault':
			return described(fromZodDef(def.innerType, depth + 1));
		case 'ZodNullable':
			return described({ anyOf: [inner(def.innerType), { type: 'null' }] });
		case 'ZodEffects':
			return described(fromZodDef(def.schema, depth + 1));
		case 'ZodUnion':
			return described({ anyOf: isArray(def.options) ? def.options.map(inner) : [] });
		case 'ZodObject': {
			const shape = typeof def.shape === 'function' ? (def.shape as () => unknown)() : def.shape;
			if (!isRecord(shape)) return described({ type: 'object' });
			const properties: Record<string, JsonSchema> = {};
			const required: string[] = [];
			for (const [key, child] of Object.entries(shape)) {
				properties[key] = inner(child);
				const childType = isRecord(child) && isRecord(child._def) ? child._def.typeName : '';
				if (childType !== 'ZodOptional' && childType !== 'ZodDefault') required.push(key);
			}
			return described({
				type: 'object',
				properties,
				...(required.length > 0 ? { required } : {}),
			});
		}
		default:
			// any, unknown, records, tuples, …: no constraint the model must meet.
			return described({});
	}
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isArray(value: unknown): value is unknown[] {
	return Array.isArray(value);
}
