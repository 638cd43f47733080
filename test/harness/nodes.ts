/**
 * The harness's own two tiny node types (n8n-nodes-base is not installed):
 * - harnessTrigger: a manual trigger (same shape as n8n's Manual Trigger: `trigger()` with a
 *   `manualTriggerFunction` that emits one empty item),
 * - harnessItems: a programmatic node that outputs the items from its parameters, attaching binary
 *   data through `this.helpers.prepareBinaryData` (so it goes through n8n-core's BinaryDataService).
 */
import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type ITriggerFunctions,
	type ITriggerResponse,
} from 'n8n-workflow';

export const HARNESS_TRIGGER_TYPE = 'harnessTrigger';
export const HARNESS_ITEMS_TYPE = 'harnessItems';

/** Serialised form of one binary property in the harnessItems node's `binaries` parameter. */
export interface SerializedBinary {
	base64: string;
	mimeType: string;
	fileName?: string;
}

export class HarnessTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Trigger',
		name: HARNESS_TRIGGER_TYPE,
		icon: 'fa:play',
		group: ['trigger'],
		version: 1,
		description: 'Starts a harness workflow (like the Manual Trigger)',
		defaults: { name: 'Harness Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		const manualTriggerFunction = async () => {
			this.emit([this.helpers.returnJsonArray([{}])]);
		};
		return { manualTriggerFunction };
	}
}

export class HarnessItems implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Items',
		name: HARNESS_ITEMS_TYPE,
		icon: 'fa:list',
		group: ['transform'],
		version: 1,
		description: 'Outputs fixed items (with optional binary data)',
		usableAsTool: true,
		defaults: { name: 'Harness Items' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Items (JSON)',
				name: 'items',
				type: 'string',
				default: '[]',
			},
			{
				displayName: 'Binaries (JSON)',
				name: 'binaries',
				type: 'string',
				default: '[]',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as Array<
			Record<string, unknown>
		>;
		const binaries = JSON.parse(this.getNodeParameter('binaries', 0) as string) as Array<Record<
			string,
			SerializedBinary
		> | null>;
		const returnData: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			const item: INodeExecutionData = {
				json: items[i] as INodeExecutionData['json'],
				pairedItem: { item: 0 },
			};
			const itemBinaries = binaries[i];
			if (itemBinaries) {
				item.binary = {};
				for (const [property, bin] of Object.entries(itemBinaries)) {
					item.binary[property] = await this.helpers.prepareBinaryData(
						Buffer.from(bin.base64, 'base64'),
						bin.fileName,
						bin.mimeType,
					);
				}
			}
			returnData.push(item);
		}
		return [returnData];
	}
}
