'use strict';
/**
 * Native crashes of a child process, made readable: commands run with core dumps allowed, and
 * after a death by a signal the core file (if the system's core_pattern writes it into the working
 * folder, as on this project's Debian machines) is read with gdb, when installed, for the crashing
 * thread's backtrace. The core file is removed afterwards (they are 1-2 GB for n8n).
 */
const fs = require('node:fs');
const path = require('node:path');
const { run } = require('./util');

const BACKTRACE_FRAMES = 25;

/** [cmd, args] that run `cmd args` with the core file size limit lifted. */
function withCoreDumps(cmd, args) {
	return ['bash', ['-c', 'ulimit -c unlimited 2>/dev/null; exec "$0" "$@"', cmd, ...args]];
}

/** The crashing thread's backtrace from a core file in `cwd` written by `pid`, or a note why not. */
async function coreBacktrace({ cwd, pid, binary }) {
	const core = [`core.${pid}`, 'core'].map((f) => path.join(cwd, f)).find((f) => fs.existsSync(f));
	if (!core) return 'no core file in the working folder (see /proc/sys/kernel/core_pattern)';
	try {
		const gdb = await run('gdb', ['-batch', '-nx', '-ex', `bt ${BACKTRACE_FRAMES}`, binary, core], {
			cwd,
			allowFail: true,
		}).catch((error) => ({ stdout: `gdb not usable: ${error.message}` }));
		// gdb shows the stop frame once more before the backtrace.
		const frames = [...new Set(gdb.stdout.split('\n').filter((l) => /^#\d+ /.test(l)))];
		return frames.length ? frames.join('\n') : gdb.stdout.slice(-2000);
	} finally {
		fs.rmSync(core, { force: true });
	}
}

module.exports = { withCoreDumps, coreBacktrace };
