/**
 * An ICredentialsHelper for the harness: credentials come decrypted from the test
 * (`opts.credentials[type]`), defaults of the credential type's properties are applied and
 * expressions in the data resolved (as n8n's CredentialsHelper does), and `authenticate` applies the
 * credential type's `authenticate` (function, or type 'generic' whose `properties` expressions such
 * as `'=Bearer {{$credentials.apiKey}}'` are resolved against the credential data and merged into
 * the request's headers/qs/body/auth).
 */
import {
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	Workflow,
	deepCopy,
	type ICredentialDataDecryptedObject,
	type ICredentialType,
	type ICredentials,
	type ICredentialsExpressionResolveValues,
	type IDataObject,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeParameters,
	type INodeProperties,
	type INodeTypes,
	type IRequestOptionsSimplified,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { HARNESS_ITEMS_TYPE } from './nodes';

export class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(
		private readonly credentialTypes: Map<string, ICredentialType>,
		private readonly data: Record<string, Record<string, unknown>>,
		private readonly nodeTypes: INodeTypes,
	) {
		super();
	}

	getParentTypes(name: string): string[] {
		const type = this.credentialTypes.get(name);
		if (!type?.extends) return [];
		const parents: string[] = [];
		for (const parent of type.extends) {
			parents.push(parent, ...this.getParentTypes(parent));
		}
		return parents;
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.credentialTypes.get(type);
		if (!credentialType) {
			throw new UnexpectedError(
				`Unknown credential type "${type}" (not registered with the harness)`,
			);
		}
		const properties = [...credentialType.properties];
		for (const parent of credentialType.extends ?? []) {
			properties.unshift(...this.getCredentialsProperties(parent));
		}
		return properties;
	}

	async getCredentials(
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentials> {
		throw new UnexpectedError(`getCredentials("${type}") is not supported by the harness`);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: unknown,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const given = this.data[type];
		if (given === undefined) {
			throw new UnexpectedError(`No credentials of type "${type}" were given to the harness`);
		}
		const original = deepCopy(given) as ICredentialDataDecryptedObject;
		if (raw === true) return original;
		// Defaults of the credential type's properties, like n8n's applyDefaultsAndOverwrites.
		let decrypted = (NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			original as INodeParameters,
			true,
			false,
			null,
			null,
		) ?? {}) as ICredentialDataDecryptedObject;
		if (expressionResolveValues) {
			const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } =
				expressionResolveValues;
			decrypted = workflow.expression.getParameterValue(
				decrypted as INodeParameters,
				runExecutionData,
				runIndex,
				itemIndex,
				node.name,
				connectionInputData,
				mode,
				{},
				undefined,
				false,
				decrypted,
			) as ICredentialDataDecryptedObject;
		}
		return decrypted;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const credentialType = this.credentialTypes.get(typeName);
		if (!credentialType) {
			throw new UnexpectedError(`Unknown credential type "${typeName}"`);
		}
		const { authenticate } = credentialType;
		if (authenticate === undefined) return requestOptions;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}
		if (authenticate.type !== 'generic') return requestOptions;

		const resolveWorkflow = workflow ?? this.mockWorkflow();
		const resolveNode = node ?? Object.values(resolveWorkflow.nodes)[0];
		const resolve = (value: unknown): unknown => {
			if (typeof value !== 'string' || value.charAt(0) !== '=') return value;
			const resolved = resolveWorkflow.expression.getSimpleParameterValue(
				resolveNode,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			return resolved ? resolved.toString() : '';
		};

		const properties = authenticate.properties as Record<string, Record<string, unknown>>;
		const target = requestOptions as unknown as Record<string, IDataObject | undefined>;
		for (const outerKey of Object.keys(properties)) {
			for (const key of Object.keys(properties[outerKey])) {
				const keyResolved = resolve(key) as string;
				const valueResolved = resolve(properties[outerKey][key]);
				if (!target[outerKey] || typeof target[outerKey] !== 'object') target[outerKey] = {};
				(target[outerKey] as IDataObject)[keyResolved] = valueResolved as IDataObject[string];
			}
		}
		return requestOptions;
	}

	async preAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<ICredentialDataDecryptedObject | undefined> {
		return undefined;
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	private mockWorkflow(): Workflow {
		return new Workflow({
			nodes: [
				{
					id: 'credentials-mock',
					name: 'mock',
					type: HARNESS_ITEMS_TYPE,
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
			],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes,
		});
	}
}
