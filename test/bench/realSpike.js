'use strict';
/**
 * Spike and Waves, in a real `n8n start` (2.41.1, the package packed and installed as users get
 * it): chat conversations arrive together at a streaming Webhook, a streaming Chat Trigger (the
 * endpoint its public chat page posts to), and a Chat Trigger with a Basic LLM Chain on the Chat
 * Model. The emulator allows K requests at once and answers with drawn answer times. Every caller's
 * text is compared with what the emulator sent for that conversation; n8n's memory (RSS of its
 * process tree) is read after each wave.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ensureN8nHost } = require('../../scripts/lib/n8nHost');
const { buildAndPack, installPackage } = require('../../scripts/lib/pack');
const { N8nInstance } = require('../../scripts/lib/n8nProcess');
const { freePorts } = require('../../scripts/lib/util');
const wf = require('../../scripts/lib/workflows');
const { activate, probeStatus } = require('../e2e/lib/streamChecks');
const { startEmulator } = require('../emulator');
const { KEY, PKG, CRED, node, chatNode, processTreeRssKb } = require('./n8nRun');
const { spike } = require('./spikeCallers');
const { nowMs, runCleanups, sleep } = require('./util');

const OWNER = { email: 'bench@minitoolai.local', password: 'Bench-Passw0rd!' };
const WEBHOOK_PATH = 'bench-spike';
const CHAT_ID = '5b0c6e2a-9d41-4f7e-8a3b-2c1d0e9f8a71';
const CHAIN_CHAT_ID = '7e2d4c1b-3a5f-4e6d-9c8b-1a0f2e3d4c55';
/** Quiet time after a wave before n8n's memory is read (sockets closed, executions saved). */
const SETTLE_MS = 5_000;
const RSS_SAMPLE_MS = 250;

function workflows() {
	const chat = (x) => {
		const n = chatNode('MiniToolAI Chat', x);
		n.parameters.options = { streamResponse: true };
		return n;
	};
	const link = (from, to, type = 'main') => ({
		[from]: { [type]: [[{ node: to, type, index: 0 }]] },
	});
	const webhook = chat(300);
	webhook.parameters.messages.message[0].content = '={{ $json.body.text }}';
	const trigger = (id, name, responseMode) =>
		node(
			name,
			'@n8n/n8n-nodes-langchain.chatTrigger',
			1.3,
			0,
			{
				public: true,
				mode: 'hostedChat',
				options: { responseMode },
			},
			{ webhookId: id },
		);
	const chatAnswer = chat(300);
	chatAnswer.parameters.messages.message[0].content = '={{ $json.chatInput }}';
	const base = { active: false, settings: { executionOrder: 'v1' } };
	return {
		webhook: {
			...base,
			id: 'benchSpikeWebhk1',
			name: 'bench spike: Webhook (streaming) -> Chat',
			nodes: [
				node(
					'Webhook',
					'n8n-nodes-base.webhook',
					2.1,
					0,
					{
						httpMethod: 'POST',
						path: WEBHOOK_PATH,
						responseMode: 'streaming',
						options: {},
					},
					{ webhookId: '3f6a2b1c-4d5e-4f70-8a9b-0c1d2e3f4a5b' },
				),
				webhook,
			],
			connections: link('Webhook', 'MiniToolAI Chat'),
		},
		chat: {
			...base,
			id: 'benchSpikeChat01',
			name: 'bench spike: Chat Trigger (streaming) -> Chat',
			nodes: [trigger(CHAT_ID, 'Chat Trigger', 'streaming'), chatAnswer],
			connections: link('Chat Trigger', 'MiniToolAI Chat'),
		},
		chain: {
			...base,
			id: 'benchSpikeChain1',
			name: 'bench spike: Chat Trigger -> Basic LLM Chain + Chat Model',
			nodes: [
				trigger(CHAIN_CHAT_ID, 'Chat Trigger', 'lastNode'),
				node('Basic LLM Chain', '@n8n/n8n-nodes-langchain.chainLlm', 1.9, 300, {
					promptType: 'auto',
					hasOutputParser: false,
				}),
				node(
					'MiniToolAI Chat Model',
					`${PKG}.miniToolAiChatModel`,
					1,
					300,
					{
						model: 'gpt-4o-mini',
						temperature: 1,
						maxCompletionTokens: 1000,
					},
					{ credentials: CRED },
				),
			],
			connections: {
				...link('Chat Trigger', 'Basic LLM Chain'),
				...link('MiniToolAI Chat Model', 'Basic LLM Chain', 'ai_languageModel'),
			},
		},
	};
}

/** How each variant is called: its URL, the body for a question, and how it answers. */
function variants(baseUrl) {
	const chatBody = (question, i) => ({
		action: 'sendMessage',
		sessionId: `spike-session-${i}`,
		chatInput: question,
	});
	return [
		{
			name: 'webhook',
			label: 'Webhook (streaming) → Chat',
			url: `${baseUrl}/webhook/${WEBHOOK_PATH}`,
			body: (question) => ({ text: question }),
			streamed: true,
		},
		{
			name: 'chat',
			label: 'Chat Trigger (streaming) → Chat',
			url: `${baseUrl}/webhook/${CHAT_ID}/chat`,
			body: chatBody,
			streamed: true,
		},
		{
			name: 'chain',
			label: 'Chat Trigger → Basic LLM Chain + Chat Model (last node)',
			url: `${baseUrl}/webhook/${CHAIN_CHAT_ID}/chat`,
			body: chatBody,
			streamed: false,
			field: 'text',
		},
	];
}

/** Each caller against the emulator's record of its conversation (found by its unique tag). */
function judge(results, tags, requests) {
	const byTag = new Map(tags.map((t) => [t, []]));
	for (const rec of requests) {
		if (rec.server !== 'api' || !rec.path.startsWith('/api/chat-completions')) continue;
		const tag = /\[c\d+-\d+\]/.exec(rec.rawBody);
		if (tag && byTag.has(tag[0])) byTag.get(tag[0]).push(rec);
	}
	return results.map((r, i) => {
		const recs = byTag.get(tags[i]);
		const answered = recs.filter((rec) => rec.status === 200);
		const sent = answered.length === 1 && answered[0].streamed ? answered[0].streamed : null;
		let outcome = 'ok';
		if (r.error) outcome = 'failed';
		else if (!r.text) outcome = 'lost';
		else if (!r.complete || !sent || sent.events !== sent.of) outcome = 'cut';
		else if (sent.text !== r.text) outcome = 'differs';
		return {
			outcome,
			status: r.status,
			error: r.error,
			firstTokenMs: r.firstTokenMs,
			wholeMs: r.wholeMs,
			requests: recs.length,
			refused: recs.filter((rec) => rec.status === 429).length,
			answered: answered.length,
		};
	});
}

async function runWave(ctx, variant, wave) {
	const { emulator, n8n, conversations, windowMs, log } = ctx;
	emulator.reset();
	const tags = Array.from({ length: conversations }, (_, i) => `[c${wave}-${i}]`);
	const question = (i) => `${tags[i]} What should I cook tonight? Give me a short idea.`;
	let peakKb = 0;
	let sampling = true;
	const sampler = (async () => {
		while (sampling) {
			peakKb = Math.max(peakKb, processTreeRssKb(n8n.server.pid));
			await sleep(RSS_SAMPLE_MS);
		}
	})();
	const started = nowMs();
	const { results, startSpreadMs } = await spike({
		count: conversations,
		windowMs,
		make: (i) => ({
			url: variant.url,
			body: variant.body(question(i), `${wave}-${i}`),
			streamed: variant.streamed,
			field: variant.field,
		}),
	});
	const wallMs = nowMs() - started;
	sampling = false;
	await sampler;
	const callers = judge(results, tags, emulator.requests);
	const api = emulator.requests.filter((r) => r.server === 'api');
	const ok = api.filter((r) => r.status === 200);
	const serverMs = ok.map((r) => r.endedAt - r.startedAt);
	const serverFirstMs = ok
		.filter((r) => r.streamed && r.streamed.firstAt)
		.map((r) => r.streamed.firstAt - r.startedAt);
	await sleep(SETTLE_MS);
	const rssKb = processTreeRssKb(n8n.server.pid);
	const count = (what) => callers.filter((c) => c.outcome === what).length;
	const examples = callers.filter((c) => c.outcome !== 'ok').slice(0, 3);
	log(
		`spike ${variant.name} wave ${wave}: ${count('ok')}/${conversations} ok in ${(wallMs / 1000).toFixed(1)} s, ` +
			`${api.filter((r) => r.status === 429).length} × 429, RSS ${(rssKb / 1024).toFixed(0)} MiB` +
			(examples.length ? `; e.g. ${JSON.stringify(examples)}` : ''),
	);
	return {
		wave,
		wallMs,
		startSpreadMs,
		callers,
		ok: count('ok'),
		lost: count('lost'),
		failed: count('failed'),
		cut: count('cut'),
		differs: count('differs'),
		requests: api.length,
		refused: api.filter((r) => r.status === 429).length,
		answered: ok.length,
		serverMs,
		serverFirstMs,
		peakKb,
		rssKb,
	};
}

/**
 * Runs `waves` waves of `conversations` callers on each variant. Returns
 * { setup, idleKb, variants: [{ name, label, waves: [...] }] } or { error }.
 */
async function runSpike({
	conversations = 200,
	windowMs = 1_000,
	waves = 3,
	serverLimit = 10,
	answerTimes,
	only,
	log = () => {},
}) {
	const cleanups = [];
	const out = {
		conversations,
		windowMs,
		serverLimit,
		settleMs: SETTLE_MS,
		answerTimes,
		setup: {},
		variants: [],
	};
	try {
		const host = await ensureN8nHost({ quiet: true });
		const tgz = await buildAndPack({ skipBuild: process.env.BENCH_SKIP_BUILD === '1' });
		cleanups.push(() => fs.rmSync(path.dirname(tgz), { recursive: true, force: true }));
		const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-spike-'));
		cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
		const userFolder = path.join(workDir, 'user');
		fs.mkdirSync(userFolder);
		await installPackage(userFolder, tgz);

		const emulator = await startEmulator({
			keys: { [KEY]: 1e6 },
			maxConcurrent: serverLimit,
			retryAfterSeconds: 1,
			answerTimes,
		});
		cleanups.push(() => emulator.close());
		const [port, brokerPort] = await freePorts([0, 0]);
		const n8n = new N8nInstance({ host, userFolder, port, brokerPort });
		cleanups.push(() => n8n.stop());
		await n8n.importCredentials(wf.credentialForImport({ apiKey: KEY, baseUrl: emulator.baseUrl }));
		const flows = workflows();
		await n8n.importWorkflows(Object.values(flows));
		let t = nowMs();
		await n8n.start();
		out.setup.startMs = nowMs() - t;
		await n8n.ensureOwner(OWNER);
		const apiKey = await n8n.createApiKey('minitoolai-bench-spike');
		const list = variants(n8n.baseUrl).filter((v) => !only || only.includes(v.name));
		for (const v of list) {
			// The chat URL's GET serves the chat page; the webhook takes only POST (one warm-up run).
			const probe =
				v.streamed && v.name === 'webhook'
					? () =>
							probeStatus(v.url, {
								method: 'POST',
								headers: { 'content-type': 'application/json' },
								body: JSON.stringify({ text: 'warm up' }),
							})
					: () => probeStatus(v.url, { method: 'GET' });
			await activate(n8n, apiKey, flows[v.name].id, probe, log);
		}
		await sleep(SETTLE_MS);
		out.idleKb = processTreeRssKb(n8n.server.pid);
		log(`spike: n8n idle RSS ${(out.idleKb / 1024).toFixed(0)} MiB`);
		const ctx = { emulator, n8n, conversations, windowMs, log };
		for (const v of list) {
			const result = { name: v.name, label: v.label, waves: [] };
			out.variants.push(result);
			try {
				for (let wave = 1; wave <= waves; wave++) result.waves.push(await runWave(ctx, v, wave));
			} catch (error) {
				result.error = error.message;
			}
		}
	} catch (error) {
		out.error = error.message;
	} finally {
		await runCleanups(cleanups);
	}
	return out;
}

module.exports = { runSpike };
