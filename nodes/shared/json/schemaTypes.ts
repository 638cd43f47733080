/** The schema and error shapes every part of the validator shares (no code, so no import circle). */
export type JsonSchema = boolean | { [keyword: string]: unknown };

export interface SchemaError {
	/** Where in the value, e.g. `items[2].price`; empty for the value itself. */
	path: string;
	/** What is wrong, e.g. `expected number, got string`. */
	problem: string;
}
