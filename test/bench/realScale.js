'use strict';
/**
 * Measurement 8, scale in a real n8n: one `n8n execute` of a workflow with two branches, N chat
 * items through the Chat node and M image jobs through Text to Image (Generate, Download Image on,
 * binary data in filesystem mode). Run at two sizes, so that memory per item shows as the slope
 * between them; RSS is sampled through the run and split at the end of the chat branch.
 */
const { node, executeWithRss, chatNode, imageNode, httpChatParameters } = require('./n8nRun');

/** Chat latency and image job time of the emulator for this measurement. */
const SCALE_EMULATOR = { latencyMs: 50, tokenDelayMs: 0, jobDelayMs: 2_000, imageNoise: true };
/** Photo-like grain at this size is about 0.7 MB per PNG: real bytes to store, not a flat file. */
const IMAGE_SIDE = 512;

/** Start → Values → Split Out → `last`, named with `prefix`, placed on row `y`. */
function branch(prefix, values, y, last) {
	const at = (x) => ({ position: [x, y] });
	return [
		{
			...node(`${prefix} values`, 'n8n-nodes-base.set', 3.4, 200, {
				mode: 'raw',
				jsonOutput: JSON.stringify({ prompt: values }),
				options: {},
			}),
			...at(200),
		},
		{
			...node(`${prefix} items`, 'n8n-nodes-base.splitOut', 1, 400, {
				fieldToSplitOut: 'prompt',
				options: {},
			}),
			...at(400),
		},
		{ ...last, ...at(600) },
	];
}

/** The chat branch alone through n8n's HTTP Request node (same body, SSE kept as text). */
function httpScaleWorkflow(id, chatItems, baseUrl) {
	const chat = branch(
		'Chat',
		Array.from({ length: chatItems }, (_, i) => `Item ${i + 1}: one line on the sea`),
		0,
		node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, 600, httpChatParameters(baseUrl)),
	);
	const start = node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {});
	const nodes = [start, ...chat];
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return {
		id,
		name: `bench: ${chatItems} chat items through HTTP Request`,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
}

function scaleWorkflow(id, chatItems, images) {
	const chat = branch(
		'Chat',
		Array.from({ length: chatItems }, (_, i) => `Item ${i + 1}: one line on the sea`),
		0,
		chatNode(),
	);
	const image = branch(
		'Image',
		Array.from({ length: images }, (_, i) => `A lighthouse at dusk, variant ${i + 1}`),
		300,
		imageNode({ side: IMAGE_SIDE, downloadImage: true, maxWaitSeconds: 600 }),
	);
	const start = node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {});
	const nodes = [start, ...chat, ...image];
	const link = (from, to) => ({ node: to, type: 'main', index: 0 });
	const connections = {
		Start: { main: [[link('Start', chat[0].name), link('Start', image[0].name)]] },
	};
	for (const line of [chat, image]) {
		for (let i = 0; i + 1 < line.length; i++) {
			connections[line[i].name] = { main: [[link(line[i].name, line[i + 1].name)]] };
		}
	}
	return {
		id,
		name: `bench: ${chatItems} chat items and ${images} images`,
		active: false,
		nodes,
		connections,
		settings: { executionOrder: 'v1' },
	};
}

/** The largest sample in [from, to). */
function peakBetween(samples, from, to) {
	let peak = 0;
	for (const [at, kb] of samples) if (at >= from && at < to && kb > peak) peak = kb;
	return peak;
}

/**
 * One run per size on `emulator` (configured here), through `n8n` (an N8nInstance with the package
 * and its credential), with `env` added to n8n's environment. Throws when any item fails: a scale figure of a failed run means nothing.
 */
async function runScale({ n8n, emulator, sizes, env = {}, log = () => {} }) {
	emulator.configure(SCALE_EMULATOR);
	const workflows = sizes.map(({ chat, images }) =>
		scaleWorkflow(`benchScale${chat}x${images}`.slice(0, 16).padEnd(16, '0'), chat, images),
	);
	const httpWorkflows = sizes.map(({ chat }) =>
		httpScaleWorkflow(`benchScaleHttp${chat}`.slice(0, 16).padEnd(16, '0'), chat, emulator.baseUrl),
	);
	await n8n.importWorkflows([...workflows, ...httpWorkflows]);
	const runs = [];
	for (const [i, size] of sizes.entries()) {
		emulator.reset();
		const res = await executeWithRss(n8n, workflows[i].id, {
			N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem',
			...env,
		});
		const chatRequests = emulator.requests.filter(
			(r) => r.server === 'api' && r.path.startsWith('/api/chat-completions'),
		);
		const chatOk = chatRequests.filter((r) => r.status === 200);
		const downloads = emulator.requests.filter((r) => r.server === 'image' && r.status === 200);
		const jobs = [...emulator.jobs.values()];
		if (res.code !== 0 || chatOk.length !== size.chat || downloads.length !== size.images) {
			throw new Error(
				`scale ${size.chat}/${size.images}: exit ${res.code}, ${chatOk.length} chat answers, ${downloads.length} downloads\n${res.stderr.slice(-1500)}\n${res.tail.slice(-1500)}`,
			);
		}
		const chatStart = Math.min(...chatRequests.map((r) => r.startedAt));
		const chatEnd = Math.max(...chatRequests.map((r) => r.endedAt ?? r.startedAt));
		const imageStart = jobs.length ? Math.min(...jobs.map((j) => j.submittedAt)) : 0;
		const imageEnd = jobs.length ? Math.max(...downloads.map((r) => r.endedAt ?? r.startedAt)) : 0;
		const polls = jobs.reduce((sum, j) => sum + j.polls.length, 0);
		runs.push({
			...size,
			ms: res.ms,
			hwmKb: res.hwmKb,
			childrenPeakKb: res.childrenPeakKb,
			stdoutBytes: res.stdoutBytes,
			/** Before the first chat request: n8n start-up and the workflow's first nodes. */
			startupMs: chatStart - res.startedAt,
			chatWindowMs: chatEnd - chatStart,
			imageWindowMs: imageEnd - imageStart,
			pollsPerJob: jobs.length ? polls / jobs.length : 0,
			peakChatKb: peakBetween(res.rss, res.startedAt, chatEnd),
			peakImageKb: peakBetween(res.rss, chatEnd, Number.POSITIVE_INFINITY),
		});
		log(`8. scale ${size.chat} chat + ${size.images} images done`);
	}
	const [job] = emulator.jobs.keys();
	const imageBytes =
		job === undefined
			? null
			: await fetch(`${emulator.imageBaseUrl}/images/${job}.png`)
					.then(async (r) => (r.ok ? (await r.arrayBuffer()).byteLength : null))
					.catch(() => null);
	// The same chat items through n8n's own HTTP Request node: what n8n costs at this scale.
	const http = [];
	for (const [i, size] of sizes.entries()) {
		emulator.reset();
		const res = await executeWithRss(n8n, httpWorkflows[i].id, env);
		const chatRequests = emulator.requests.filter((r) => r.server === 'api');
		const ok = chatRequests.filter((r) => r.status === 200).length;
		if (res.code !== 0 || ok !== size.chat) {
			throw new Error(`scale HTTP Request ${size.chat}: exit ${res.code}, ${ok} answers`);
		}
		http.push({
			chat: size.chat,
			ms: res.ms,
			hwmKb: res.hwmKb,
			startupMs: Math.min(...chatRequests.map((r) => r.startedAt)) - res.startedAt,
			chatWindowMs:
				Math.max(...chatRequests.map((r) => r.endedAt ?? r.startedAt)) -
				Math.min(...chatRequests.map((r) => r.startedAt)),
		});
		log(`8. scale ${size.chat} chat items through HTTP Request done`);
	}
	return { emulator: SCALE_EMULATOR, imageSide: IMAGE_SIDE, imageBytes, runs, http };
}

module.exports = { runScale };
