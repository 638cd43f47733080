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
const { spawn } = require('node:child_process');
const { ensureN8nHost } = require('../../scripts/lib/n8nHost');
const { buildAndPack, installPackage } = require('../../scripts/lib/pack');
const { N8nInstance } = require('../../scripts/lib/n8nProcess');
const { freePorts } = require('../../scripts/lib/util');
const wf = require('../../scripts/lib/workflows');
const { startEmulator } = require('../emulator');
const { sleep, nowMs } = require('./util');

const KEY = 'bench-key';

const PKG = 'n8n-nodes-minitoolai';
const CRED = { miniToolAiApi: wf.DEFAULT_CREDENTIAL };

const node = (name, type, typeVersion, x, parameters, extra = {}) => ({
	id: name.replace(/\W/g, '-').toLowerCase(),
	name,
	type,
	typeVersion,
	position: [x, 0],
	parameters,
	...extra,
});

/** Manual Trigger -> Set (one array) -> Split Out: N items without a Code node (no task runner). */
function itemSource(values) {
	return [
		node('Start', 'n8n-nodes-base.manualTrigger', 1, 0, {}),
		node('Values', 'n8n-nodes-base.set', 3.4, 200, {
			mode: 'raw',
			jsonOutput: JSON.stringify({ prompt: values }),
			options: {},
		}),
		node('Items', 'n8n-nodes-base.splitOut', 1, 400, { fieldToSplitOut: 'prompt', options: {} }),
	];
}

function linear(id, name, nodes) {
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, active: false, nodes, connections, settings: { executionOrder: 'v1' } };
}

const CHAT_BODY_FIXED = { model: 'gpt-4o-mini', temperature: 1, max_completion_tokens: 1000 };

function chatWorkflows(prompts, baseUrl) {
	const ours = linear('benchChatNode001', 'bench: chat via MiniToolAI Chat', [
		...itemSource(prompts),
		node(
			'Chat',
			`${PKG}.miniToolAiChat`,
			1,
			600,
			{
				model: 'gpt-4o-mini',
				messages: { message: [{ role: 'user', content: '={{ $json.prompt }}' }] },
				simplifyOutput: true,
			},
			{ credentials: CRED },
		),
	]);
	const jsonBody = `={{ JSON.stringify({ model: '${CHAT_BODY_FIXED.model}', messages: [{ role: 'user', content: $json.prompt }], temperature: ${CHAT_BODY_FIXED.temperature}, max_completion_tokens: ${CHAT_BODY_FIXED.max_completion_tokens} }) }}`;
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
		node('HTTP Request', 'n8n-nodes-base.httpRequest', 4.2, 600, {
			method: 'POST',
			url: `${baseUrl}/api/chat-completions/`,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${KEY}` }] },
			sendBody: true,
			specifyBody: 'json',
			jsonBody,
			options: { response: { response: { responseFormat: 'text', outputPropertyName: 'data' } } },
		}),
		node('Parse SSE', 'n8n-nodes-base.code', 2, 800, { mode: 'runOnceForAllItems', jsCode: parse }),
	]);
	return { ours, http };
}

function imageWorkflow(id, prompts, downloadImage) {
	return linear(id, `bench: ${prompts.length} images 1344x1344, download ${downloadImage}`, [
		...itemSource(prompts),
		node(
			'Image',
			`${PKG}.miniToolAiTextToImage`,
			1,
			600,
			{
				operation: 'generate',
				prompt: '={{ $json.prompt }}',
				width: 1344,
				height: 1344,
				downloadImage,
				binaryPropertyName: 'data',
				options: { maxWaitSeconds: 120 },
			},
			{ credentials: CRED },
		),
	]);
}

function readKb(pid, field) {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
		return m ? Number(m[1]) : null;
	} catch {
		return null;
	}
}

function childPids(pid) {
	try {
		return fs
			.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
			.trim()
			.split(/\s+/)
			.filter(Boolean)
			.map(Number);
	} catch {
		return [];
	}
}

/**
 * `n8n execute --id` with its peak RSS: VmHWM of the n8n process (the kernel's high-water mark,
 * sampled every 20 ms until exit), and the largest RSS sum of its descendants (task runner).
 */
function executeWithRss(n8n, id, extraEnv) {
	return new Promise((resolve, reject) => {
		const started = nowMs();
		const child = spawn(
			n8n.host.nodeBin,
			[n8n.host.n8nBin, 'execute', `--id=${id}`, '--rawOutput'],
			{
				cwd: n8n.userFolder,
				env: { ...n8n.env(), ...extraEnv },
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let stdoutBytes = 0;
		let tail = '';
		let stderr = '';
		let hwmKb = 0;
		let childrenPeakKb = 0;
		child.stdout.on('data', (c) => {
			stdoutBytes += c.length;
			tail = (tail + c.toString()).slice(-4000);
		});
		child.stderr.on('data', (c) => (stderr = (stderr + c.toString()).slice(-4000)));
		const timer = setInterval(() => {
			const hwm = readKb(child.pid, 'VmHWM');
			if (hwm) hwmKb = Math.max(hwmKb, hwm);
			let sum = 0;
			const stack = childPids(child.pid);
			while (stack.length) {
				const pid = stack.pop();
				sum += readKb(pid, 'VmRSS') || 0;
				stack.push(...childPids(pid));
			}
			childrenPeakKb = Math.max(childrenPeakKb, sum);
		}, 20);
		child.on('error', (e) => {
			clearInterval(timer);
			reject(e);
		});
		child.on('close', (code) => {
			clearInterval(timer);
			resolve({ code, ms: nowMs() - started, hwmKb, childrenPeakKb, stdoutBytes, tail, stderr });
		});
	});
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
	log = () => {},
}) {
	const out = { setup: {}, chat: null, memory: null };
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
		try {
			const runs = { ours: [], http: [] };
			// One warm-up of each (first run pays for cold disk caches).
			for (const id of [ours.id, http.id]) await n8n.execute(id);
			for (let rep = 0; rep < chatReps; rep++) {
				for (const [label, w] of [
					['ours', ours],
					['http', http],
				]) {
					emulator.reset();
					const res = await n8n.execute(w.id);
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
	} catch (error) {
		const message = `setup failed: ${error.message}`;
		out.chat = out.chat || { error: message };
		out.memory = out.memory || { error: message };
	} finally {
		while (cleanups.length) {
			const fn = cleanups.pop();
			await Promise.resolve()
				.then(fn)
				.catch(() => undefined);
		}
	}
	return out;
}

module.exports = { runRealN8n };
