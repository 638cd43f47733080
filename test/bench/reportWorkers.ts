/** Rows of measurement 9 (queue-mode workers sharing one key); no I/O here. */
import type { WorkersResults, WorkersRun } from './realQueue';
import { failedRow, num, type Row } from './report';

const s = (ms: number) => `${num(ms / 1000, 1)} s`;

export function workersRows(w: WorkersResults | null, error?: string): Row[] {
	const failed = (measurement: string, why: string): Row => failedRow('9', measurement, why);
	if (error || w?.error) return [failed('Workers: queue mode', error ?? w!.error!)];
	if (!w) return [];
	const { serverLimit: k, load } = w;
	const chatItems = load.chatExecs * load.chatItems;
	const images = load.imageExecs * load.imageItems;
	return w.rows.map((row) => {
		const measurement = `Workers: ${row.workers} n8n worker${row.workers > 1 ? 's' : ''} (queue mode), one key, K = ${k}`;
		if (row.error || !row.runs?.length) return failed(measurement, row.error ?? 'no run');
		const runs = row.runs;
		// One answer time for the row: the median of its runs' median chat requests.
		const answerMs = median(runs.map((r) => r.medianChatMs));
		const ideal = (chatItems / k) * answerMs;
		const counts = (r: WorkersRun) =>
			`failed ${r.chat.failed + r.images.failed}, lost ${r.chat.lost + r.images.lost}`;
		const byLabel = (r: WorkersRun) => (r.label === 'first' ? 'first run' : 'learned');
		return {
			id: '9',
			measurement,
			case: `${load.chatExecs} executions × ${load.chatItems} chat items + ${load.imageExecs} × ${load.imageItems} image jobs, started together; ≤ ${row.concurrency} executions per worker`,
			ours: runs.map((r) => `${byLabel(r)}: ${counts(r)}, ${s(r.ms)}`).join('; '),
			baseline: `ideal ${s(ideal)} (${chatItems}/${k} × ${num(answerMs, 0)} ms answer)`,
			comparison: runs
				.map((r) => `${byLabel(r)} ${num(r.ms / ideal)}× ideal`)
				.concat('goal ≤ 1.5×')
				.join(', '),
			notes: runs
				.map(
					(r) =>
						`${byLabel(r)}: ${r.rejected} 429s (${r.rejectedChat} chat) of ${r.requests} requests, in flight at the server ${num(r.inFlightAvg, 1)} of ${k}, chat executions per worker [${r.chatExecsPerWorker.join(', ')}], images ${r.images.completed}/${images}${r.httpErrors.length ? `, webhook errors ${r.httpErrors.join(' ')}` : ''}`,
				)
				.join('; '),
		};
	});
}

function median(values: number[]): number {
	const v = values.filter(Number.isFinite).sort((a, b) => a - b);
	if (v.length === 0) return Number.NaN;
	const mid = Math.floor(v.length / 2);
	return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
