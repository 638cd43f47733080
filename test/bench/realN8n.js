'use strict';
/**
 * Measurements 2 and 6 in a real n8n 2.41.1 (the host from scripts/lib/n8nHost.js), with the
 * package packed and installed the way users get it, every workflow run by `n8n execute`.
 * 2. the same chat job as (a) our Chat node and (b) HTTP Request + Code node, alternating;
 * 6. peak RSS of the `n8n execute` process generating and downloading images of 1344 x 1344.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureN8nHost } = require('../../scripts/lib/n8nHost');
const { buildAndPack, installPackage } = require('../../scripts/lib/pack');
const { N8nInstance } = require('../../scripts/lib/n8nProcess');
const { freePorts } = require('../../scripts/lib/util');
const wf = require('../../scripts/lib/workflows');
const { startEmulator } = require('../emulator');
const { sleep, nowMs, runCleanups } = require('./util');
const {
	KEY,
	node,
	itemSource,
	linear,
	executeWithRss,
	chatNode,
	imageNode,
	httpChatParameters,
} = require('./n8nRun');
const { runScale } = require('./realScale');

// Measurement 2 times what users run: n8n's default expression engine (the e2e checks' CLI runs use
// the legacy one, see scripts/lib/n8nProcess.js).
const N8N_DEFAULT_ENGINE = { expressionEngine: null };

function chatWorkflows(prompts, baseUrl) {
	const ours = linear('benchChatNode001', 'bench: chat via MiniToolAI Chat', [
		...itemSource(prompts),
		chatNode(),
	]);
	const parse = [
		'// Pull the answer text out of the SSE body, as a user would write it.',
		'return $input.all().map((item) => {',
		"\tlet text = '';",
		"\tfor (const line of String(item.json.data).split('\\n')) {",
		"\t\tif (!line.startsWith('data:')) continue;",
		'\t\tconst payload = line.slice(5).trim();',
		"\t\tif (payload === '[DONE]') continue;",
		'\t\tconst chunk = JSON.parse(payload);',
		"\t\ttext += chunk.choices?.[0]?.delta?.content ?? '';",
		'\t}',
		'\treturn { json: { text } };',
		'});',
	].join('\n');
	const http = linear('benchChatHttp001', 'bench: chat via HTTP Request + Code', [
		...itemSource(prompts),
		node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, 600, httpChatParameters(baseUrl)),
		node('Parse SSE', 'n8n-nodes-base.code', 2, 800, { mode: 'runOnceForAllItems', jsCode: parse }),
	]);
	return { ours, http };
}

function imageWorkflow(id, prompts, downloadImage) {
	return linear(id, `bench: ${prompts.length} images 1344x1344, download ${downloadImage}`, [
		...itemSource(prompts),
		imageNode({ side: 1344, downloadImage, maxWaitSeconds: 120 }),
	]);
}

/**
 * Runs measurements 2 and 6. Returns { chat: {...}, memory: {...}, setup: {...} }; each part
 * carries an `error` string instead when it failed. Starts and stops everything it uses.
 */
async function runRealN8n({
	chatItems = 20,
	chatReps = 3,
	images = 50,
	memReps = 2,
	scale = [],
	scaleEnv = {},
	log = () => {},
}) {
	const out = { setup: {}, chat: null, memory: null, scale: null };
	const cleanups = [];
	try {
		let t = nowMs();
		const host = await ensureN8nHost({ quiet: true });
		out.setup.hostMs = nowMs() - t;
		t = nowMs();
		const tgz = await buildAndPack({ skipBuild: process.env.BENCH_SKIP_BUILD === '1' });
		cleanups.push(() => fs.rmSync(path.dirname(tgz), { recursive: true, force: true }));
		const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-bench-'));
		cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
		const userFolder = path.join(workDir, 'user');
		fs.mkdirSync(userFolder);
		await installPackage(userFolder, tgz);
		out.setup.buildInstallMs = nowMs() - t;
		log(`real n8n: host + build + install ${((nowMs() - t) / 1000).toFixed(1)} s`);

		const emulator = await startEmulator({
			keys: { [KEY]: 1000 },
			latencyMs: 50,
			tokenDelayMs: 0,
			jobDelayMs: 1000,
		});
		cleanups.push(() => emulator.close());
		const [port, brokerPort] = await freePorts([0, 0]);
		const n8n = new N8nInstance({ host, userFolder, port, brokerPort });

		const prompts = Array.from(
			{ length: chatItems },
			(_, i) => `Item ${i + 1}: summarise the benefits of regular exercise in a few words`,
		);
		const { ours, http } = chatWorkflows(prompts, emulator.baseUrl);
		const imagePrompts = Array.from(
			{ length: images },
			(_, i) => `A lighthouse at dusk, variant ${i + 1}`,
		);
		const imgOn = imageWorkflow('benchImagesDl001', imagePrompts, true);
		const imgOff = imageWorkflow('benchImagesNo001', imagePrompts, false);

		t = nowMs();
		await n8n.importCredentials(wf.credentialForImport({ apiKey: KEY, baseUrl: emulator.baseUrl }));
		await n8n.importWorkflows([ours, http, imgOn, imgOff]);
		out.setup.importMs = nowMs() - t;

		// 2. chat: alternate a / b so that drift on a shared machine hits both alike.
		if (chatReps > 0)
			try {
				const runs = { ours: [], http: [] };
				// One warm-up of each (first run pays for cold disk caches).
				for (const id of [ours.id, http.id]) await n8n.execute(id, N8N_DEFAULT_ENGINE);
				for (let rep = 0; rep < chatReps; rep++) {
					for (const [label, w] of [
						['ours', ours],
						['http', http],
					]) {
						emulator.reset();
						const res = await n8n.execute(w.id, N8N_DEFAULT_ENGINE);
						const api = emulator.requests.filter((r) => r.server === 'api');
						const run = res.output;
						const last = run && run.data.resultData.runData;
						const lastNode = w.nodes[w.nodes.length - 1].name;
						const items = last && last[lastNode] ? last[lastNode][0].data.main[0] : [];
						const okItems = items.filter((it) =>
							String(it.json.text || '').startsWith('Echo:'),
						).length;
						const window =
							api.length > 0
								? Math.max(...api.map((r) => r.endedAt || 0)) -
									Math.min(...api.map((r) => r.startedAt))
								: null;
						runs[label].push({ ms: res.ms, code: res.code, okItems, requests: api.length, window });
						if (res.code !== 0 || okItems !== chatItems) {
							throw new Error(
								`${label} run: exit ${res.code}, ${okItems}/${chatItems} answers\n${res.stderr.slice(-1500)}\n${res.stdout.slice(-1500)}`,
							);
						}
					}
				}
				out.chat = { items: chatItems, runs };
				log('real n8n: chat done');
			} catch (error) {
				out.chat = { error: error.message };
			}

		// 6. memory: fastest jobs, so that the run is dominated by downloads and output handling.
		if (memReps > 0)
			try {
				// Photo-like grain: each 1344 x 1344 PNG is about 5 MB, as a real picture would be.
				emulator.configure({ jobDelayMs: 500, latencyMs: 0, imageNoise: true });
				const configs = [
					{ label: 'URL only (downloadImage off), n8n default mode', id: imgOff.id, env: {} },
					{
						label: 'binary, mode "default" (in memory)',
						id: imgOn.id,
						env: { N8N_DEFAULT_BINARY_DATA_MODE: 'default' },
					},
					{
						label: 'binary, mode "filesystem" (2.41\'s default)',
						id: imgOn.id,
						env: { N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' },
					},
				];
				const rows = configs.map((c) => ({ ...c, runs: [] }));
				for (let rep = 0; rep < memReps; rep++) {
					for (const row of rows) {
						emulator.reset();
						const res = await executeWithRss(n8n, row.id, row.env);
						const imageReqs = emulator.requests.filter(
							(r) => r.server === 'image' && r.status === 200,
						);
						const wanted = row.id === imgOn.id ? images : 0;
						if (res.code !== 0 || emulator.jobs.size !== images || imageReqs.length !== wanted) {
							throw new Error(
								`${row.label}: exit ${res.code}, ${emulator.jobs.size}/${images} jobs, ${imageReqs.length}/${wanted} downloads\n${res.stderr}\n${res.tail}`,
							);
						}
						row.runs.push({
							ms: res.ms,
							hwmKb: res.hwmKb,
							childrenPeakKb: res.childrenPeakKb,
							stdoutBytes: res.stdoutBytes,
							downloads: imageReqs.length,
						});
						await sleep(200);
					}
				}
				const jobId = [...emulator.jobs.keys()][0];
				const sample = jobId
					? await fetch(`${emulator.imageBaseUrl}/images/${jobId}.png`)
							.then((r) => (r.ok ? r.arrayBuffer().then((b) => b.byteLength) : null))
							.catch(() => null)
					: null;
				out.memory = { images, imageBytes: sample, rows };
				log('real n8n: memory done');
			} catch (error) {
				out.memory = { error: error.message };
			}

		// 8. scale: its own emulator, with credit for thousands of requests.
		if (scale.length > 0) {
			try {
				const big = await startEmulator({ keys: { [KEY]: 1e7 }, quiet: true });
				cleanups.push(() => big.close());
				await n8n.importCredentials(wf.credentialForImport({ apiKey: KEY, baseUrl: big.baseUrl }));
				out.scale = await runScale({ n8n, emulator: big, sizes: scale, env: scaleEnv, log });
			} catch (error) {
				out.scale = { error: error.message };
			}
		}
	} catch (error) {
		const message = `setup failed: ${error.message}`;
		out.chat = out.chat || { error: message };
		out.memory = out.memory || { error: message };
		out.scale = out.scale || { error: message };
	} finally {
		await runCleanups(cleanups);
	}
	return out;
}

module.exports = { runRealN8n };
