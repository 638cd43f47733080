/** Rows of the Spike and Waves measurements (chat conversations arriving together); no I/O here. */
import type { SpikeResults, SpikeVariant, SpikeWave } from './realSpike';
import { failedRow, num, stats, type Row } from './report';

const ID = 'spike';

const s = (ms: number) => `${num(ms / 1000, 2)} s`;
const mib = (kb: number) => `${num(kb / 1024, 0)} MiB`;

/** Nearest-rank percentile (p in 0..1) of the finite values. */
function pct(values: Array<number | null>, p: number): number {
	const v = values
		.filter((x): x is number => x !== null && Number.isFinite(x))
		.sort((a, b) => a - b);
	if (v.length === 0) return Number.NaN;
	return v[Math.min(v.length - 1, Math.max(0, Math.ceil(p * v.length) - 1))];
}

const triple = (values: Array<number | null>) =>
	`p50 ${s(pct(values, 0.5))}, p95 ${s(pct(values, 0.95))}, max ${s(pct(values, 1))}`;

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** 200 / K × the emulator's mean time per answered request: the wave if K were always full. */
function idealMs(r: SpikeResults, w: SpikeWave): number {
	return (r.conversations / r.serverLimit) * mean(w.serverMs);
}

/** Requests in flight at the server, averaged over the wave: its busy time / the wave's time. */
function inFlight(w: SpikeWave): number {
	return w.serverMs.reduce((a, b) => a + b, 0) / w.wallMs;
}

const failed = (measurement: string, why: string): Row => failedRow(ID, measurement, why);

function spikeRow(r: SpikeResults, v: SpikeVariant): Row {
	const callers = v.waves.flatMap((w) => w.callers);
	const total = (k: keyof SpikeWave) => v.waves.reduce((n, w) => n + (w[k] as number), 0);
	const ratios = v.waves.map((w) => `${num(w.wallMs / idealMs(r, w))}×`).join(', ');
	const perConversation = callers.map((c) => c.requests);
	return {
		id: ID,
		measurement: `Spike: ${r.conversations} chat conversations within ${num(r.windowMs / 1000, 0)} s, real n8n, server limit K = ${r.serverLimit}`,
		case: `${v.label}; ${v.waves.length} waves`,
		ours:
			`lost ${total('lost')} / failed ${total('failed')} of ${callers.length} ` +
			`(cut ${total('cut')}, text differs ${total('differs')}); first token ${triple(callers.map((c) => c.firstTokenMs))}; ` +
			`whole answer ${triple(callers.map((c) => c.wholeMs))}`,
		baseline:
			`emulator alone per answer: first token ${triple(v.waves.flatMap((w) => w.serverFirstMs))}, ` +
			`whole ${triple(v.waves.flatMap((w) => w.serverMs))}; ideal wave ${v.waves.map((w) => s(idealMs(r, w))).join(', ')}`,
		comparison: `wave ${v.waves.map((w) => s(w.wallMs)).join(', ')} = ${ratios} ideal`,
		notes:
			`429s sent ${v.waves.map((w) => w.refused).join(', ')} per wave; requests per conversation ` +
			`median ${num(stats(perConversation).median, 0)}, max ${num(stats(perConversation).max, 0)}; ` +
			`the server had ${v.waves.map((w) => num(inFlight(w), 1)).join(', ')} of K in flight on average; ` +
			`starts spread over ${num(stats(v.waves.map((w) => w.startSpreadMs)).max, 0)} ms`,
	};
}

function wavesRow(r: SpikeResults, v: SpikeVariant): Row {
	const first = v.waves[0];
	const last = v.waves[v.waves.length - 1];
	const growth = ((last.rssKb - first.rssKb) / first.rssKb) * 100;
	const lost = v.waves.reduce((n, w) => n + w.lost, 0);
	const failed = v.waves.reduce((n, w) => n + w.failed + w.cut + w.differs, 0);
	return {
		id: ID,
		measurement: `Waves: ${v.waves.length} spikes of ${r.conversations} conversations on one n8n, RSS of its process tree`,
		case: v.label,
		ours: `RSS growth ${num(growth, 1)} % (wave ${last.wave} vs wave ${first.wave}); after each wave ${v.waves.map((w) => mib(w.rssKb)).join(', ')}`,
		baseline: r.idleKb ? `idle before the first wave ${mib(r.idleKb)}` : '—',
		comparison: `goal at most +10 %: ${growth <= 10 ? 'met' : 'not met'}`,
		notes: `lost ${lost} / failed ${failed}; peak during the waves ${v.waves.map((w) => mib(w.peakKb)).join(', ')}; read ${num(r.settleMs / 1000, 0)} s after each wave`,
	};
}

export function spikeRows(r: SpikeResults | null | undefined, error?: string): Row[] {
	if (error || r?.error) {
		const why = error ?? r!.error!;
		return [failed('Spike', why), failed('Waves', why)];
	}
	if (!r) return [];
	const rows: Row[] = [];
	for (const v of r.variants) {
		if (v.error || v.waves.length === 0) {
			rows.push(failed(`Spike: ${v.label}`, v.error ?? 'no wave ran'));
			continue;
		}
		rows.push(spikeRow(r, v));
	}
	for (const v of r.variants) if (!v.error && v.waves.length > 0) rows.push(wavesRow(r, v));
	return rows;
}
