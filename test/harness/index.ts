/**
 * Engine-test harness: runs real n8n workflows through n8n-core's WorkflowExecute inside jest,
 * with our own node and credential types, real HTTP through n8n-core's request helpers (axios),
 * n8n-core's BinaryDataService in memory mode, cancellation and streaming as in n8n.
 */
// Must come first: sets the environment n8n-core reads and exposes n8n-core's own DI container.
import { Container, ensureRuntime } from './runtime';

import {
	BinaryDataService,
	DirectoryLoader,
	ExecutionLifecycleHooks,
	RoutingNode,
	WorkflowExecute,
} from 'n8n-core';
import type { ExecuteContext } from 'n8n-core';
import {
	NodeHelpers,
	UnexpectedError,
	Workflow,
	deepCopy,
	sleep,
	type ICredentialType,
	type IConnections,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
	type StructuredChunk,
} from 'n8n-workflow';

import { HarnessCredentialsHelper } from './credentialsHelper';
import {
	HARNESS_ITEMS_TYPE,
	HARNESS_TRIGGER_TYPE,
	HarnessItems,
	HarnessTrigger,
	type SerializedBinary,
} from './nodes';

export { HarnessItems, HarnessTrigger, HARNESS_ITEMS_TYPE, HARNESS_TRIGGER_TYPE };
export { captureNodeLogs, type LoggedLine } from './runtime';

export interface EngineOptions {
	/** our node classes, registered under their plain `description.name` */
	nodeTypes: Array<new () => INodeType | IVersionedNodeType>;
	/** our credential classes */
	credentialTypes: Array<new () => ICredentialType>;
	/** credential type name -> decrypted data */
	credentials?: Record<string, Record<string, unknown>>;
}

export interface RunResult {
	run: IRun;
	status: IRun['status'];
	/** node name -> its output (last run) per output index */
	outputs: Record<string, INodeExecutionData[][]>;
	/** main output 0 of the node's last run ([] if it did not run) */
	output(nodeName: string): INodeExecutionData[];
	/** the execution error (node error), if any */
	error?: Error;
	/** JSON.stringify of run.data */
	executionData: string;
}

export interface RunOptions {
	abortAfterMs?: number;
	abortSignal?: AbortSignal;
	/**
	 * Registers a sendChunk handler. `enabled: false` keeps the handler but marks the execution as
	 * not streaming (isStreaming() false), so a test can see chunks a node sends when it should not.
	 */
	streaming?: { onChunk(chunk: unknown): void; enabled?: boolean };
}

type WorkflowInput = { nodes: INode[]; connections: IConnections } | IWorkflowBase;

/**
 * Same rule as n8n's CLI (`shouldAssignExecuteMethod` in packages/cli): a declarative node gets an
 * `execute` that runs n8n-core's RoutingNode with the node's ExecuteContext. That is how the real
 * server runs declarative nodes (and it gives them the execution's cancel signal), rather than
 * WorkflowExecute's `executeDeclarativeNodeInTest` fallback, which passes no abort signal.
 */
function shouldAssignExecuteMethod(nodeType: INodeType): boolean {
	const isWebhook = !!nodeType.webhook;
	const isDeclarativeNode = nodeType.description?.requestDefaults !== undefined;
	return (
		!nodeType.execute &&
		!nodeType.poll &&
		!nodeType.trigger &&
		(!isWebhook || isDeclarativeNode) &&
		(!nodeType.methods || isDeclarativeNode)
	);
}

class HarnessNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType | IVersionedNodeType>();

	register(nodeType: INodeType | IVersionedNodeType) {
		// As n8n's loader does: declarative nodes get the standard "Request Options" (batching,
		// timeout, proxy) that RoutingNode reads.
		if (!('nodeVersions' in nodeType))
			DirectoryLoader.applyDeclarativeNodeOptionParameters(nodeType);
		this.types.set(nodeType.description.name, nodeType);
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types.get(nodeType);
		if (!type) throw new UnexpectedError(`Unrecognized node type: ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const versioned = NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
		if (shouldAssignExecuteMethod(versioned)) {
			versioned.execute = async function (this: ExecuteContext) {
				const routingNode = new RoutingNode(this, versioned);
				const data = await routingNode.runNode();
				return data ?? [];
			};
		}
		return versioned;
	}

	getKnownTypes(): IDataObject {
		return {};
	}
}

let executionCounter = 0;
let nodeCounter = 0;

function nextNodeId(): string {
	nodeCounter++;
	return `00000000-0000-4000-8000-${String(nodeCounter).padStart(12, '0')}`;
}

function collectOutputs(run: IRun): Record<string, INodeExecutionData[][]> {
	const outputs: Record<string, INodeExecutionData[][]> = {};
	const runData = run.data.resultData.runData ?? {};
	for (const [name, tasks] of Object.entries(runData)) {
		const last = tasks[tasks.length - 1];
		const main = last?.data?.main;
		if (main) outputs[name] = main.map((items) => items ?? []);
	}
	return outputs;
}

export function createEngine(opts: EngineOptions): {
	run(workflow: WorkflowInput, options?: RunOptions): Promise<RunResult>;
} {
	const nodeTypes = new HarnessNodeTypes();
	nodeTypes.register(new HarnessTrigger());
	nodeTypes.register(new HarnessItems());
	for (const NodeClass of opts.nodeTypes) nodeTypes.register(new NodeClass());

	const credentialTypes = new Map<string, ICredentialType>();
	for (const CredentialClass of opts.credentialTypes) {
		const credentialType = new CredentialClass();
		credentialTypes.set(credentialType.name, credentialType);
	}
	const credentialsData = opts.credentials ?? {};
	const credentialsHelper = new HarnessCredentialsHelper(
		credentialTypes,
		credentialsData,
		nodeTypes,
	);

	/** Gives every node an id/position and, when the test did not, the credentials it declares. */
	function prepareNodes(nodes: INode[]): INode[] {
		return nodes.map((original) => {
			const node = deepCopy(original);
			node.id = node.id || nextNodeId();
			node.position = node.position ?? [0, 0];
			node.parameters = node.parameters ?? {};
			const description = nodeTypes.getByNameAndVersion(node.type, node.typeVersion).description;
			for (const credential of description.credentials ?? []) {
				if (node.credentials?.[credential.name]) continue;
				if (credentialsData[credential.name] === undefined) continue;
				node.credentials = {
					...(node.credentials ?? {}),
					[credential.name]: { id: `${credential.name}-id`, name: credential.name },
				};
			}
			return node;
		});
	}

	async function run(input: WorkflowInput, options: RunOptions = {}): Promise<RunResult> {
		await ensureRuntime();
		const base = input as Partial<IWorkflowBase>;
		const executionId = String(++executionCounter);
		const workflowId = base.id ?? 'harness-workflow';
		const nodes = prepareNodes(input.nodes);
		const workflowData = {
			id: workflowId,
			name: base.name ?? 'Harness workflow',
			active: false,
			isArchived: false,
			createdAt: new Date(),
			updatedAt: new Date(),
			nodes,
			connections: input.connections,
			settings: { executionOrder: 'v1', ...(base.settings ?? {}) },
		} as IWorkflowBase;
		// The Workflow constructor applies the node parameter defaults (NodeHelpers.getNodeParameters
		// with returnDefaults), exactly as when n8n loads an editor-saved workflow.
		const workflow = new Workflow({
			id: workflowId,
			name: workflowData.name,
			nodes,
			connections: input.connections,
			active: false,
			nodeTypes,
			staticData: base.staticData as IDataObject | undefined,
			settings: workflowData.settings,
			pinData: base.pinData,
		});

		const mode = 'manual';
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
		if (options.streaming) {
			const { onChunk } = options.streaming;
			hooks.addHandler('sendChunk', async (chunk: StructuredChunk) => {
				onChunk(chunk);
			});
		}

		const additionalData = {
			credentialsHelper,
			hooks,
			executionId,
			workflowId,
			streamingEnabled: options.streaming !== undefined && options.streaming.enabled !== false,
			currentNodeExecutionIndex: 0,
			restApiUrl: 'http://127.0.0.1:5678/rest',
			instanceBaseUrl: 'http://127.0.0.1:5678/',
			formBaseUrl: 'http://127.0.0.1:5678/form',
			formWaitingBaseUrl: 'http://127.0.0.1:5678/form-waiting',
			formTestBaseUrl: 'http://127.0.0.1:5678/form-test',
			webhookBaseUrl: 'http://127.0.0.1:5678/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1:5678/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1:5678/webhook-test',
			mcpBaseUrl: 'http://127.0.0.1:5678/mcp',
			mcpTestBaseUrl: 'http://127.0.0.1:5678/mcp-test',
			variables: {},
			logAiEvent: () => {},
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			executeWorkflow: async () => {
				throw new UnexpectedError('Sub-workflows are not supported by the harness');
			},
			startRunnerTask: async () => {
				throw new UnexpectedError('Task runners are not supported by the harness');
			},
		} as unknown as IWorkflowExecuteAdditionalData;

		const startNode =
			workflow.getTriggerNodes()[0] ??
			nodes.find((n) => !workflow.connectionsByDestinationNode[n.name]) ??
			nodes[0];

		const workflowExecute = new WorkflowExecute(additionalData, mode);
		const execution = workflowExecute.run({ workflow, startNode });

		// Cancellation: exactly what n8n does when a user stops an execution (ActiveExecutions calls
		// the PCancelable's cancel()): WorkflowExecute aborts its AbortController, whose signal every
		// node context returns from getExecutionCancelSignal() and which the HTTP helpers pass to axios.
		const cancel = () => execution.cancel();
		const finished = new AbortController();
		if (options.abortSignal) {
			if (options.abortSignal.aborted) cancel();
			else options.abortSignal.addEventListener('abort', cancel, { once: true });
		}
		if (options.abortAfterMs !== undefined) {
			const ms = options.abortAfterMs;
			void (async () => {
				try {
					await sleep(ms, finished.signal);
				} catch {
					return;
				}
				if (!finished.signal.aborted) cancel();
			})();
		}

		let fullRun: IRun;
		try {
			fullRun = await execution;
		} finally {
			finished.abort();
			options.abortSignal?.removeEventListener('abort', cancel);
		}

		const outputs = collectOutputs(fullRun);
		return {
			run: fullRun,
			status: fullRun.status,
			outputs,
			output: (nodeName: string) => outputs[nodeName]?.[0] ?? [],
			error: fullRun.data.resultData.error as Error | undefined,
			executionData: JSON.stringify(fullRun.data),
		};
	}

	return { run };
}

/** A trigger node (the harness's own manual trigger). */
export function manualTrigger(name = 'Trigger'): INode {
	return {
		id: nextNodeId(),
		name,
		type: HARNESS_TRIGGER_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
}

/** A node that emits the given items, with optional binary data per item (stored by n8n-core). */
export function itemsNode(
	name: string,
	items: Array<Record<string, unknown>>,
	binaries?: Array<Record<string, { data: Buffer; mimeType: string; fileName?: string }>>,
): INode {
	const serialized: Array<Record<string, SerializedBinary> | null> = (binaries ?? []).map(
		(itemBinaries) => {
			if (!itemBinaries) return null;
			const out: Record<string, SerializedBinary> = {};
			for (const [property, bin] of Object.entries(itemBinaries)) {
				out[property] = {
					base64: bin.data.toString('base64'),
					mimeType: bin.mimeType,
					...(bin.fileName !== undefined ? { fileName: bin.fileName } : {}),
				};
			}
			return out;
		},
	);
	return {
		id: nextNodeId(),
		name,
		type: HARNESS_ITEMS_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(items), binaries: JSON.stringify(serialized) },
	};
}

/** Connects main output 0 -> main input 0 in the given order. */
export function chain(...nodes: INode[]): { nodes: INode[]; connections: IConnections } {
	const connections: IConnections = {};
	for (let i = 0; i < nodes.length - 1; i++) {
		connections[nodes[i].name] = {
			main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]],
		};
	}
	return { nodes, connections };
}

/** Reads binary data of an output item (works for in-memory and stored binary data). */
export async function readBinary(item: INodeExecutionData, property = 'data'): Promise<Buffer> {
	await ensureRuntime();
	const binary = item.binary?.[property];
	if (!binary) {
		throw new UnexpectedError(`Item has no binary property "${property}"`);
	}
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}
