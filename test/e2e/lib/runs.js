'use strict';
/**
 * One run and what the emulator received during it. Checks read the requests and jobs of their
 * own run (`run.requests`, `run.jobs`), never the emulator's whole log: a record belongs to a run
 * only if the emulator created it while that run was going on. Records are told apart by
 * identity, not by position or sequence number, so neither a reset nor an earlier run can leak
 * into a count. No run is repeated: an `n8n execute` that dies by a signal throws
 * (N8nInstance.execute), and the check that started it fails.
 */

/** Starts recording; the returned function gives what the emulator received since. */
function receivedFrom(emulator) {
	const oldRequests = new Set(emulator.requests);
	const oldJobs = new Set(emulator.jobs.values());
	return () => ({
		requests: emulator.requests.filter((r) => !oldRequests.has(r)),
		jobs: [...emulator.jobs.values()].filter((j) => !oldJobs.has(j)),
	});
}

/**
 * `n8n execute` of one workflow on a freshly reset emulator (with `faults` set for this run
 * only); returns execute()'s result plus `requests` and `jobs`, what this run sent.
 */
async function executeRun({ n8n, emulator, log }, id, { faults = [] } = {}) {
	emulator.reset();
	for (const fault of faults) emulator.setFault(fault);
	const received = receivedFrom(emulator);
	let result;
	try {
		result = await n8n.execute(id);
	} finally {
		emulator.clearFaults();
	}
	if (log) log(`execute ${id}: exit ${result.code} in ${(result.ms / 1000).toFixed(1)} s`);
	return { ...result, ...received() };
}

/** The run's requests to one API path. */
function apiRequests(run, urlPath) {
	return run.requests.filter((r) => r.server === 'api' && r.path === urlPath);
}

module.exports = { receivedFrom, executeRun, apiRequests };
