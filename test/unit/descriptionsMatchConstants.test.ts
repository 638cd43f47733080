/**
 * The UI descriptions take every documented option, range, default and price from the constants:
 * this walks each built description (nested collections included) and checks it against them, so a
 * literal that drifts from the documented API fails here.
 */
import type { INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

import { MiniToolAiChat } from '../../nodes/MiniToolAiChat/MiniToolAiChat.node';
import { MiniToolAiChatModel } from '../../nodes/MiniToolAiChatModel/MiniToolAiChatModel.node';
import { MiniToolAiTextToImage } from '../../nodes/MiniToolAiTextToImage/MiniToolAiTextToImage.node';
import {
	CFG_SCALE,
	CHAT_MODELS,
	CHAT_PRICES_USD_PER_MTOK,
	CHAT_ROLES,
	DEFAULT_CHAT_MODEL,
	DEFAULT_IMAGE_MODEL,
	DEFAULT_SCHEDULER,
	IMAGE_DETAILS,
	IMAGE_MODELS,
	IMAGE_PRICE_USD,
	IMAGE_SIZE,
	MAX_COMPLETION_TOKENS,
	MAX_WAIT_SECONDS,
	SCHEDULERS,
	STEPS,
	TEMPERATURE,
} from '../../nodes/shared/constants';

type Range = { min: number; max?: number; default: number };

/** Every property of a description, with the parameter path it sits at. */
function walk(properties: INodeProperties[], path = ''): Array<[string, INodeProperties]> {
	const out: Array<[string, INodeProperties]> = [];
	for (const property of properties) {
		const at = path ? `${path}.${property.name}` : property.name;
		out.push([at, property]);
		for (const option of property.options ?? []) {
			if ('values' in option) out.push(...walk(option.values as INodeProperties[], at));
			else if ('type' in option) out.push(...walk([option as INodeProperties], at));
		}
	}
	return out;
}

function find(description: INodeTypeDescription, path: string): INodeProperties[] {
	return walk(description.properties)
		.filter(([at]) => at === path)
		.map(([, property]) => property);
}

function values(property: INodeProperties): string[] {
	return (property.options as INodePropertyOptions[]).map((option) => String(option.value));
}

function expectRange(property: INodeProperties, range: Range) {
	expect(property.default).toBe(range.default);
	expect(property.typeOptions?.minValue).toBe(range.min);
	expect(property.typeOptions?.maxValue).toBe(range.max);
	const hint =
		range.max === undefined ? `At least ${range.min}` : `From ${range.min} to ${range.max}`;
	expect(property.hint).toBe(hint);
}

const chat = new MiniToolAiChat().description;
const chatModel = new MiniToolAiChatModel().description;
const image = new MiniToolAiTextToImage().description;

describe.each([
	['Chat', chat],
	['Chat Model', chatModel],
])('%s node', (_name, description) => {
	it('offers exactly the documented models, the documented default first choice', () => {
		const [model] = find(description, 'model');
		expect(values(model)).toEqual([...CHAT_MODELS]);
		expect(model.default).toBe(DEFAULT_CHAT_MODEL);
	});

	it("states each model's price from the price table", () => {
		const [model] = find(description, 'model');
		for (const option of model.options as INodePropertyOptions[]) {
			const price = CHAT_PRICES_USD_PER_MTOK[option.value as (typeof CHAT_MODELS)[number]];
			expect(option.description).toContain(
				`USD ${price.input.toFixed(2)} / ${price.output.toFixed(2)} per 1M tokens`,
			);
		}
	});

	it('takes temperature and max tokens ranges and defaults from the constants', () => {
		expectRange(find(description, 'temperature')[0], TEMPERATURE);
		expectRange(find(description, 'maxCompletionTokens')[0], MAX_COMPLETION_TOKENS);
	});
});

describe('Chat node message fields', () => {
	it('offer the documented roles and image details', () => {
		expect(values(find(chat, 'messages.role')[0])).toEqual([...CHAT_ROLES]);
		expect(values(find(chat, 'messages.imageDetail')[0])).toEqual([...IMAGE_DETAILS]);
	});
});

describe('Text to Image node', () => {
	it('offers the documented models and schedulers with their documented defaults', () => {
		for (const model of find(image, 'model')) {
			expect(values(model)).toEqual([...IMAGE_MODELS]);
			expect(model.default).toBe(DEFAULT_IMAGE_MODEL);
			expect(model.description).toContain(`USD ${IMAGE_PRICE_USD} per image`);
		}
		for (const scheduler of find(image, 'scheduler')) {
			expect(values(scheduler)).toEqual([...SCHEDULERS]);
			expect(scheduler.default).toBe(DEFAULT_SCHEDULER);
		}
	});

	it.each([
		['steps', STEPS],
		['cfgScale', CFG_SCALE],
		['width', IMAGE_SIZE],
		['height', IMAGE_SIZE],
		['options.maxWaitSeconds', MAX_WAIT_SECONDS],
	] as Array<[string, Range]>)('takes %s range and default from the constants', (path, range) => {
		const found = find(image, path);
		expect(found.length).toBeGreaterThan(0);
		for (const property of found) expectRange(property, range);
	});

	it('shows no expression as a placeholder', () => {
		for (const [, property] of walk(image.properties)) {
			expect(String(property.placeholder ?? '')).not.toMatch(/^=|\{\{/);
		}
	});
});
