import {
	NodeConnectionTypes,
	NodeOperationError,
	type IAuthenticateGeneric,
	type ICredentialType,
	type IExecuteFunctions,
	type IExecuteSingleFunctions,
	type IHttpRequestOptions,
	type IN8nHttpFullResponse,
	type INode,
	type INodeParameters,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';

import { startEchoServer, type EchoServer } from '../harness/echoServer';
import { chain, createEngine, itemsNode, manualTrigger, readBinary } from '../harness';

class TestApi implements ICredentialType {
	name = 'testApi';
	displayName = 'Test API';
	icon = 'fa:key' as const;
	documentationUrl = 'https://example.com/docs';
	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{ displayName: 'Base URL', name: 'baseUrl', type: 'string', default: 'http://127.0.0.1:1' },
	];
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { Authorization: '=Bearer {{$credentials.apiKey}}' } },
	};
	test = { request: { baseURL: '={{$credentials.baseUrl}}', url: '/me' } };
}

async function preSendCheck(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const text = this.getNodeParameter('text') as string;
	if (text === 'fail') {
		throw new NodeOperationError(this.getNode(), 'preSend refused the item', {
			itemIndex: this.getItemIndex(),
		});
	}
	const binaryProperty = this.getNodeParameter('binaryProperty') as string;
	if (binaryProperty) {
		const buffer = await this.helpers.getBinaryDataBuffer(binaryProperty);
		const body = (requestOptions.body ?? {}) as Record<string, unknown>;
		body.file = buffer.toString('utf8');
		requestOptions.body = body;
	}
	return requestOptions;
}

async function postReceiveTag(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const ctx = this as unknown as {
		isStreaming(): boolean;
		sendChunk(type: 'begin' | 'item' | 'end', itemIndex: number, content?: unknown): Promise<void>;
	};
	const streaming = ctx.isStreaming();
	if (streaming) {
		await ctx.sendChunk('begin', 0);
		await ctx.sendChunk('item', 0, 'x');
		await ctx.sendChunk('end', 0);
	}
	return items.map((item) => ({
		json: { ...item.json, status: response.statusCode, streaming },
	}));
}

class TestDeclarative implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Declarative',
		name: 'testDeclarative',
		icon: 'fa:flask',
		group: ['transform'],
		version: 1,
		description: 'Declarative test node',
		defaults: { name: 'Test Declarative' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		credentials: [{ name: 'testApi', required: true }],
		requestDefaults: {
			baseURL: '={{$credentials.baseUrl}}',
			headers: { Accept: 'application/json' },
		},
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Send',
						value: 'send',
						action: 'Send text',
						routing: {
							request: { method: 'POST', url: '/echo' },
							send: { preSend: [preSendCheck] },
							output: { postReceive: [postReceiveTag] },
						},
					},
				],
				default: 'send',
			},
			{
				displayName: 'Text',
				name: 'text',
				type: 'string',
				default: 'hello',
				routing: { send: { type: 'body', property: 'text' } },
			},
			{
				displayName: 'Binary Property',
				name: 'binaryProperty',
				type: 'string',
				default: '',
			},
		],
	};
}

function declarative(name: string, parameters: INodeParameters = {}, extra = {}): INode {
	return {
		id: `decl-${name}`,
		name,
		type: 'testDeclarative',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters,
		...extra,
	};
}

describe('engine harness', () => {
	let server: EchoServer;
	let hang = false;

	beforeAll(async () => {
		server = await startEchoServer((req) => (hang && req.path === '/echo' ? 'hang' : undefined));
	});
	afterAll(async () => {
		await server.close();
	});
	beforeEach(() => {
		hang = false;
		server.requests.length = 0;
	});

	const engine = () =>
		createEngine({
			nodeTypes: [TestDeclarative],
			credentialTypes: [TestApi],
			credentials: { testApi: { apiKey: 'secret-key-123', baseUrl: server.url } },
		});

	it('sends the request with the Authorization header and the routed body', async () => {
		const result = await engine().run(chain(manualTrigger(), declarative('Decl', { text: 'hi' })));
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(server.requests).toHaveLength(1);
		const [req] = server.requests;
		expect(req.method).toBe('POST');
		expect(req.path).toBe('/echo');
		expect(req.headers.authorization).toBe('Bearer secret-key-123');
		expect(req.body).toEqual({ text: 'hi' });
		expect(result.output('Decl')).toHaveLength(1);
		expect(result.output('Decl')[0].json).toMatchObject({
			ok: true,
			echo: { text: 'hi' },
			status: 200,
			streaming: false,
		});
		expect(result.executionData).not.toContain('secret-key-123');
	});

	it('applies parameter defaults from the description', async () => {
		const result = await engine().run(chain(manualTrigger(), declarative('Decl')));
		expect(server.requests[0].body).toEqual({ text: 'hello' });
		expect(result.output('Decl')).toHaveLength(1);
	});

	it('makes one request per input item and sets pairedItem', async () => {
		const result = await engine().run(
			chain(
				manualTrigger(),
				itemsNode('Items', [{ t: 'a' }, { t: 'b' }, { t: 'c' }]),
				declarative('Decl', { text: '={{ $json.t }}' }),
			),
		);
		expect(result.error).toBeUndefined();
		expect(server.requests.map((r) => r.body)).toEqual(
			expect.arrayContaining([{ text: 'a' }, { text: 'b' }, { text: 'c' }]),
		);
		expect(server.requests).toHaveLength(3);
		const out = result.output('Decl');
		expect(out.map((i) => (i.json.echo as { text: string }).text)).toEqual(['a', 'b', 'c']);
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('continueOnFail turns a failing preSend into one error item', async () => {
		const result = await engine().run(
			chain(
				manualTrigger(),
				itemsNode('Items', [{ t: 'a' }, { t: 'fail' }, { t: 'c' }]),
				declarative('Decl', { text: '={{ $json.t }}' }, { onError: 'continueRegularOutput' }),
			),
		);
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(server.requests).toHaveLength(2);
		const out = result.output('Decl');
		expect(out).toHaveLength(3);
		expect(out[0].json.echo).toEqual({ text: 'a' });
		expect(out[1].json.error).toBeDefined();
		expect(String(out[1].json.error)).toContain('preSend refused the item');
		expect(out[2].json.echo).toEqual({ text: 'c' });
	});

	it('without continueOnFail the run errors', async () => {
		const result = await engine().run(
			chain(
				manualTrigger(),
				itemsNode('Items', [{ t: 'a' }, { t: 'fail' }]),
				declarative('Decl', { text: '={{ $json.t }}' }),
			),
		);
		expect(result.status).toBe('error');
		expect(result.error).toBeDefined();
		expect(result.error?.message).toContain('preSend refused the item');
		expect(result.run.data.resultData.lastNodeExecuted).toBe('Decl');
	});

	it('binary data from itemsNode is readable in preSend and via readBinary', async () => {
		const result = await engine().run(
			chain(
				manualTrigger(),
				itemsNode(
					'Items',
					[{ t: 'a' }],
					[
						{
							data: {
								data: Buffer.from('file-content'),
								mimeType: 'text/plain',
								fileName: 'f.txt',
							},
						},
					],
				),
				declarative('Decl', { text: 'x', binaryProperty: 'data' }),
			),
		);
		expect(result.error).toBeUndefined();
		expect(server.requests[0].body).toEqual({ text: 'x', file: 'file-content' });
		const [item] = result.output('Items');
		expect(item.binary?.data.mimeType).toBe('text/plain');
		expect(item.binary?.data.fileName).toBe('f.txt');
		expect((await readBinary(item)).toString('utf8')).toBe('file-content');
	});

	it('abort cancels a hanging request and the run ends promptly as canceled', async () => {
		hang = true;
		const started = Date.now();
		const result = await engine().run(chain(manualTrigger(), declarative('Decl')), {
			abortAfterMs: 300,
		});
		const elapsed = Date.now() - started;
		expect(server.requests).toHaveLength(1);
		expect(result.status).toBe('canceled');
		expect(elapsed).toBeLessThan(5000);
		await sleepMs(50);
		expect(server.requests[0].abortedByClient).toBe(true);
		const task = result.run.data.resultData.runData.Decl?.[0];
		// n8n-core 2.41: axios rejects with CanceledError, RoutingNode wraps it in a NodeApiError
		// "canceled"; the node's task is 'error' while the run's status is 'canceled'.
		expect(task?.executionStatus).toBe('error');
		expect(task?.error?.message).toBe('canceled');
		expect(result.error?.message).toBe('canceled');
	});

	it('a programmatic node sees this.getExecutionCancelSignal() abort', async () => {
		const seen: { aborted?: boolean; viaListener?: boolean } = {};
		class Waiter implements INodeType {
			description: INodeTypeDescription = {
				displayName: 'Waiter',
				name: 'testWaiter',
				icon: 'fa:clock',
				group: ['transform'],
				version: 1,
				description: 'Waits until cancelled',
				usableAsTool: true,
				defaults: { name: 'Waiter' },
				inputs: [NodeConnectionTypes.Main],
				outputs: [NodeConnectionTypes.Main],
				properties: [],
			};
			async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
				const signal = this.getExecutionCancelSignal();
				this.onExecutionCancellation(() => {
					seen.viaListener = true;
				});
				while (!signal?.aborted) await sleepMs(10);
				seen.aborted = signal.aborted;
				return [this.getInputData()];
			}
		}
		const result = await createEngine({ nodeTypes: [Waiter], credentialTypes: [] }).run(
			chain(manualTrigger(), {
				id: 'w',
				name: 'Waiter',
				type: 'testWaiter',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			}),
			{ abortAfterMs: 100 },
		);
		expect(result.status).toBe('canceled');
		expect(seen).toEqual({ aborted: true, viaListener: true });
	});

	it('abortSignal cancels too', async () => {
		hang = true;
		const controller = new AbortController();
		const promise = engine().run(chain(manualTrigger(), declarative('Decl')), {
			abortSignal: controller.signal,
		});
		while (server.requests.length === 0) await sleepMs(20);
		controller.abort();
		const result = await promise;
		expect(result.status).toBe('canceled');
	});

	it('streaming delivers sendChunk calls to onChunk', async () => {
		const chunks: unknown[] = [];
		const result = await engine().run(chain(manualTrigger(), declarative('Decl')), {
			streaming: { onChunk: (chunk) => chunks.push(chunk) },
		});
		expect(result.error).toBeUndefined();
		expect(result.output('Decl')[0].json.streaming).toBe(true);
		expect(chunks).toEqual([
			expect.objectContaining({
				type: 'begin',
				metadata: expect.objectContaining({ nodeName: 'Decl' }),
			}),
			expect.objectContaining({ type: 'item', content: 'x' }),
			expect.objectContaining({ type: 'end' }),
		]);
	});
});

async function sleepMs(ms: number) {
	const { sleep } = await import('n8n-workflow');
	await sleep(ms);
}
