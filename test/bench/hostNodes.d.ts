import type { INodeType, IVersionedNodeType } from 'n8n-workflow';

export declare function loadHttpRequestNode(): Promise<new () => INodeType | IVersionedNodeType>;
