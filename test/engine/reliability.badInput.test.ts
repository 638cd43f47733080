/**
 * Bad input catalogue, both nodes, one table. Every case runs as a fixed value and through an
 * expression (`={{ $json.v }}` with the value in the input item; NaN and Infinity cannot travel in
 * JSON items, so they use `={{ NaN }}`-style expressions). Each must fail with an error whose
 * message starts with the field's name (a NodeOperationError under continueOnFail; without it
 * n8n's RoutingNode re-labels it NodeApiError, message kept) and with ZERO requests reaching the
 * emulator (API or image host).
 *
 * A case is one row `[name, bad value, options?]` in a group that names the node, the field the
 * message must start with, and where the value goes in the node's parameters.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { chatNode, continueOnFail, imageNode, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 50 });

type Mode = 'fixed' | 'expression';
type Binaries = Record<string, { data: Buffer; mimeType: string; fileName?: string }>;

interface CaseOptions {
	/** For values JSON items cannot carry (NaN, Infinity): the expression that yields the value. */
	expression?: string;
	/** Default: both. */
	modes?: Mode[];
	/** n8n itself refuses the fixed value (a required field left empty): WorkflowHasIssuesError. */
	n8nRequired?: Mode[];
	binaries?: Binaries;
}

interface BadInput extends CaseOptions {
	node: 'chat' | 'image';
	name: string;
	/** The message must start with this (the field as the user sees it). */
	field: string;
	/** Node parameters with the bad value `v` in place. */
	params: (v: unknown) => INodeParameters;
	value: unknown;
}

/** One case: its name, the bad value, and options. */
type CaseRow = [name: string, value: unknown, options?: CaseOptions];

/** The rows of one field, all placed into the parameters the same way. */
function group(
	node: BadInput['node'],
	field: string,
	params: BadInput['params'],
	rows: CaseRow[],
): BadInput[] {
	return rows.map(([name, value, options]) => ({ node, name, field, params, value, ...options }));
}

const PDF = Buffer.from('%PDF-1.4 not an image');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
const both: Mode[] = ['fixed', 'expression'];
const expressionOnly: CaseOptions = { modes: ['expression'] };
const requiredWhenFixed: CaseOptions = { n8nRequired: ['fixed'] };

// ---- Chat node ---------------------------------------------------------------------------------

const hello = () => ({ message: [{ role: 'user', content: 'hello' }] });
const chatText = (v: unknown): INodeParameters => ({ messages: hello(), temperature: v as number });
const chatTokens = (v: unknown): INodeParameters => ({
	messages: hello(),
	maxCompletionTokens: v as number,
});
const chatModel = (v: unknown): INodeParameters => ({ model: v as string, messages: hello() });
const V = Symbol('the bad value');
/** One user message "hello" with `entry` merged in; V marks where the bad value goes. */
const chatMessage = (entry: Record<string, unknown>) => (v: unknown) =>
	({
		messages: {
			message: [
				Object.fromEntries(
					Object.entries({ role: 'user', content: 'hello', ...entry }).map(([key, value]) => [
						key,
						(value as unknown) === V ? v : value,
					]),
				),
			],
		},
	}) as INodeParameters;
const chatJson = (v: unknown): INodeParameters => ({
	inputMode: 'json',
	messagesJson: v as string,
});
const urlImage = chatMessage({ imageSource: 'url', imageUrl: V });
const binaryImage = chatMessage({ imageSource: 'binary', binaryProperty: V });
const msg = (part: string) => `Messages > message 1 > ${part}`;
/** A JSON message list whose one user message has these content parts. */
const parts = (content: string) => `[{"role": "user", "content": ${content}}]`;

const chatCases: BadInput[] = [
	// Numbers: types, ranges, NaN/Infinity
	...group('chat', 'Temperature', chatText, [
		['temperature as text', 'warm'],
		['temperature as empty text', ''],
		['temperature as whitespace', '  '],
		['temperature as an object', { t: 1 }],
		['temperature as an array', [1]],
		['temperature as a boolean', true],
		['temperature null', null],
		['temperature above 2', 2.01],
		['temperature below 0', -0.5],
		['temperature "1e400"', '1e400'],
		['temperature NaN', NaN, { expression: '={{ NaN }}' }],
		['temperature Infinity', Infinity, { expression: '={{ 1 / 0 }}' }],
	]),
	...group('chat', 'Max Completion Tokens', chatTokens, [
		['max tokens 0', 0],
		['max tokens negative', -5],
		['max tokens fractional', 10.5],
		['max tokens "12abc"', '12abc'],
		['max tokens as an object', {}],
		['max tokens -Infinity', -Infinity, { expression: '={{ -1 / 0 }}' }],
	]),
	// Model: any well-formed id is accepted by design; ill-formed ids are not
	...group('chat', 'Model', chatModel, [
		['model as whitespace', '   '],
		['model with a space', 'gpt 4o'],
		['model with a slash', 'a/../b'],
		['model starting with "-"', '-x'],
		['model with a header injection', 'gpt-4o\r\nX-Evil: 1'],
		['model with a non-ASCII hyphen', 'gpt\u20114o'],
		['model as a number', 4],
		['model as an object', { id: 1 }],
		['model as an array', ['gpt-4o']],
	]),
	// Messages defined below
	...group('chat', 'Messages', (v) => ({ messages: { message: v as [] } }), [
		['no messages', [], { modes: ['fixed'] }],
	]),
	...group('chat', msg('Role'), chatMessage({ role: V }), [
		['role "system"', 'system'],
		['role "USER"', 'USER'],
		['role empty', ''],
		['role as a number', 1],
	]),
	...group('chat', msg('Content'), chatMessage({ content: V }), [
		['content empty', ''],
		['content whitespace', ' \n\t '],
		['content as an object', { text: 'hi' }],
		['content as an array', ['hi']],
	]),
	...group('chat', msg('Image URL'), urlImage, [
		['image part without URL', ''],
		['image URL not a URL', 'a cat picture'],
		['image URL javascript:', 'javascript:alert(1)'],
		['image URL file:', 'file:///etc/passwd'],
		['image URL as an object', { url: 'https://a.b/c.png' }],
	]),
	...group(
		'chat',
		msg('Image Detail'),
		chatMessage({ imageSource: 'url', imageUrl: 'https://a.b/c.png', imageDetail: V }),
		[['image detail "ultra"', 'ultra']],
	),
	...group('chat', msg('Input Binary Field'), binaryImage, [
		['binary property missing (no binary at all)', 'photo'],
		[
			'binary property missing (other binaries)',
			'photo',
			{ binaries: { picture: { data: PNG, mimeType: 'image/png', fileName: 'a.png' } } },
		],
		[
			'binary property that is a PDF',
			'doc',
			{ binaries: { doc: { data: PDF, mimeType: 'application/pdf', fileName: 'a.pdf' } } },
		],
		[
			'binary property that is SVG (not a documented image type)',
			'pic',
			{ binaries: { pic: { data: Buffer.from('<svg/>'), mimeType: 'image/svg+xml' } } },
		],
		['binary property name empty', '  '],
	]),
	// Messages as JSON
	...group('chat', 'Messages (JSON)', chatJson, [
		['JSON malformed', '[{"role": "user", "content": }]'],
		['JSON truncated', '[{"role": "user"'],
		['JSON whitespace', '   '],
		['JSON an object', '{"role": "user"}'],
		['JSON a string', '"hello"'],
		['JSON a number', '42'],
		['JSON null', 'null'],
		['JSON empty array', '[]'],
		['JSON array of numbers', '[1, 2]'],
		['JSON [null]', '[null]'],
		['JSON role "system"', '[{"role": "system", "content": "x"}]'],
		['JSON role missing', '[{"content": "x"}]'],
		['JSON role as a number', '[{"role": 1, "content": "x"}]'],
		['JSON content missing', '[{"role": "user"}]'],
		['JSON content empty', parts('" "')],
		['JSON content as a number', parts('7')],
		['JSON content an empty part list', parts('[]')],
		['JSON part of an unknown type', parts('[{"type": "audio", "data": "x"}]')],
		['JSON text part without text', parts('[{"type": "text"}]')],
		['JSON image part without URL', parts('[{"type": "image_url", "image_url": {}}]')],
		[
			'JSON image part with an ftp: URL',
			parts('[{"type": "image_url", "image_url": {"url": "ftp://h/a.png"}}]'),
		],
		[
			'JSON image part with detail "ultra"',
			parts(
				'[{"type": "image_url", "image_url": {"url": "https://a.b/c.png", "detail": "ultra"}}]',
			),
		],
		[
			'JSON image part in a developer message',
			'[{"role": "developer", "content": [{"type": "image_url", "image_url": "https://a.b/c.png"}]}]',
		],
		['JSON {"messages": "text"}', '{"messages": "hello"}'],
		// The same mistakes arriving as structures from an earlier node (expression only)
		['JSON structure: an object', { role: 'user', content: 'x' }, expressionOnly],
		['JSON structure: wrong role', [{ role: 'system', content: 'x' }], expressionOnly],
		['JSON structure: a boolean', true, expressionOnly],
	]),
];

// ---- Text to Image node ------------------------------------------------------------------------

const submit =
	(name: string, extra: INodeParameters = {}) =>
	(v: unknown): INodeParameters => ({
		operation: 'submitJob',
		prompt: 'A cat',
		...extra,
		[name]: v as string,
	});
const generate =
	(name: string, extra: INodeParameters = {}) =>
	(v: unknown): INodeParameters => ({
		operation: 'generate',
		prompt: 'A cat',
		width: 256,
		height: 256,
		...extra,
		[name]: v as string,
	});
const getJob =
	(name: string) =>
	(v: unknown): INodeParameters => ({
		operation: 'getJob',
		jobId: '12345678',
		signature: 'abcdefghijklmnopqrstuvwx',
		[name]: v as string,
	});
const maxWait = (v: unknown) => generate('options')({ maxWaitSeconds: v });

const imageCases: BadInput[] = [
	// Model: only the 15 documented ones
	...group('image', 'Model', submit('model'), [
		['unknown model', 'sdxl'],
		['model in upper case', 'REALVISION'],
		['model empty', ''],
		['model as a number', 3],
		['model as an object', { m: 1 }],
	]),
	...group('image', 'Prompt', submit('prompt'), [
		['prompt empty', '', requiredWhenFixed],
		['prompt whitespace', ' \n\t '],
		['prompt of 10,001 characters', 'a'.repeat(10_001)],
		['prompt of 1,000,000 characters', 'lighthouse '.repeat(100_000)],
		['prompt as a number', 42],
		['prompt as an object', { p: 'x' }],
		['prompt as an array', ['x']],
		['prompt as a boolean', true],
	]),
	...group('image', 'Negative Prompt', submit('negativePrompt'), [
		['negative prompt as a number', 13],
		['negative prompt as an object', { n: 'blur' }],
	]),
	...group('image', 'Scheduler', submit('scheduler'), [
		['unknown scheduler', 'Euler b'],
		['scheduler in lower case', 'euler a'],
		['scheduler as a number', 2],
	]),
	...group('image', 'Steps', submit('steps'), [
		['steps 0', 0],
		['steps 9', 9],
		['steps 2.5', 2.5],
		['steps -1', -1],
		['steps "four"', 'four'],
		['steps empty text', ''],
		['steps as an object', { s: 4 }],
		['steps as an array', [4]],
		['steps as a boolean', false],
		['steps null', null],
		['steps NaN', NaN, { expression: '={{ Number("x") }}' }],
	]),
	...group('image', 'CFG Scale', submit('cfgScale'), [
		['CFG scale 0.5', 0.5],
		['CFG scale 7.01', 7.01],
		['CFG scale "strong"', 'strong'],
		['CFG scale "NaN"', 'NaN'],
		['CFG scale -Infinity', -Infinity, { expression: '={{ -Infinity }}' }],
		['CFG scale as an object', {}],
	]),
	// Sizes, absurd ones included
	...group('image', 'Width', submit('width'), [
		['width 255', 255],
		['width 1345', 1345],
		['width 1000.5', 1000.5],
		['width 0', 0],
		['width -1024', -1024],
		['width 1e9', 1e9],
		['width "1024px"', '1024px'],
		['width "1e400"', '1e400'],
		['width Infinity', Infinity, { expression: '={{ Infinity }}' }],
	]),
	...group('image', 'Height', submit('height'), [
		['height 255', 255],
		['height 100000', 100_000],
		['height 512.25', 512.25],
		['height as an array', [512, 512]],
	]),
	...group('image', 'Steps', generate('steps'), [['Generate: steps 9', 9]]),
	...group('image', 'Width', generate('width'), [['Generate: width 2048', 2048]]),
	// Options checked only after the job was submitted: a credit is spent before the error.
	...group('image', 'Max Wait (Seconds)', maxWait, [
		['Generate: max wait 0', 0],
		['Generate: max wait "soon"', 'soon'],
	]),
	...group(
		'image',
		'Put Output File in Field',
		generate('binaryPropertyName', { downloadImage: true }),
		[['Generate: output binary field empty', '  ']],
	),
	// Get Job
	...group('image', 'Job ID', getJob('jobId'), [
		['job ID empty', '', requiredWhenFixed],
		['job ID whitespace', '   '],
		['job ID "12ab"', '12ab'],
		['job ID negative', '-5'],
		['job ID fractional', '1.5'],
		['job ID hexadecimal', '0x1F'],
		['job ID as an object', { id: 1 }],
		['job ID as a boolean', true],
		['job ID with a path', '12/../../admin'],
	]),
	...group('image', 'Signature', getJob('signature'), [
		['signature empty', '', requiredWhenFixed],
		['signature whitespace', ' \t '],
		['signature as a number', 7],
		['signature as an object', { s: 1 }],
	]),
];

// ---- The runs ----------------------------------------------------------------------------------

const catalogue = [...chatCases, ...imageCases];
type Row = [string, BadInput, Mode];
const rows: Row[] = catalogue.flatMap((c) =>
	(c.modes ?? both).map((mode): Row => [`${c.node}: ${c.name} (${mode})`, c, mode]),
);
const byN8n = rows.filter(([, c, mode]) => c.n8nRequired?.includes(mode));
const byNode = rows.filter(([, c, mode]) => !c.n8nRequired?.includes(mode));

function setUp(c: BadInput, mode: Mode, settings = continueOnFail) {
	const expression = c.expression ?? '={{ $json.v }}';
	const parameters = c.params(mode === 'fixed' ? c.value : expression);
	const items: IDataObject[] =
		mode === 'expression' && c.expression === undefined ? [{ v: c.value as IDataObject }] : [{}];
	const node = c.node === 'chat' ? chatNode(parameters, settings) : imageNode(parameters, settings);
	return {
		node,
		items,
		binaries: c.binaries ? [c.binaries] : undefined,
		name: c.node === 'chat' ? 'Chat' : 'Image',
	};
}

async function expectRejected(c: BadInput, mode: Mode): Promise<void> {
	// continueOnFail: the item carries a NodeOperationError naming the field.
	const kept = setUp(c, mode);
	const keptRun = await bed.runNode(kept.node, kept.items, { binaries: kept.binaries });
	expect(keptRun.status).toBe('success');
	const [item, ...more] = keptRun.output(kept.name);
	expect(more).toHaveLength(0);
	expect(item.pairedItem).toEqual({ item: 0 });
	expect(item.error?.name).toBe('NodeOperationError');
	expect(String(item.error?.message).startsWith(c.field)).toBe(true);
	expect(item.error?.description).toBeTruthy();
	// Without it: the run fails, with the same message (n8n re-labels the class NodeApiError).
	const stopped = setUp(c, mode, {});
	const stoppedRun = await bed.runNode(stopped.node, stopped.items, { binaries: stopped.binaries });
	expect(stoppedRun.status).toBe('error');
	expect(String(stoppedRun.error?.message).startsWith(c.field)).toBe(true);
	expect(stoppedRun.error?.message).toBe(item.error?.message);
	// Nothing reached the emulator, neither the API nor the image host.
	expect(bed.emulator.requests).toHaveLength(0);
	expect(bed.emulator.jobs.size).toBe(0);
}

describe('Bad input catalogue (Chat and Text to Image)', () => {
	afterAll(() => {
		const cases = new Set(rows.map(([, c]) => c)).size;
		// eslint-disable-next-line no-console
		console.log(
			[
				`Bad input catalogue: ${cases} cases, ${rows.length} runs (fixed value / expression)`,
				`  chat: ${chatCases.length} cases, image: ${imageCases.length} cases`,
				`  rejected by the node before any request: ${byNode.length}`,
				`  stopped by n8n itself (required field left empty): ${byN8n.length}`,
			].join('\n'),
		);
	});

	it.each(byNode)('rejects %s with zero requests', async (_title, c, mode) => {
		await expectRejected(c, mode);
	});

	it.each(byN8n)('n8n stops %s before the node runs, zero requests', async (_title, c, mode) => {
		const { node, items } = setUp(c, mode, {});
		await expect(bed.runNode(node, items)).rejects.toThrow(
			new RegExp(`Parameter "${c.field.replace(/[()]/g, '\\$&')}" is required`),
		);
		expect(bed.emulator.requests).toHaveLength(0);
	});
});
