/** Rows of measurement 8 (scale in a real n8n); no I/O here. */
import type { RealN8nResults } from './realN8n';
import { failedRow, num, type Row } from './report';

const MEASUREMENT =
	'Real n8n at scale: one `n8n execute`, chat items + image jobs (download, filesystem)';

type Scale = Exclude<RealN8nResults['scale'], { error: string } | null>;

const mib = (kb: number) => kb / 1024;
const s = (ms: number) => `${num(ms / 1000, 1)} s`;

export function scaleRows(
	scale: RealN8nResults['scale'],
	error?: string,
	legacy: RealN8nResults['scale'] = null,
): Row[] {
	if (error || (scale && 'error' in scale)) {
		const why = error ?? (scale as { error: string }).error;
		return [failedRow('8', MEASUREMENT, why)];
	}
	if (!scale) return [];
	return [...sizeRows(scale), ...slopeRows(scale), ...engineRows(scale, legacy)];
}

/** The same chat items with the legacy expression engine: what the isolate costs per item. */
function engineRows(scale: Scale, legacy: RealN8nResults['scale']): Row[] {
	if (!legacy || 'error' in legacy) return [];
	const [run] = legacy.runs;
	const vm = scale.runs.find((r) => r.chat === run?.chat);
	const [httpLegacy] = legacy.http;
	const httpVm = scale.http.find((h) => h.chat === run?.chat);
	if (!run || !vm || !httpLegacy || !httpVm) return [];
	const perItem = (ms: number) => `${num(ms / run.chat, 2)} ms/item`;
	return [
		{
			id: '8',
			measurement: 'Real n8n at scale: the expression engine (isolate, the default, vs legacy)',
			case: `${run.chat} chat items, before the first chat request`,
			ours: `${s(vm.startupMs)} (isolate) vs ${s(run.startupMs)} (legacy)`,
			baseline: `HTTP Request: ${s(httpVm.startupMs)} vs ${s(httpLegacy.startupMs)}`,
			comparison: `the isolate costs the Chat node ${perItem(vm.startupMs - run.startupMs)}, HTTP Request ${perItem(httpVm.startupMs - httpLegacy.startupMs)}`,
			notes:
				'N8N_EXPRESSION_ENGINE=legacy; RoutingNode evaluates the prompt expression 4 times per item, the preSend step once, HTTP Request once',
		},
	];
}

function sizeRows(scale: Scale): Row[] {
	const { latencyMs, jobDelayMs } = scale.emulator;
	return scale.runs.map((run) => {
		const http = scale.http.find((h) => h.chat === run.chat);
		// What the server needs if n8n sent everything at once: one chat round, one job, one download.
		const idealMs = latencyMs + jobDelayMs + latencyMs;
		const work = run.chatWindowMs + run.imageWindowMs;
		return {
			id: '8',
			measurement: MEASUREMENT,
			case: `${run.chat} chat + ${run.images} images (${scale.imageSide}², ${num((scale.imageBytes ?? 0) / 1e6, 2)} MB each), all succeeded`,
			ours: `${s(run.ms)} wall; peak RSS ${num(mib(run.hwmKb), 0)} MiB (chat part ${num(mib(run.peakChatKb), 0)}, images ${num(mib(run.peakImageKb), 0)})`,
			baseline: http
				? `HTTP Request, the chat items alone: ${s(http.ms)} wall, chat requests over ${s(http.chatWindowMs)} (${num(http.chatWindowMs / http.chat, 2)} ms/item), peak RSS ${num(mib(http.hwmKb), 0)} MiB`
				: '—',
			comparison: `chat requests over ${s(run.chatWindowMs)} (${num(run.chatWindowMs / run.chat, 2)} ms/item); images over ${s(run.imageWindowMs)}; ${num(work / idealMs, 1)}× the server's ideal ${s(idealMs)}`,
			notes: `before the first chat request (n8n start-up, Set and Split Out, RoutingNode preparing every item): ${s(run.startupMs)}${http ? ` (HTTP Request: ${s(http.startupMs)})` : ''}; ${num(run.pollsPerJob, 1)} status checks per job; stdout ${num(run.stdoutBytes / 1e6, 1)} MB; task runner ≤ ${num(mib(run.childrenPeakKb), 0)} MiB`,
		};
	});
}

/** Memory per item: the slope between the two sizes, ours against n8n's HTTP Request node. */
function slopeRows(scale: Scale): Row[] {
	if (scale.runs.length < 2) return [];
	const [small, big] = [scale.runs[0], scale.runs[scale.runs.length - 1]];
	const chatItems = big.chat - small.chat;
	const chatSlope = (big.peakChatKb - small.peakChatKb) / chatItems;
	// The image part's growth over the chat part's peak, at each size: flat when it does not grow
	// with the number of jobs (the files go to disk; the peak follows the GC, so no slope).
	const imageGrowth = (run: typeof small) => mib(run.peakImageKb - run.peakChatKb);
	const [hs, hb] = [
		scale.http.find((h) => h.chat === small.chat),
		scale.http.find((h) => h.chat === big.chat),
	];
	const httpSlope = hs && hb ? (hb.hwmKb - hs.hwmKb) / (hb.chat - hs.chat) : Number.NaN;
	return [
		{
			id: '8',
			measurement: 'Real n8n at scale: memory per item (slope between the two sizes)',
			case: `${small.chat} → ${big.chat} chat items, ${small.images} → ${big.images} images`,
			ours: `chat: ${num(chatSlope, 0)} kB/item; the image part adds ${num(imageGrowth(small), 0)} MiB to the peak with ${small.images} jobs, ${num(imageGrowth(big), 0)} MiB with ${big.images}`,
			baseline: `HTTP Request, chat items: ${num(httpSlope, 0)} kB/item`,
			comparison: `chat ${num(chatSlope / httpSlope, 2)}× n8n's own node`,
			notes:
				'peak RSS (VmRSS sampled every 20 ms); the run data of every item stays in memory until the execution ends, in any node',
		},
	];
}
