/**
 * Bad input catalogue, both nodes, one table. Every case runs as a fixed value and through an
 * expression (`={{ $json.v }}` with the value in the input item; NaN and Infinity cannot travel in
 * JSON items, so they use `={{ NaN }}`-style expressions). Each must fail with an error whose
 * message starts with the field's name (a NodeOperationError under continueOnFail; without it
 * n8n's RoutingNode re-labels it NodeApiError, message kept) and with ZERO requests reaching the
 * emulator (API or image host).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { chatNode, continueOnFail, imageNode, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 50 });

type Mode = 'fixed' | 'expression';
type Binaries = Record<string, { data: Buffer; mimeType: string; fileName?: string }>;

interface BadInput {
	node: 'chat' | 'image';
	name: string;
	/** The message must start with this (the field as the user sees it). */
	field: string;
	/** Node parameters with the bad value `v` in place. */
	params: (v: unknown) => INodeParameters;
	value: unknown;
	/** For values JSON items cannot carry (NaN, Infinity): the expression that yields the value. */
	expression?: string;
	/** Default: both. */
	modes?: Mode[];
	/** n8n itself refuses the fixed value (a required field left empty): WorkflowHasIssuesError. */
	n8nRequired?: Mode[];
	binaries?: Binaries;
}

const PDF = Buffer.from('%PDF-1.4 not an image');
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

// ---- Chat node ---------------------------------------------------------------------------------

const chatText = (v: unknown): INodeParameters => ({
	messages: { message: [{ role: 'user', content: 'hello' }] },
	temperature: v as number,
});
const chatTokens = (v: unknown): INodeParameters => ({
	messages: { message: [{ role: 'user', content: 'hello' }] },
	maxCompletionTokens: v as number,
});
const chatModel = (v: unknown): INodeParameters => ({
	model: v as string,
	messages: { message: [{ role: 'user', content: 'hello' }] },
});
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
const V = Symbol('the bad value');

const TEMP = 'Temperature';
const TOKENS = 'Max Completion Tokens';
const MODEL = 'Model';
const JSON_FIELD = 'Messages (JSON)';
const msg = (part: string) => `Messages > message 1 > ${part}`;

const chatCases: BadInput[] = [
	// Numbers: types, ranges, NaN/Infinity
	{ node: 'chat', name: 'temperature as text', field: TEMP, params: chatText, value: 'warm' },
	{ node: 'chat', name: 'temperature as empty text', field: TEMP, params: chatText, value: '' },
	{ node: 'chat', name: 'temperature as whitespace', field: TEMP, params: chatText, value: '  ' },
	{
		node: 'chat',
		name: 'temperature as an object',
		field: TEMP,
		params: chatText,
		value: { t: 1 },
	},
	{ node: 'chat', name: 'temperature as an array', field: TEMP, params: chatText, value: [1] },
	{ node: 'chat', name: 'temperature as a boolean', field: TEMP, params: chatText, value: true },
	{ node: 'chat', name: 'temperature null', field: TEMP, params: chatText, value: null },
	{ node: 'chat', name: 'temperature above 2', field: TEMP, params: chatText, value: 2.01 },
	{ node: 'chat', name: 'temperature below 0', field: TEMP, params: chatText, value: -0.5 },
	{ node: 'chat', name: 'temperature "1e400"', field: TEMP, params: chatText, value: '1e400' },
	{
		node: 'chat',
		name: 'temperature NaN',
		field: TEMP,
		params: chatText,
		value: NaN,
		expression: '={{ NaN }}',
	},
	{
		node: 'chat',
		name: 'temperature Infinity',
		field: TEMP,
		params: chatText,
		value: Infinity,
		expression: '={{ 1 / 0 }}',
	},
	{ node: 'chat', name: 'max tokens 0', field: TOKENS, params: chatTokens, value: 0 },
	{ node: 'chat', name: 'max tokens negative', field: TOKENS, params: chatTokens, value: -5 },
	{ node: 'chat', name: 'max tokens fractional', field: TOKENS, params: chatTokens, value: 10.5 },
	{ node: 'chat', name: 'max tokens "12abc"', field: TOKENS, params: chatTokens, value: '12abc' },
	{ node: 'chat', name: 'max tokens as an object', field: TOKENS, params: chatTokens, value: {} },
	{
		node: 'chat',
		name: 'max tokens -Infinity',
		field: TOKENS,
		params: chatTokens,
		value: -Infinity,
		expression: '={{ -1 / 0 }}',
	},
	// Model: any well-formed id is accepted by design; ill-formed ids are not
	{ node: 'chat', name: 'model as whitespace', field: MODEL, params: chatModel, value: '   ' },
	{ node: 'chat', name: 'model with a space', field: MODEL, params: chatModel, value: 'gpt 4o' },
	{ node: 'chat', name: 'model with a slash', field: MODEL, params: chatModel, value: 'a/../b' },
	{ node: 'chat', name: 'model starting with "-"', field: MODEL, params: chatModel, value: '-x' },
	{
		node: 'chat',
		name: 'model with a header injection',
		field: MODEL,
		params: chatModel,
		value: 'gpt-4o\r\nX-Evil: 1',
	},
	{
		node: 'chat',
		name: 'model with a non-ASCII hyphen',
		field: MODEL,
		params: chatModel,
		value: 'gpt\u20114o',
	},
	{ node: 'chat', name: 'model as a number', field: MODEL, params: chatModel, value: 4 },
	{ node: 'chat', name: 'model as an object', field: MODEL, params: chatModel, value: { id: 1 } },
	{ node: 'chat', name: 'model as an array', field: MODEL, params: chatModel, value: ['gpt-4o'] },
	// Messages defined below
	{
		node: 'chat',
		name: 'no messages',
		field: 'Messages',
		params: (v) => ({ messages: { message: v as [] } }),
		value: [],
		modes: ['fixed'],
	},
	{
		node: 'chat',
		name: 'role "system"',
		field: msg('Role'),
		params: chatMessage({ role: V }),
		value: 'system',
	},
	{
		node: 'chat',
		name: 'role "USER"',
		field: msg('Role'),
		params: chatMessage({ role: V }),
		value: 'USER',
	},
	{
		node: 'chat',
		name: 'role empty',
		field: msg('Role'),
		params: chatMessage({ role: V }),
		value: '',
	},
	{
		node: 'chat',
		name: 'role as a number',
		field: msg('Role'),
		params: chatMessage({ role: V }),
		value: 1,
	},
	{
		node: 'chat',
		name: 'content empty',
		field: msg('Content'),
		params: chatMessage({ content: V }),
		value: '',
	},
	{
		node: 'chat',
		name: 'content whitespace',
		field: msg('Content'),
		params: chatMessage({ content: V }),
		value: ' \n\t ',
	},
	{
		node: 'chat',
		name: 'content as an object',
		field: msg('Content'),
		params: chatMessage({ content: V }),
		value: { text: 'hi' },
	},
	{
		node: 'chat',
		name: 'content as an array',
		field: msg('Content'),
		params: chatMessage({ content: V }),
		value: ['hi'],
	},
	{
		node: 'chat',
		name: 'image part without URL',
		field: msg('Image URL'),
		params: chatMessage({ imageSource: 'url', imageUrl: V }),
		value: '',
	},
	{
		node: 'chat',
		name: 'image URL not a URL',
		field: msg('Image URL'),
		params: chatMessage({ imageSource: 'url', imageUrl: V }),
		value: 'a cat picture',
	},
	{
		node: 'chat',
		name: 'image URL javascript:',
		field: msg('Image URL'),
		params: chatMessage({ imageSource: 'url', imageUrl: V }),
		value: 'javascript:alert(1)',
	},
	{
		node: 'chat',
		name: 'image URL file:',
		field: msg('Image URL'),
		params: chatMessage({ imageSource: 'url', imageUrl: V }),
		value: 'file:///etc/passwd',
	},
	{
		node: 'chat',
		name: 'image URL as an object',
		field: msg('Image URL'),
		params: chatMessage({ imageSource: 'url', imageUrl: V }),
		value: { url: 'https://a.b/c.png' },
	},
	{
		node: 'chat',
		name: 'image detail "ultra"',
		field: msg('Image Detail'),
		params: chatMessage({ imageSource: 'url', imageUrl: 'https://a.b/c.png', imageDetail: V }),
		value: 'ultra',
	},
	{
		node: 'chat',
		name: 'binary property missing (no binary at all)',
		field: msg('Input Binary Field'),
		params: chatMessage({ imageSource: 'binary', binaryProperty: V }),
		value: 'photo',
	},
	{
		node: 'chat',
		name: 'binary property missing (other binaries)',
		field: msg('Input Binary Field'),
		params: chatMessage({ imageSource: 'binary', binaryProperty: V }),
		value: 'photo',
		binaries: { picture: { data: PNG, mimeType: 'image/png', fileName: 'a.png' } },
	},
	{
		node: 'chat',
		name: 'binary property that is a PDF',
		field: msg('Input Binary Field'),
		params: chatMessage({ imageSource: 'binary', binaryProperty: V }),
		value: 'doc',
		binaries: { doc: { data: PDF, mimeType: 'application/pdf', fileName: 'a.pdf' } },
	},
	{
		node: 'chat',
		name: 'binary property that is SVG (not a documented image type)',
		field: msg('Input Binary Field'),
		params: chatMessage({ imageSource: 'binary', binaryProperty: V }),
		value: 'pic',
		binaries: { pic: { data: Buffer.from('<svg/>'), mimeType: 'image/svg+xml' } },
	},
	{
		node: 'chat',
		name: 'binary property name empty',
		field: msg('Input Binary Field'),
		params: chatMessage({ imageSource: 'binary', binaryProperty: V }),
		value: '  ',
	},
	// Messages as JSON
	{
		node: 'chat',
		name: 'JSON malformed',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user", "content": }]',
	},
	{
		node: 'chat',
		name: 'JSON truncated',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user"',
	},
	{ node: 'chat', name: 'JSON whitespace', field: JSON_FIELD, params: chatJson, value: '   ' },
	{
		node: 'chat',
		name: 'JSON an object',
		field: JSON_FIELD,
		params: chatJson,
		value: '{"role": "user"}',
	},
	{ node: 'chat', name: 'JSON a string', field: JSON_FIELD, params: chatJson, value: '"hello"' },
	{ node: 'chat', name: 'JSON a number', field: JSON_FIELD, params: chatJson, value: '42' },
	{ node: 'chat', name: 'JSON null', field: JSON_FIELD, params: chatJson, value: 'null' },
	{ node: 'chat', name: 'JSON empty array', field: JSON_FIELD, params: chatJson, value: '[]' },
	{
		node: 'chat',
		name: 'JSON array of numbers',
		field: JSON_FIELD,
		params: chatJson,
		value: '[1, 2]',
	},
	{ node: 'chat', name: 'JSON [null]', field: JSON_FIELD, params: chatJson, value: '[null]' },
	{
		node: 'chat',
		name: 'JSON role "system"',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "system", "content": "x"}]',
	},
	{
		node: 'chat',
		name: 'JSON role missing',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"content": "x"}]',
	},
	{
		node: 'chat',
		name: 'JSON role as a number',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": 1, "content": "x"}]',
	},
	{
		node: 'chat',
		name: 'JSON content missing',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user"}]',
	},
	{
		node: 'chat',
		name: 'JSON content empty',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user", "content": " "}]',
	},
	{
		node: 'chat',
		name: 'JSON content as a number',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user", "content": 7}]',
	},
	{
		node: 'chat',
		name: 'JSON content an empty part list',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user", "content": []}]',
	},
	{
		node: 'chat',
		name: 'JSON part of an unknown type',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user", "content": [{"type": "audio", "data": "x"}]}]',
	},
	{
		node: 'chat',
		name: 'JSON text part without text',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user", "content": [{"type": "text"}]}]',
	},
	{
		node: 'chat',
		name: 'JSON image part without URL',
		field: JSON_FIELD,
		params: chatJson,
		value: '[{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]',
	},
	{
		node: 'chat',
		name: 'JSON image part with an ftp: URL',
		field: JSON_FIELD,
		params: chatJson,
		value:
			'[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "ftp://h/a.png"}}]}]',
	},
	{
		node: 'chat',
		name: 'JSON image part with detail "ultra"',
		field: JSON_FIELD,
		params: chatJson,
		value:
			'[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://a.b/c.png", "detail": "ultra"}}]}]',
	},
	{
		node: 'chat',
		name: 'JSON image part in a developer message',
		field: JSON_FIELD,
		params: chatJson,
		value:
			'[{"role": "developer", "content": [{"type": "image_url", "image_url": "https://a.b/c.png"}]}]',
	},
	{
		node: 'chat',
		name: 'JSON {"messages": "text"}',
		field: JSON_FIELD,
		params: chatJson,
		value: '{"messages": "hello"}',
	},
	// The same mistakes arriving as structures from an earlier node (expression only)
	{
		node: 'chat',
		name: 'JSON structure: an object',
		field: JSON_FIELD,
		params: chatJson,
		value: { role: 'user', content: 'x' },
		modes: ['expression'],
	},
	{
		node: 'chat',
		name: 'JSON structure: wrong role',
		field: JSON_FIELD,
		params: chatJson,
		value: [{ role: 'system', content: 'x' }],
		modes: ['expression'],
	},
	{
		node: 'chat',
		name: 'JSON structure: a boolean',
		field: JSON_FIELD,
		params: chatJson,
		value: true,
		modes: ['expression'],
	},
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

const imageCases: BadInput[] = [
	// Model: only the 15 documented ones
	{ node: 'image', name: 'unknown model', field: 'Model', params: submit('model'), value: 'sdxl' },
	{
		node: 'image',
		name: 'model in upper case',
		field: 'Model',
		params: submit('model'),
		value: 'REALVISION',
	},
	{ node: 'image', name: 'model empty', field: 'Model', params: submit('model'), value: '' },
	{ node: 'image', name: 'model as a number', field: 'Model', params: submit('model'), value: 3 },
	{
		node: 'image',
		name: 'model as an object',
		field: 'Model',
		params: submit('model'),
		value: { m: 1 },
	},
	// Prompt
	{
		node: 'image',
		name: 'prompt empty',
		field: 'Prompt',
		params: submit('prompt'),
		value: '',
		n8nRequired: ['fixed'],
	},
	{
		node: 'image',
		name: 'prompt whitespace',
		field: 'Prompt',
		params: submit('prompt'),
		value: ' \n\t ',
	},
	{
		node: 'image',
		name: 'prompt of 10,001 characters',
		field: 'Prompt',
		params: submit('prompt'),
		value: 'a'.repeat(10_001),
	},
	{
		node: 'image',
		name: 'prompt of 1,000,000 characters',
		field: 'Prompt',
		params: submit('prompt'),
		value: 'lighthouse '.repeat(100_000),
	},
	{
		node: 'image',
		name: 'prompt as a number',
		field: 'Prompt',
		params: submit('prompt'),
		value: 42,
	},
	{
		node: 'image',
		name: 'prompt as an object',
		field: 'Prompt',
		params: submit('prompt'),
		value: { p: 'x' },
	},
	{
		node: 'image',
		name: 'prompt as an array',
		field: 'Prompt',
		params: submit('prompt'),
		value: ['x'],
	},
	{
		node: 'image',
		name: 'prompt as a boolean',
		field: 'Prompt',
		params: submit('prompt'),
		value: true,
	},
	{
		node: 'image',
		name: 'negative prompt as a number',
		field: 'Negative Prompt',
		params: submit('negativePrompt'),
		value: 13,
	},
	{
		node: 'image',
		name: 'negative prompt as an object',
		field: 'Negative Prompt',
		params: submit('negativePrompt'),
		value: { n: 'blur' },
	},
	// Scheduler
	{
		node: 'image',
		name: 'unknown scheduler',
		field: 'Scheduler',
		params: submit('scheduler'),
		value: 'Euler b',
	},
	{
		node: 'image',
		name: 'scheduler in lower case',
		field: 'Scheduler',
		params: submit('scheduler'),
		value: 'euler a',
	},
	{
		node: 'image',
		name: 'scheduler as a number',
		field: 'Scheduler',
		params: submit('scheduler'),
		value: 2,
	},
	// Steps
	{ node: 'image', name: 'steps 0', field: 'Steps', params: submit('steps'), value: 0 },
	{ node: 'image', name: 'steps 9', field: 'Steps', params: submit('steps'), value: 9 },
	{ node: 'image', name: 'steps 2.5', field: 'Steps', params: submit('steps'), value: 2.5 },
	{ node: 'image', name: 'steps -1', field: 'Steps', params: submit('steps'), value: -1 },
	{ node: 'image', name: 'steps "four"', field: 'Steps', params: submit('steps'), value: 'four' },
	{ node: 'image', name: 'steps empty text', field: 'Steps', params: submit('steps'), value: '' },
	{
		node: 'image',
		name: 'steps as an object',
		field: 'Steps',
		params: submit('steps'),
		value: { s: 4 },
	},
	{ node: 'image', name: 'steps as an array', field: 'Steps', params: submit('steps'), value: [4] },
	{
		node: 'image',
		name: 'steps as a boolean',
		field: 'Steps',
		params: submit('steps'),
		value: false,
	},
	{ node: 'image', name: 'steps null', field: 'Steps', params: submit('steps'), value: null },
	{
		node: 'image',
		name: 'steps NaN',
		field: 'Steps',
		params: submit('steps'),
		value: NaN,
		expression: '={{ Number("x") }}',
	},
	// CFG scale
	{
		node: 'image',
		name: 'CFG scale 0.5',
		field: 'CFG Scale',
		params: submit('cfgScale'),
		value: 0.5,
	},
	{
		node: 'image',
		name: 'CFG scale 7.01',
		field: 'CFG Scale',
		params: submit('cfgScale'),
		value: 7.01,
	},
	{
		node: 'image',
		name: 'CFG scale "strong"',
		field: 'CFG Scale',
		params: submit('cfgScale'),
		value: 'strong',
	},
	{
		node: 'image',
		name: 'CFG scale "NaN"',
		field: 'CFG Scale',
		params: submit('cfgScale'),
		value: 'NaN',
	},
	{
		node: 'image',
		name: 'CFG scale -Infinity',
		field: 'CFG Scale',
		params: submit('cfgScale'),
		value: -Infinity,
		expression: '={{ -Infinity }}',
	},
	{
		node: 'image',
		name: 'CFG scale as an object',
		field: 'CFG Scale',
		params: submit('cfgScale'),
		value: {},
	},
	// Sizes, absurd ones included
	{ node: 'image', name: 'width 255', field: 'Width', params: submit('width'), value: 255 },
	{ node: 'image', name: 'width 1345', field: 'Width', params: submit('width'), value: 1345 },
	{ node: 'image', name: 'width 1000.5', field: 'Width', params: submit('width'), value: 1000.5 },
	{ node: 'image', name: 'width 0', field: 'Width', params: submit('width'), value: 0 },
	{ node: 'image', name: 'width -1024', field: 'Width', params: submit('width'), value: -1024 },
	{ node: 'image', name: 'width 1e9', field: 'Width', params: submit('width'), value: 1e9 },
	{
		node: 'image',
		name: 'width "1024px"',
		field: 'Width',
		params: submit('width'),
		value: '1024px',
	},
	{ node: 'image', name: 'width "1e400"', field: 'Width', params: submit('width'), value: '1e400' },
	{
		node: 'image',
		name: 'width Infinity',
		field: 'Width',
		params: submit('width'),
		value: Infinity,
		expression: '={{ Infinity }}',
	},
	{ node: 'image', name: 'height 255', field: 'Height', params: submit('height'), value: 255 },
	{
		node: 'image',
		name: 'height 100000',
		field: 'Height',
		params: submit('height'),
		value: 100_000,
	},
	{
		node: 'image',
		name: 'height 512.25',
		field: 'Height',
		params: submit('height'),
		value: 512.25,
	},
	{
		node: 'image',
		name: 'height as an array',
		field: 'Height',
		params: submit('height'),
		value: [512, 512],
	},
	{ node: 'image', name: 'Generate: steps 9', field: 'Steps', params: generate('steps'), value: 9 },
	{
		node: 'image',
		name: 'Generate: width 2048',
		field: 'Width',
		params: generate('width'),
		value: 2048,
	},
	// Options checked only after the job was submitted: a credit is spent before the error.
	{
		node: 'image',
		name: 'Generate: max wait 0',
		field: 'Max Wait (Seconds)',
		params: (v) => generate('options')({ maxWaitSeconds: v }),
		value: 0,
	},
	{
		node: 'image',
		name: 'Generate: max wait "soon"',
		field: 'Max Wait (Seconds)',
		params: (v) => generate('options')({ maxWaitSeconds: v }),
		value: 'soon',
	},
	{
		node: 'image',
		name: 'Generate: output binary field empty',
		field: 'Put Output File in Field',
		params: generate('binaryPropertyName', { downloadImage: true }),
		value: '  ',
	},
	// Get Job
	{
		node: 'image',
		name: 'job ID empty',
		field: 'Job ID',
		params: getJob('jobId'),
		value: '',
		n8nRequired: ['fixed'],
	},
	{
		node: 'image',
		name: 'job ID whitespace',
		field: 'Job ID',
		params: getJob('jobId'),
		value: '   ',
	},
	{ node: 'image', name: 'job ID "12ab"', field: 'Job ID', params: getJob('jobId'), value: '12ab' },
	{ node: 'image', name: 'job ID negative', field: 'Job ID', params: getJob('jobId'), value: '-5' },
	{
		node: 'image',
		name: 'job ID fractional',
		field: 'Job ID',
		params: getJob('jobId'),
		value: '1.5',
	},
	{
		node: 'image',
		name: 'job ID hexadecimal',
		field: 'Job ID',
		params: getJob('jobId'),
		value: '0x1F',
	},
	{
		node: 'image',
		name: 'job ID as an object',
		field: 'Job ID',
		params: getJob('jobId'),
		value: { id: 1 },
	},
	{
		node: 'image',
		name: 'job ID as a boolean',
		field: 'Job ID',
		params: getJob('jobId'),
		value: true,
	},
	{
		node: 'image',
		name: 'job ID with a path',
		field: 'Job ID',
		params: getJob('jobId'),
		value: '12/../../admin',
	},
	{
		node: 'image',
		name: 'signature empty',
		field: 'Signature',
		params: getJob('signature'),
		value: '',
		n8nRequired: ['fixed'],
	},
	{
		node: 'image',
		name: 'signature whitespace',
		field: 'Signature',
		params: getJob('signature'),
		value: ' \t ',
	},
	{
		node: 'image',
		name: 'signature as a number',
		field: 'Signature',
		params: getJob('signature'),
		value: 7,
	},
	{
		node: 'image',
		name: 'signature as an object',
		field: 'Signature',
		params: getJob('signature'),
		value: { s: 1 },
	},
];

// ---- The runs ----------------------------------------------------------------------------------

const catalogue = [...chatCases, ...imageCases];
type Row = [string, BadInput, Mode];
const rows: Row[] = catalogue.flatMap((c) =>
	(c.modes ?? (['fixed', 'expression'] as Mode[])).map(
		(mode): Row => [`${c.node}: ${c.name} (${mode})`, c, mode],
	),
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
