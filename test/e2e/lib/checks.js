'use strict';
/** A tiny check registry: every check runs, failures are collected, the summary line counts. */

class Checks {
	constructor(log) {
		this.log = log;
		this.results = [];
	}

	async check(name, fn) {
		const started = Date.now();
		try {
			await fn();
			this.results.push({ name, ok: true });
			this.log(`PASS ${name} (${Date.now() - started} ms)`);
		} catch (error) {
			this.results.push({ name, ok: false, error });
			this.log(`FAIL ${name}: ${error && error.stack ? error.stack : error}`);
		}
	}

	/** Records a failure without running anything (a stage that could not start). */
	fail(name, error) {
		this.results.push({ name, ok: false, error });
		this.log(`FAIL ${name}: ${error && error.message ? error.message : error}`);
	}

	get passed() {
		return this.results.filter((r) => r.ok).length;
	}

	get failed() {
		return this.results.filter((r) => !r.ok).length;
	}
}

module.exports = { Checks };
