import { scanJson } from '../shared/json/jsonAnswer';
import { parseJsonText } from '../shared/json/jsonParser';
import { formatSchemaError, validateJson } from '../shared/json/jsonSchema';
import { canonicalJson } from '../shared/json/jsonValue';
import { hermesBlocks, maskBlocks } from './hermesBlocks';
import type { ToolSpec } from './toolProtocol';

/**
 * Prompt-mode tool calling, the answer side: reads tool calls out of a model's text answer.
 *
 * Accepted besides the strict `{"tool_calls":[{"name","arguments"}]}`: the shapes models drift
 * into — the object fenced or with prose around it; OpenAI's `tool_calls` items
 * `{"type":"function","function":{"name","arguments":"<JSON string>"}}`; `{"function_call":…}`;
 * a bare `{"name","arguments"|"parameters"}`; LangChain's `{"tool","tool_input"}` and
 * `{"action","action_input"}`; Hermes' `<tool_call>{…}</tool_call>`; a JSON array of calls;
 * `{"name":"<a known tool>", …its arguments}`; several of these in one answer. Names match
 * exactly, or else ignoring case and `-`/`_`/space. A plain string as arguments is taken as the
 * value of a tool's only (string) parameter. `{"action":"Final Answer","action_input":…}` is the
 * text answer. The model's own call ids are not used (see ParseToolAnswerOptions.newId). The
 * same call (name and arguments) written twice in one answer is kept once.
 *
 * JSON that is not in one of these shapes is content, not a call: an answer that contains
 * `{"city":"Paris","temp":20}` is a text answer. Broken JSON counts as a failed call only when it
 * was clearly meant as one (it mentions `tool_call`/`function_call`, has a `"tool"`, `"action"`,
 * `"arguments"` or `"parameters"` key or a tool's name in quotes, or sits in `<tool_call>` tags);
 * then the answer is `invalid` and the problem names the JSON error, so that one repair round can
 * fix it. Other broken JSON (an example in an explanation, `[1, 2` in prose) stays text.
 */

export interface ParsedToolCall {
	id: string;
	name: string;
	arguments: Record<string, unknown>;
}

export type ToolAnswer =
	| { kind: 'text'; text: string }
	| { kind: 'calls'; calls: ParsedToolCall[]; prose?: string }
	| { kind: 'invalid'; problem: string };

export interface ParseToolAnswerOptions {
	/** Ids for the calls (the model's own ids are not trusted to be unique); default `call_<n>`. */
	newId?: (index: number) => string;
}

interface RawCall {
	name: unknown;
	arguments: unknown;
	/** Where the call sat, for messages: `tool_calls[1]`. */
	where: string;
}

type Shape = { calls: RawCall[] } | { finalAnswer: string } | undefined;

export function parseToolAnswer(
	text: string,
	tools: ToolSpec[],
	options: ParseToolAnswerOptions = {},
): ToolAnswer {
	const newId = options.newId ?? ((index: number) => `call_${index + 1}`);
	const problems: string[] = [];
	const raw: Array<RawCall & { at: number }> = [];
	const spans: Array<[number, number]> = [];
	let finalAnswer: string | undefined;

	// Hermes blocks first; blank them out so that the JSON inside is not read twice.
	const blocks = hermesBlocks(text);
	const masked = maskBlocks(text, blocks);
	for (const block of blocks) {
		spans.push([block.start, block.end]);
		if ('problem' in block) {
			problems.push(block.problem);
			continue;
		}
		const shape = callShape(block.value, tools);
		if (shape && 'calls' in shape) raw.push(...shape.calls.map((c) => ({ ...c, at: block.start })));
		else problems.push('a <tool_call> block must hold {"name": …, "arguments": {…}}');
	}

	const scan = scanJson(masked);
	for (const found of scan.found) {
		const shape = callShape(found.value, tools);
		if (!shape) continue;
		spans.push([found.start, found.end]);
		if ('finalAnswer' in shape) finalAnswer = shape.finalAnswer;
		else raw.push(...shape.calls.map((c) => ({ ...c, at: found.start })));
	}
	for (const broken of scan.broken) {
		// A broken array around calls that were read (prose "[" before the JSON) is not a failure.
		const holdsCall = spans.some(([start, end]) => start >= broken.start && end <= broken.end);
		if (!holdsCall && meantAsCall(masked, broken.start, broken.end, tools)) {
			problems.push(`the tool call is not valid JSON: ${broken.problem}`);
		}
	}

	if (problems.length === 0 && raw.length === 0) {
		return { kind: 'text', text: finalAnswer ?? text };
	}
	const calls: ParsedToolCall[] = [];
	const seen = new Set<string>();
	// In the order written (Hermes blocks were read first); sort is stable within one value.
	for (const call of raw.sort((a, b) => a.at - b.at)) {
		const checked = checkCall(call, tools);
		if (typeof checked === 'string') {
			problems.push(checked);
			continue;
		}
		// The same call twice in one answer is a model repeating itself; running a tool that
		// sends or writes something twice would do harm, so it runs once.
		const key = canonicalJson([checked.name, checked.arguments]);
		if (seen.has(key)) continue;
		seen.add(key);
		calls.push({ id: newId(calls.length), ...checked });
	}
	if (problems.length > 0) return { kind: 'invalid', problem: problems.join('; ') };
	const prose = withoutSpans(text, spans);
	return prose === '' ? { kind: 'calls', calls } : { kind: 'calls', calls, prose };
}

/** The calls in one JSON value, a final answer in LangChain's format, or undefined (content). */
function callShape(value: unknown, tools: ToolSpec[]): Shape {
	if (Array.isArray(value)) {
		// A list of calls, or calls wrapped in brackets with other values ("[" … "]" in prose).
		const calls = value.flatMap((item) => {
			const shape = callShape(item, tools);
			return shape && 'calls' in shape ? shape.calls : [];
		});
		return calls.length > 0 ? { calls } : undefined;
	}
	if (!isObject(value)) return undefined;
	if (Array.isArray(value.tool_calls)) {
		return {
			calls: value.tool_calls.map(
				(item, index) =>
					itemCall(item, `tool_calls[${index}]`, tools) ?? {
						name: undefined,
						arguments: undefined,
						where: `tool_calls[${index}]`,
					},
			),
		};
	}
	if (isObject(value.function_call)) {
		const call = itemCall(value.function_call, 'function_call', tools);
		return call ? { calls: [call] } : undefined;
	}
	if (typeof value.action === 'string' && 'action_input' in value) {
		if (/^final[ _]?answer$/i.test(value.action.trim())) {
			const input = value.action_input;
			return { finalAnswer: typeof input === 'string' ? input : JSON.stringify(input) };
		}
		return { calls: [{ name: value.action, arguments: value.action_input, where: 'action' }] };
	}
	const call = itemCall(value, 'the call', tools);
	return call ? { calls: [call] } : undefined;
}

/** One call object in any accepted shape, or undefined when it is not shaped like a call. */
function itemCall(item: unknown, where: string, tools: ToolSpec[]): RawCall | undefined {
	if (!isObject(item)) return undefined;
	if (isObject(item.function)) {
		return itemCall(item.function, where, tools);
	}
	if ('name' in item && ('arguments' in item || 'parameters' in item)) {
		return {
			name: item.name,
			arguments: 'arguments' in item ? item.arguments : item.parameters,
			where,
		};
	}
	if (typeof item.tool === 'string' && ('tool_input' in item || findTool(item.tool, tools))) {
		return { name: item.tool, arguments: item.tool_input, where };
	}
	// {"name": "<a known tool>", "input": …}: the arguments written next to the name.
	if (typeof item.name === 'string' && findTool(item.name, tools)) {
		const { name, ...rest } = item;
		return { name, arguments: rest, where };
	}
	return undefined;
}

/** A checked call, or the problem with it. */
function checkCall(call: RawCall, tools: ToolSpec[]): Omit<ParsedToolCall, 'id'> | string {
	if (typeof call.name !== 'string' || call.name.trim() === '') {
		return `${call.where} has no tool name ("name" must be a string)`;
	}
	const tool = findTool(call.name, tools);
	if (!tool) {
		const known = tools.map((t) => `"${t.name}"`).join(', ');
		return `there is no tool named "${call.name}" (the tools are ${known || 'none'})`;
	}
	const args = readArguments(call.arguments, tool);
	if (typeof args === 'string') return args;
	const result = validateJson(args, tool.enforced ?? tool.parameters ?? { type: 'object' });
	if (!result.ok) {
		return `the arguments for "${tool.name}" do not match its parameters: ${formatSchemaError(result, 'arguments')}`;
	}
	if (!isObject(args)) return `the arguments for "${tool.name}" must be a JSON object`;
	return { name: tool.name, arguments: args };
}

function readArguments(value: unknown, tool: ToolSpec): unknown {
	if (value === undefined || value === null) return {};
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (text === '') return {};
	const parsed = parseJsonText(text);
	if (parsed.ok && isObject(parsed.value)) return parsed.value;
	// A plain string for a tool with one text input ({"input": "2+2"} written as "2+2").
	const single = singleStringProperty(tool);
	if (single) return { [single]: value };
	if (!parsed.ok) return `the arguments for "${tool.name}" are not valid JSON: ${parsed.problem}`;
	return parsed.value;
}

function singleStringProperty(tool: ToolSpec): string | undefined {
	const schema = tool.parameters;
	if (!isObject(schema) || !isObject(schema.properties)) return undefined;
	const keys = Object.keys(schema.properties);
	if (keys.length !== 1) return undefined;
	const property = schema.properties[keys[0]];
	return isObject(property) && property.type === 'string' ? keys[0] : undefined;
}

function findTool(name: string, tools: ToolSpec[]): ToolSpec | undefined {
	const exact = tools.find((tool) => tool.name === name);
	if (exact) return exact;
	const loose = tools.filter((tool) => normalize(tool.name) === normalize(name));
	return loose.length === 1 ? loose[0] : undefined;
}

function normalize(name: string): string {
	return name
		.trim()
		.toLowerCase()
		.replace(/[\s-]+/g, '_');
}

/** Whether broken JSON at [start, end) was meant as a tool call (see the module comment). */
function meantAsCall(text: string, start: number, end: number, tools: ToolSpec[]): boolean {
	const span = text.slice(start, Math.max(end, start + 1));
	if (/tool_call|function_call|"(tool|action|tool_input|arguments|parameters)"\s*:/i.test(span)) {
		return true;
	}
	return tools.some((tool) => span.includes(`"${tool.name}"`));
}

/** The text outside the calls: prose the model wrote around them. */
function withoutSpans(text: string, spans: Array<[number, number]>): string {
	let out = '';
	let at = 0;
	for (const [start, end] of [...spans].sort((a, b) => a[0] - b[0])) {
		if (start < at) continue;
		out += text.slice(at, start);
		at = end;
	}
	out += text.slice(at);
	return out
		.replace(/```[\w-]*\s*```/g, '')
		.replace(/\n{3,}/g, '\n\n')
		.trim();
}

function isObject(value: unknown): value is Record<string, unknown> {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}
