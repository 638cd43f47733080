import { NodeOperationError, type INode } from 'n8n-workflow';

/** A UI field as the user sees it, so every message names what to fix. */
export interface Field {
	displayName: string;
	name: string;
}

/**
 * Checks on user input. Each throws a NodeOperationError naming the field before any request
 * goes out, so a mistake never costs credits. Values may come from expressions, so nothing about
 * their type is assumed.
 */
export class InputValidator {
	/**
	 * `node` is read only when a check fails: n8n's `getNode()` deep-copies the node on every call,
	 * a cost every item would pay for nothing.
	 */
	constructor(
		private readonly node: () => INode,
		private readonly itemIndex: number,
	) {}

	fail(field: Field, problem: string, hint?: string): never {
		throw new NodeOperationError(this.node(), `${field.displayName}: ${problem}`, {
			itemIndex: this.itemIndex,
			description:
				hint ?? `Correct "${field.displayName}" in the node's parameters, then run the node again.`,
		});
	}

	/** Accepts numbers and numeric strings (expressions often yield strings). */
	number(field: Field, value: unknown, range: { min?: number; max?: number }): number {
		const num = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
		if (typeof num !== 'number' || !Number.isFinite(num)) {
			this.fail(field, `must be a number, got ${describeValue(value)}`, rangeHint(range));
		}
		if (
			(range.min !== undefined && num < range.min) ||
			(range.max !== undefined && num > range.max)
		) {
			this.fail(field, `must be ${rangeText(range)}, got ${num}`, rangeHint(range));
		}
		return num;
	}

	integer(field: Field, value: unknown, range: { min?: number; max?: number }): number {
		const num = this.number(field, value, range);
		if (!Number.isInteger(num)) {
			this.fail(field, `must be a whole number, got ${num}`, rangeHint(range));
		}
		return num;
	}

	nonEmptyString(field: Field, value: unknown): string {
		const fillIn = `Fill in "${field.displayName}", then run the node again.`;
		if (value === undefined || value === null) this.fail(field, 'is empty', fillIn);
		if (typeof value !== 'string') {
			this.fail(field, `must be text, got ${describeValue(value)}`);
		}
		if (value.trim() === '') this.fail(field, 'is empty', fillIn);
		return value;
	}

	oneOf<T extends string>(field: Field, value: unknown, allowed: readonly T[]): T {
		if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
			this.fail(
				field,
				`${describeValue(value)} is not one of the documented values`,
				`Allowed values: ${allowed.join(', ')}.`,
			);
		}
		return value as T;
	}

	httpUrl(field: Field, value: unknown, { allowDataUrl = false } = {}): string {
		const text = this.nonEmptyString(field, value).trim();
		if (allowDataUrl && /^data:/i.test(text)) return text;
		let parsed: URL;
		try {
			parsed = new URL(text);
		} catch {
			this.fail(
				field,
				`${describeValue(text)} is not a valid URL`,
				'Use a full http:// or https:// URL.',
			);
		}
		if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
			this.fail(field, `only http(s) URLs are accepted, got ${parsed.protocol}`);
		}
		return text;
	}
}

const MAX_SHOWN_CHARS = 40;

/** A short, safe rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
	if (value === undefined) return 'nothing';
	if (value === null) return 'null';
	if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
	if (typeof value === 'string') {
		if (value.trim() === '') return 'an empty string';
		const shown = value.length > MAX_SHOWN_CHARS ? `${value.slice(0, MAX_SHOWN_CHARS)}…` : value;
		return `"${shown}"`;
	}
	if (Array.isArray(value)) return 'a list';
	const type = typeof value;
	return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function rangeText({ min, max }: { min?: number; max?: number }): string {
	if (min !== undefined && max !== undefined) return `between ${min} and ${max}`;
	if (min !== undefined) return `at least ${min}`;
	return `at most ${max}`;
}

function rangeHint(range: { min?: number; max?: number }): string {
	return `Use a number ${rangeText(range)}.`;
}

/** "From 0 to 2": a range as the fields' hints show it (n8n clamps typed values silently). */
export function rangeLabel(range: { min: number; max?: number }): string {
	return range.max === undefined ? `At least ${range.min}` : `From ${range.min} to ${range.max}`;
}
