/**
 * The work budget of one validation (jsonSchema.ts): whatever the schema and the value, checking
 * stops after MAX_VALIDATION_STEPS steps with a problem that says so.
 */
import type { JsonSchema } from './schemaTypes';

/**
 * Work one validation may do. A step is one subschema applied to one value, one enum option or
 * required name looked at, a share of an anyOf/oneOf branch, or a share of a pattern run
 * (patternSafety.ts). Measured: 0.15 to 0.3 µs per step for plain schemas; the whole budget
 * spent on alternatives nested 30 deep takes about 0.2 s (0.75 s in a process not yet warmed up). A model answer holds at most a few ten
 * thousand values (max_completion_tokens), which a schema without alternatives checks in a few
 * steps each; only alternatives nested in alternatives (or patterns run on much text) reach the
 * budget, and the check then fails saying so.
 */
export const MAX_VALIDATION_STEPS = 1_000_000;
export const BUDGET_PROBLEM = `checking the value against the schema needs more than ${MAX_VALIDATION_STEPS.toLocaleString('en-US')} steps (alternatives nested in alternatives, or patterns run on much text); simplify the schema`;

/** One validation: the schema it started from, the steps spent, the $refs resolved so far. */
export interface Run {
	root: JsonSchema;
	steps: number;
	/** The steps are spent: every check returns at once, and the validation fails saying so. */
	exhausted: boolean;
	refs: Map<string, JsonSchema | undefined>;
}

/** Spends steps; false once the budget is gone. */
export function spend(run: Run, steps: number): boolean {
	run.steps += steps;
	if (run.steps > MAX_VALIDATION_STEPS) run.exhausted = true;
	return !run.exhausted;
}
