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

	/**
	 * Prints the `<stage>: N passed, N failed` line that .ci/run sums, and sets the exit code
	 * (a stage that ran no check fails too).
	 */
	finish(stage) {
		console.log(`${stage}: ${this.passed} passed, ${this.failed} failed`);
		process.exitCode = this.failed > 0 || this.passed === 0 ? 1 : 0;
	}
}

/** Runs a stage's main; a crash stops what it started and still ends with a summary line. */
function runStage(stage, main, cleanups) {
	main().catch(async (error) => {
		console.error(error);
		await cleanups.runAll();
		console.log(`${stage}: 0 passed, 1 failed`);
		process.exit(1);
	});
}

module.exports = { Checks, runStage };
