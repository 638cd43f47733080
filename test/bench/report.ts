/** Turns the raw figures into the markdown table and the SVG chart (no I/O here). */
import type { MachineInfo } from './util';
import type { RealN8nResults } from './realN8n';
import type { WorkersResults } from './realQueue';
import { scaleRows } from './reportScale';
import type { SpikeResults } from './realSpike';
import { spikeRows } from './reportSpike';
import { workersRows } from './reportWorkers';

/** One image job of measurement 3: notice delay, status checks, and its own duration. */
export interface ImageJobResult {
	delayMs: number;
	polls: number;
	durationMs?: number;
}

export interface BenchResults {
	machine: MachineInfo;
	chat: Array<{
		n: number;
		engine: Array<{ ms: number; spread: number }>;
		/** The same engine and node with the shared limit stubbed out. */
		noLimit: Array<{ ms: number; spread: number }>;
		raw: Array<{ ms: number; spread: number }>;
		/** The smallest declarative node sending the same request: what RoutingNode costs. */
		floor?: Array<{ ms: number; spread: number }>;
		/** n8n's HTTP Request node sending the same request (absent when it could not load). */
		httpNode?: Array<{ ms: number; spread: number }>;
		/** Expressions n8n evaluated per item, per variant. */
		expressionsPerItem?: Record<string, number>;
	}>;
	rate: Array<{
		k: number;
		/** Where the emulator ran: in a process of its own, or in the engine's. */
		server?: RateServerPlace;
		/** The first run on a credential: nothing learned yet. */
		cold: RateRun;
		/** The runs after it. */
		runs: RateRun[];
		/** The same items against the same server without a limit (another credential). */
		unlimited?: RateRun[];
		/** The shared limit and the level it avoids, after the last run. */
		learnedLimit?: number;
		ceiling?: number;
	}>;
	image: Array<{
		/** The median job time; each job's own time (durationMs) varies around it. */
		jobDelayMs: number;
		/** First jobs of their kind (no history), all at once. */
		node: ImageJobResult[];
		/** Jobs of the same kind in later runs. */
		later: ImageJobResult[];
		fixed: ImageJobResult[];
		/** The previous schedule (0.5 s ×1.5 up to 4 s), with undici. */
		backoff: ImageJobResult[];
		nodeOutputAfterLastReadyMs: number;
		fixedClientPolls: number[];
	}>;
	parser: Array<{
		kind: 'tokens' | 'one long line';
		bytes: number;
		ours: number[];
		floor: number[];
	}>;
	maxWait: Array<{
		label: string;
		maxWaitMs: number;
		runs: Array<{ giveUpMs: number; status: string; namesJob: boolean; message: string }>;
	}>;
	real: RealN8nResults | null;
	/** Measurement 8, run on its own after the others. */
	scale?: RealN8nResults['scale'];
	/** The chat items of measurement 8 again, with N8N_EXPRESSION_ENGINE=legacy. */
	scaleLegacy?: RealN8nResults['scale'];
	/** Spike and Waves: chat conversations arriving together at a real n8n server. */
	spike?: SpikeResults | null;
	/** Measurement 9: queue-mode workers sharing one key. */
	workers?: WorkersResults | null;
	errors: Record<string, string>;
	totalMs?: number;
}

/** Where measurement 4's server runs. */
export type RateServerPlace = 'own process' | 'engine process';

export interface RateRun {
	ms: number;
	completed: number;
	failed: number;
	requests: number;
	rejected: number;
	medianRequestMs: number;
	/** From the run's start to the first request reaching the server (the engine preparing items). */
	firstRequestMs?: number;
	/** Requests in flight at the server on average, first request start to last end. */
	inFlightAvg?: number;
	/** A slot of the shared limit, grant to release (median), and slots held on average. */
	slotHoldMs?: number;
	slotsHeldAvg?: number;
}

export interface Row {
	id: string;
	measurement: string;
	case: string;
	ours: string;
	baseline: string;
	comparison: string;
	notes: string;
}

export interface Stats {
	n: number;
	median: number;
	min: number;
	max: number;
	p10: number;
	p90: number;
}

export function stats(values: number[]): Stats {
	const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
	if (s.length === 0) return { n: 0, median: NaN, min: NaN, max: NaN, p10: NaN, p90: NaN };
	const q = (p: number) => {
		const pos = (s.length - 1) * p;
		const lo = Math.floor(pos);
		const hi = Math.ceil(pos);
		return s[lo] + (s[hi] - s[lo]) * (pos - lo);
	};
	return { n: s.length, median: q(0.5), min: s[0], max: s[s.length - 1], p10: q(0.1), p90: q(0.9) };
}

export function num(v: number, digits?: number): string {
	if (!Number.isFinite(v)) return 'n/a';
	const d = digits ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
	return v.toFixed(d);
}

/** "median (min–max) unit" */
function spread(values: number[], unit = '', digits?: number): string {
	const s = stats(values);
	return `${num(s.median, digits)}${unit} (${num(s.min, digits)}–${num(s.max, digits)})`;
}

const MB = 1e6;
/** The emulator's Retry-After in measurement 4. */
const RETRY_AFTER_MS = 1_000;

interface Settings {
	latencyMs: number;
	fixedPollMs: number;
	rateItems: number;
	chunkBytes: number;
}

/** Measurement 4's case: where the server ran (older results do not say). */
function serverIn(place?: RateServerPlace): string {
	if (place === 'own process') return '; server in its own process';
	if (place === 'engine process') return "; server in the engine's process";
	return '';
}

/** The row of a measurement that could not run: its first line of the reason. */
export function failedRow(id: string, measurement: string, why: string): Row {
	return {
		id,
		measurement,
		case: '—',
		ours: 'FAILED',
		baseline: '—',
		comparison: '—',
		notes: why.split('\n')[0],
	};
}

export function buildReport(
	r: BenchResults,
	settings: Settings,
): { rows: Row[]; markdown: string; svg: string } {
	const rows: Row[] = [];
	const failed = (id: string, measurement: string, why: string) =>
		rows.push(failedRow(id, measurement, why));

	// 1
	if (r.errors['1'])
		failed('1', 'Chat overhead per item (n8n-core engine vs undici)', r.errors['1']);
	for (const c of r.chat) {
		const engine = c.engine.map((x) => x.ms);
		const raw = c.raw.map((x) => x.ms);
		const perItem = c.engine.map((e, i) => (e.ms - c.raw[i].ms) / c.n);
		const ratio = stats(engine).median / stats(raw).median;
		const pi = stats(perItem);
		rows.push({
			id: '1',
			measurement: 'Chat overhead per item (n8n-core engine vs undici)',
			case: `N = ${c.n}, all at once, ${settings.latencyMs} ms latency`,
			ours: spread(engine, ' ms'),
			baseline: spread(raw, ' ms'),
			comparison: `+${num(pi.median)} ms/item (p10–p90 ${num(pi.p10)}–${num(pi.p90)}), ratio ${num(ratio)}×`,
			notes: `request starts spread over ${num(stats(c.engine.map((x) => x.spread)).median)} ms (raw ${num(stats(c.raw.map((x) => x.spread)).median)} ms); ${c.engine.length} reps`,
		});
		const perItemOver = (a: number[], b: number[]) => stats(a.map((x, i) => (x - b[i]) / c.n));
		const evals = c.expressionsPerItem ?? {};
		const evalNote = (name: string) =>
			evals[name] === undefined ? '' : `; ${num(evals[name], 0)} expressions evaluated per item`;
		if (c.floor?.length) {
			const floor = c.floor.map((x) => x.ms);
			const overRaw = perItemOver(floor, raw);
			const oursOver = perItemOver(engine, floor);
			rows.push({
				id: '1',
				measurement:
					'Declarative floor: the smallest declarative node, same request (n8n RoutingNode)',
				case: `N = ${c.n}`,
				ours: `Chat node ${spread(engine, ' ms')}`,
				baseline: `floor ${spread(floor, ' ms')}; undici ${spread(raw, ' ms')}`,
				comparison: `floor +${num(overRaw.median)} ms/item over undici; Chat node +${num(oursOver.median)} ms/item over the floor (p10–p90 ${num(oursOver.p10)}–${num(oursOver.p90)})`,
				notes: `the floor has no preSend/postReceive step: its cost is n8n's${evalNote('floor')} (Chat node${evalNote('engine').replace(/^; /, ': ')})`,
			});
		}
		if (c.httpNode?.length) {
			const http = c.httpNode.map((x) => x.ms);
			const overRaw = perItemOver(http, raw);
			rows.push({
				id: '1',
				measurement: "Chat node vs n8n's HTTP Request node (same engine, same requests)",
				case: `N = ${c.n}`,
				ours: spread(engine, ' ms'),
				baseline: `HTTP Request 4.2 ${spread(http, ' ms')} (+${num(overRaw.median)} ms/item over undici)`,
				comparison: `${num(stats(engine).median / stats(http).median)}× (goal ≤ 1.1×, or ≤ 1 ms/item over undici: ours +${num(pi.median)})`,
				notes: `HTTP Request returns the SSE text unparsed, no validation, no output shaping${evalNote('httpNode')}`,
			});
		}
		if (c.noLimit?.length) {
			const stub = c.noLimit.map((x) => x.ms);
			const ratioStub = stats(engine).median / stats(stub).median;
			rows.push({
				id: '1',
				measurement: 'Shared rate limit, no 429 seen (K = ∞): its cost',
				case: `N = ${c.n}`,
				ours: spread(engine, ' ms'),
				baseline: `limit stubbed out: ${spread(stub, ' ms')}`,
				comparison: `${num(ratioStub)}× (goal ≤ 1.05×)`,
				notes: `paired difference ${num(stats(c.engine.map((e, i) => (e.ms - c.noLimit[i].ms) / c.n)).median, 3)} ms/item`,
			});
		}
	}

	// 2
	const real = r.real;
	const realChat = real?.chat;
	if (r.errors['2+6']) failed('2', 'Real n8n: Chat node vs HTTP Request + Code', r.errors['2+6']);
	else if (realChat && 'error' in realChat)
		failed('2', 'Real n8n: Chat node vs HTTP Request + Code', realChat.error);
	else if (realChat && 'runs' in realChat) {
		const ours = realChat.runs.ours.map((x) => x.ms);
		const http = realChat.runs.http.map((x) => x.ms);
		rows.push({
			id: '2',
			measurement: 'Real n8n 2.41.1 `n8n execute`: Chat node vs HTTP Request + Code',
			case: `${realChat.items} items, whole \`n8n execute\` wall time`,
			ours: spread(ours, ' ms'),
			baseline: spread(http, ' ms'),
			comparison: `ratio ${num(stats(ours).median / stats(http).median)}×`,
			notes: `API window (first request start → last end): ours ${spread(
				realChat.runs.ours.map((x) => x.window ?? NaN),
				' ms',
			)}, HTTP ${spread(
				realChat.runs.http.map((x) => x.window ?? NaN),
				' ms',
			)}; ${ours.length} reps each, alternating`,
		});
	}

	// 3
	if (r.errors['3']) failed('3', 'Image completion delay', r.errors['3']);
	for (const im of r.image) {
		const later = im.later ?? [];
		const perSecond = (jobs: ImageJobResult[]) =>
			jobs.map((j) => j.polls / ((j.durationMs ?? im.jobDelayMs) / 1000));
		const delays = later.map((j) => j.delayMs).sort((a, b) => a - b);
		const p90 = delays[Math.floor(0.9 * (delays.length - 1))] ?? Number.NaN;
		const fmt = (jobs: ImageJobResult[]) =>
			`${spread(
				jobs.map((j) => j.delayMs),
				' ms',
				0,
			)}, ${spread(
				jobs.map((j) => j.polls),
				' polls',
				0,
			)}`;
		rows.push({
			id: '3',
			measurement: 'Image: job ready → node notices; polls per job',
			case: `jobs of ${im.jobDelayMs / 1000} s (median; ${spread(
				later.map((j) => (j.durationMs ?? im.jobDelayMs) / 1000),
				' s',
				1,
			)}): later jobs (${later.length}) / first job (${im.node.length})`,
			ours: `later: ${fmt(later)}; first: ${fmt(im.node)}`,
			baseline: `fixed ${settings.fixedPollMs / 1000} s: ${fmt(im.fixed)}; previous schedule: ${fmt(im.backoff ?? [])}`,
			comparison: `later: median ${num(stats(later.map((j) => j.delayMs)).median, 0)} ms (goal ≤ 300), 90th percentile ${num(p90, 0)} ms, ${num(stats(perSecond(later)).median, 2)} polls/s (goal ≤ 1)`,
			notes: `first run's output ${num(im.nodeOutputAfterLastReadyMs, 0)} ms after its last job was ready`,
		});
	}

	// 4
	if (r.errors['4']) failed('4', 'Throughput under a rate limit', r.errors['4']);
	for (const k of r.rate) {
		const reqMs = stats(k.runs.map((x) => x.medianRequestMs)).median;
		const ideal = (settings.rateItems / k.k) * reqMs;
		const total = k.runs.map((x) => x.ms);
		const counts = (runs: RateRun[]) =>
			`completed ${spread(
				runs.map((x) => x.completed),
				'',
				0,
			)}, failed ${spread(
				runs.map((x) => x.failed),
				'',
				0,
			)}`;
		const free = (k.unlimited ?? []).map((x) => x.ms);
		const floor = Math.max(ideal, stats(free).median);
		// The engine prepares every item before the first request leaves (n8n's RoutingNode loop):
		// no limit can start earlier, so that time adds to the server's share.
		const firstRequest = stats(k.runs.map((x) => x.firstRequestMs ?? Number.NaN)).median;
		const engineIdeal = firstRequest + ideal;
		const inFlight = stats(k.runs.map((x) => x.inFlightAvg ?? Number.NaN)).median;
		const held = stats(k.runs.map((x) => x.slotsHeldAvg ?? Number.NaN)).median;
		const holdMs = stats(k.runs.map((x) => x.slotHoldMs ?? Number.NaN)).median;
		rows.push({
			id: '4',
			measurement: `Throughput: ${settings.rateItems} chat items, 429 + Retry-After 1 beyond K`,
			case: `K = ${k.k}, limit learned (runs after the first)${serverIn(k.server)}`,
			ours: `${counts(k.runs)}; ${spread(total, ' ms', 0)}`,
			baseline: `ideal ${num(ideal, 0)} ms (${settings.rateItems}/${k.k} × ${num(reqMs, 1)} ms); same items, no limit on the server: ${spread(free, ' ms', 0)}`,
			comparison: `${num(stats(total).median / floor)}× max(ideal, no-limit run) (goal ≤ 1.25×); ${num(stats(total).median / ideal)}× ideal; ${num(stats(total).median / engineIdeal)}× (first request at ${num(firstRequest, 0)} ms + ideal)`,
			notes: `${spread(
				k.runs.map((x) => x.rejected),
				'',
				0,
			)} 429s of ${spread(
				k.runs.map((x) => x.requests),
				'',
				0,
			)} requests; ${k.runs.length} reps; learned limit ${k.learnedLimit ?? '?'} (avoids ${k.ceiling ?? '?'}); in flight at the server on average ${num(inFlight, 1)} of ${k.k}, slots held ${num(held, 1)}; a slot is held ${num(holdMs, 1)} ms for a ${num(reqMs, 1)} ms request`,
		});
		if (k.cold) {
			const floor = ideal + RETRY_AFTER_MS;
			rows.push({
				id: '4',
				measurement: `Throughput: ${settings.rateItems} chat items, 429 + Retry-After 1 beyond K`,
				case: `K = ${k.k}, first run (nothing learned)${serverIn(k.server)}`,
				ours: `${counts([k.cold])}; ${num(k.cold.ms, 0)} ms`,
				baseline: `ideal ${num(ideal, 0)} ms; ideal + one Retry-After: ${num(floor, 0)} ms`,
				comparison: `${num(k.cold.ms / ideal)}× ideal, ${num(k.cold.ms / floor)}× ideal + Retry-After`,
				notes: `${k.cold.rejected} 429s of ${k.cold.requests} requests: the first burst goes out at once (no limit yet), and everyone waits out its Retry-After`,
			});
		}
	}

	// 7
	if (r.errors['7']) failed('7', 'Max Wait give-up', r.errors['7']);
	for (const w of r.maxWait ?? []) {
		const over = w.runs.map((x) => x.giveUpMs - w.maxWaitMs);
		rows.push({
			id: '7',
			measurement: `Generate, Max Wait ${w.maxWaitMs / 1000} s, job never finishes`,
			case: `job endpoint: ${w.label}`,
			ours: `gave up ${spread(
				w.runs.map((x) => x.giveUpMs),
				' ms',
				0,
			)} after the submit`,
			baseline: `Max Wait ${w.maxWaitMs} ms`,
			comparison: `${num(stats(over).median, 0)} ms over (max ${num(stats(over).max, 0)}; goal < 1000)`,
			notes: `${w.runs.filter((x) => x.namesJob).length}/${w.runs.length} errors name the job ID and signature; ${w.runs[0]?.message.slice(0, 90) ?? ''}`,
		});
	}

	// 5
	if (r.errors['5']) failed('5', 'Stream parser', r.errors['5']);
	for (const p of r.parser) {
		const ours = p.ours.map((ms) => p.bytes / MB / (ms / 1000));
		const floor = p.floor.map((ms) => p.bytes / MB / (ms / 1000));
		rows.push({
			id: '5',
			measurement: `ChatStreamParser, ${settings.chunkBytes / 1024} KB chunks`,
			case: `${p.kind}, ${num(p.bytes / MB, 2)} MB`,
			ours: spread(ours, ' MB/s', 0),
			baseline: `split+JSON.parse whole body: ${spread(floor, ' MB/s', 0)}`,
			comparison: `${num(stats(ours).median / stats(floor).median)}× floor`,
			notes: `${num(stats(p.ours).median / (p.bytes / MB), 2)} ms per MB; ${p.ours.length} reps`,
		});
	}

	// 6
	if (!r.errors['2+6']) {
		const mem = real?.memory;
		if (mem && 'error' in mem) failed('6', 'Real n8n: peak RSS', mem.error);
		else if (mem && 'rows' in mem) {
			const base = mem.rows[0];
			const baseRss = base ? stats(base.runs.map((x) => x.hwmKb / 1024)).median : NaN;
			for (const row of mem.rows) {
				const rss = row.runs.map((x) => x.hwmKb / 1024);
				rows.push({
					id: '6',
					measurement: `Real n8n: peak RSS of \`n8n execute\`, ${mem.images} images 1344×1344`,
					case: row.label,
					ours: spread(rss, ' MiB', 0),
					baseline: row === base ? '—' : `URL only: ${num(baseRss, 0)} MiB`,
					comparison: row === base ? '—' : `+${num(stats(rss).median - baseRss, 0)} MiB`,
					notes: `${spread(
						row.runs.map((x) => x.ms / 1000),
						' s',
						1,
					)} wall; ${row.runs[0]?.downloads ?? 0} downloads of ${mem.imageBytes ?? '?'} B PNGs; stdout ${num(stats(row.runs.map((x) => x.stdoutBytes / MB)).median, 1)} MB; task-runner RSS ≤ ${num(Math.max(...row.runs.map((x) => x.childrenPeakKb / 1024)), 0)} MiB`,
				});
			}
		}
	}

	// 8
	rows.push(...scaleRows(r.scale ?? null, r.errors['8'], r.scaleLegacy ?? null));
	rows.push(...spikeRows(r.spike, r.errors.spike));

	// 9
	rows.push(...workersRows(r.workers ?? null, r.errors['9']));

	const m = r.machine;
	const esc = (s: string) => s.replace(/\|/g, '\\|');
	const lines = [
		'# MiniToolAI nodes: benchmark results',
		'',
		`Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node}, ${m.platform}; load average at start ${m.loadAvg.join(' / ')}; ${m.date}.`,
		`Emulator: chat latency ${settings.latencyMs} ms per request (latencyMs), tokenDelayMs 0; figures are median (min–max).${r.totalMs ? ` Bench wall time ${num(r.totalMs / 1000, 0)} s.` : ''}`,
		'',
		'| # | Measurement | Case | Ours | Baseline | Comparison | Notes |',
		'| - | ----------- | ---- | ---- | -------- | ---------- | ----- |',
		...rows.map(
			(x) =>
				`| ${x.id} | ${esc(x.measurement)} | ${esc(x.case)} | ${esc(x.ours)} | ${esc(x.baseline)} | ${esc(x.comparison)} | ${esc(x.notes)} |`,
		),
		'',
	];
	const errorIds = Object.keys(r.errors);
	if (errorIds.length) {
		lines.push('Errors:', '');
		for (const id of errorIds)
			lines.push(`- ${id}: ${r.errors[id].split('\n').slice(0, 3).join(' ')}`);
		lines.push('');
	}
	return { rows, markdown: lines.join('\n'), svg: chart(r, settings) };
}

// ---------------------------------------------------------------- chart
function xmlEscape(s: string): string {
	return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Series {
	label: string;
	color: string;
	points: Array<{ x: number; y: number; lo?: number; hi?: number }>;
	dashed?: boolean;
}

/** One panel: log-x or linear-x, linear-y line chart with min–max whiskers. */
function panel(
	ox: number,
	oy: number,
	w: number,
	h: number,
	title: string,
	xLabel: string,
	yLabel: string,
	series: Series[],
	logX: boolean,
): string {
	const all = series.flatMap((s) => s.points);
	if (all.length === 0)
		return `<text x="${ox + 20}" y="${oy + 40}">${xmlEscape(title)}: no data</text>`;
	const xs = [...new Set(all.map((p) => p.x))].sort((a, b) => a - b);
	const fx = (x: number) => (logX ? Math.log10(x) : x);
	const x0 = fx(xs[0]);
	const x1 = fx(xs[xs.length - 1]);
	const yMax = Math.max(...all.map((p) => p.hi ?? p.y)) * 1.1;
	const left = ox + 60;
	const right = ox + w - 10;
	const top = oy + 40;
	const bottom = oy + h - 50;
	const px = (x: number) =>
		x1 === x0 ? (left + right) / 2 : left + ((fx(x) - x0) / (x1 - x0)) * (right - left);
	const py = (y: number) => bottom - (y / yMax) * (bottom - top);
	const out: string[] = [];
	out.push(
		`<text x="${ox + w / 2}" y="${oy + 20}" text-anchor="middle" font-weight="bold">${xmlEscape(title)}</text>`,
	);
	out.push(`<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#333"/>`);
	out.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#333"/>`);
	for (let i = 0; i <= 4; i++) {
		const y = (yMax / 4) * i;
		out.push(`<line x1="${left}" y1="${py(y)}" x2="${right}" y2="${py(y)}" stroke="#ddd"/>`);
		out.push(
			`<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end" font-size="11">${num(y, 0)}</text>`,
		);
	}
	for (const x of xs) {
		out.push(
			`<text x="${px(x)}" y="${bottom + 16}" text-anchor="middle" font-size="11">${x}</text>`,
		);
	}
	out.push(
		`<text x="${(left + right) / 2}" y="${bottom + 34}" text-anchor="middle" font-size="12">${xmlEscape(xLabel)}</text>`,
	);
	out.push(
		`<text x="${ox + 14}" y="${(top + bottom) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${ox + 14} ${(top + bottom) / 2})">${xmlEscape(yLabel)}</text>`,
	);
	series.forEach((s, idx) => {
		const pts = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
		out.push(
			`<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="6 4" ' : ''}points="${pts}"/>`,
		);
		for (const p of s.points) {
			out.push(
				`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3.5" fill="${s.color}"/>`,
			);
			if (p.lo !== undefined && p.hi !== undefined) {
				out.push(
					`<line x1="${px(p.x).toFixed(1)}" y1="${py(p.lo).toFixed(1)}" x2="${px(p.x).toFixed(1)}" y2="${py(p.hi).toFixed(1)}" stroke="${s.color}"/>`,
				);
			}
		}
		const ly = top + 4 + idx * 16;
		out.push(
			`<line x1="${left + 10}" y1="${ly}" x2="${left + 30}" y2="${ly}" stroke="${s.color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="6 4"' : ''}/>`,
		);
		out.push(`<text x="${left + 36}" y="${ly + 4}" font-size="11">${xmlEscape(s.label)}</text>`);
	});
	return out.join('\n');
}

function chart(r: BenchResults, settings: Settings): string {
	const W = 1000;
	const H = 380;
	const point = (x: number, values: number[]) => {
		const s = stats(values);
		return { x, y: s.median, lo: s.min, hi: s.max };
	};
	const chatPanel = panel(
		0,
		0,
		W / 2,
		H,
		`1. Chat: N items at once (${settings.latencyMs} ms latency)`,
		'items N (log scale)',
		'run time, ms (median, min–max)',
		[
			{
				label: 'Chat node in n8n-core engine',
				color: '#d9480f',
				points: r.chat.map((c) =>
					point(
						c.n,
						c.engine.map((x) => x.ms),
					),
				),
			},
			{
				label: 'undici directly (floor)',
				color: '#1c7ed6',
				points: r.chat.map((c) =>
					point(
						c.n,
						c.raw.map((x) => x.ms),
					),
				),
			},
		],
		true,
	);
	// The server in its own process where measured (older results: every row).
	const ownProcess = r.rate.filter((k) => k.server !== 'engine process');
	const ratePanel = panel(
		W / 2,
		0,
		W / 2,
		H,
		`4. ${settings.rateItems} items, at most K concurrent (429 beyond)`,
		'K (allowed concurrent requests)',
		'total time, ms / items completed',
		[
			{
				label: 'Chat node: total time (ms)',
				color: '#d9480f',
				points: ownProcess.map((k) =>
					point(
						k.k,
						k.runs.map((x) => x.ms),
					),
				),
			},
			{
				label: 'ideal 200/K × request time (ms)',
				color: '#1c7ed6',
				dashed: true,
				points: ownProcess.map((k) => ({
					x: k.k,
					y: (settings.rateItems / k.k) * stats(k.runs.map((x) => x.medianRequestMs)).median,
				})),
			},
			{
				label: 'items completed',
				color: '#2b8a3e',
				points: ownProcess.map((k) =>
					point(
						k.k,
						k.runs.map((x) => x.completed),
					),
				),
			},
		],
		false,
	);
	return [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
		`<rect width="${W}" height="${H}" fill="#fff"/>`,
		chatPanel,
		ratePanel,
		'</svg>',
		'',
	].join('\n');
}
