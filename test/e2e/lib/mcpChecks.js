'use strict';
/**
 * MiniToolAI's nodes as tools of n8n's MCP Server Trigger, used from an MCP client: the official
 * MCP TypeScript SDK's client (what MCP hosts such as IDEs and agents build on) against the
 * production URL of the active workflow `workflows/mcp/mcp-server.json` in a running n8n.
 * - Streamable HTTP: the client lists both tools with their input schemas, gets the image URL from
 *   Text to Image and the answer from Chat, and gets a tool error (not a hang) for a wrong argument;
 * - SSE (the older transport, still served at the same URL): list and one call;
 * - the trigger's Bearer auth: without the token or with a wrong one, n8n answers 403.
 * Every request has a time limit; what the emulator received is checked after each call.
 */
const assert = require('node:assert/strict');
const path = require('node:path');
const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const {
	StreamableHTTPClientTransport,
} = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
const { SSEClientTransport } = require('@modelcontextprotocol/sdk/client/sse.js');
const { WORKFLOW_DIR } = require('../../../scripts/lib/workflows');
const { receivedFrom, apiRequests } = require('./runs');

const WORKFLOW_FILE = path.join(WORKFLOW_DIR, 'mcp', 'mcp-server.json');
const WORKFLOW_ID = 'mtaiMcpServer001';
// The trigger's Path; n8n serves an active MCP Server Trigger at /mcp/<path>.
const MCP_PATH = 'minitoolai';
const IMAGE_TOOL = 'generate_image';
const CHAT_TOOL = 'ask_minitoolai';
// The trigger's Bearer Auth credential (referenced by id in the workflow file).
const BEARER = { id: 'mtaiMcpBearer001', name: 'MCP clients (Bearer)', token: 'e2e-mcp-token' };
// Each MCP request's limit: an image job takes 0.5 s in the e2e, a chat answer less.
const REQUEST_TIMEOUT_MS = 30000;
const ACTIVATION_TIMEOUT_MS = 30000;
const CHAT_PATH = '/api/chat-completions/';
const SUBMIT_PATH = '/api/texttoimage/';
const JOB_PATH = '/api/texttoimage/jobs/';
const IMAGE_PRICE_USD = 0.0015;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The trigger's credential in the shape `n8n import:credentials` accepts. */
function bearerCredentialForImport() {
	return {
		id: BEARER.id,
		name: BEARER.name,
		type: 'httpBearerAuth',
		data: { token: BEARER.token },
	};
}

const withTimeout = { timeout: REQUEST_TIMEOUT_MS, maxTotalTimeout: REQUEST_TIMEOUT_MS };

/** A connected SDK client; `kind` 'http' (Streamable HTTP) or 'sse'. */
async function connect(url, kind, { token = BEARER.token } = {}) {
	const requestInit = token ? { headers: { authorization: `Bearer ${token}` } } : {};
	// Both transports send requestInit's headers with every request (the SSE stream's GET too).
	const Transport = kind === 'sse' ? SSEClientTransport : StreamableHTTPClientTransport;
	const transport = new Transport(new URL(url), { requestInit });
	const client = new Client({ name: 'minitoolai-e2e', version: '1.0.0' });
	try {
		await client.connect(transport, withTimeout);
	} catch (error) {
		await client.close().catch(() => {});
		throw error;
	}
	return { client, transport };
}

/** Rejects when `promise` takes longer than REQUEST_TIMEOUT_MS. */
function bounded(promise, what) {
	let timer;
	const limit = new Promise((_, reject) => {
		timer = setTimeout(
			() => reject(new Error(`${what}: no answer in ${REQUEST_TIMEOUT_MS} ms`)),
			REQUEST_TIMEOUT_MS,
		);
	});
	return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function disconnect({ client, transport }) {
	// Streamable HTTP: end the session on the server (DELETE) as a well-behaved client does.
	if (transport.terminateSession) {
		await bounded(transport.terminateSession(), 'ending the session').catch(() => {});
	}
	await bounded(client.close(), 'closing the client');
}

/** The text of a tool result (n8n answers with one text part). */
function resultText(result) {
	assert.ok(Array.isArray(result.content) && result.content.length === 1, JSON.stringify(result));
	assert.equal(result.content[0].type, 'text');
	return result.content[0].text;
}

/** A successful tool result: n8n hands back the node's output items as a JSON array. */
function toolItems(result) {
	const text = resultText(result);
	assert.ok(!result.isError, `tool error: ${text}`);
	const items = JSON.parse(text);
	assert.ok(Array.isArray(items) && items.length === 1, text);
	return items[0];
}

/** Every request n8n sent in the run reached the API host with the key. */
function assertKeyOnlyToApi(run) {
	for (const r of run.requests) {
		assert.equal(r.server, 'api', `${r.method} ${r.path} went to the ${r.server} host`);
		assert.equal(r.headers.authorization, 'Bearer emulator-key', `${r.path} authorization`);
	}
}

/** Activates through the public API and waits until the production URL is registered. */
async function activate(n8n, url, log) {
	const apiKey = await n8n.createApiKey('minitoolai-e2e-mcp');
	const started = Date.now();
	await n8n.request('POST', `/api/v1/workflows/${WORKFLOW_ID}/activate`, undefined, { apiKey });
	// An unauthenticated POST: 403 once the trigger is registered, 404 before.
	for (;;) {
		const res = await fetch(url, {
			method: 'POST',
			body: '{}',
			signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
		});
		await res.arrayBuffer();
		if (res.status !== 404) {
			log(`MCP trigger active: ${url} answers ${res.status} after ${Date.now() - started} ms`);
			return { status: res.status, apiKey };
		}
		if (Date.now() - started > ACTIVATION_TIMEOUT_MS) throw new Error(`${url} still 404`);
		await sleep(100);
	}
}

/**
 * @param {object} ctx { n8n (started, owner logged in), emulator, checks, log }
 */
async function runMcpChecks({ n8n, emulator, checks, log }) {
	const url = `${n8n.baseUrl}/mcp/${MCP_PATH}`;
	const workflow = require(WORKFLOW_FILE);
	const described = (name) =>
		workflow.nodes.find((n) => n.name === name).parameters.toolDescription;
	// Tool calls made, to find each as an execution.
	let toolCalls = 0;
	/** One tool call on a reset emulator: the result and what the emulator received meanwhile. */
	const call = async (client, name, args, { faults = [] } = {}) => {
		emulator.reset();
		for (const fault of faults) emulator.setFault(fault);
		const received = receivedFrom(emulator);
		toolCalls++;
		try {
			const result = await client.callTool({ name, arguments: args }, undefined, withTimeout);
			return { result, ...received() };
		} finally {
			emulator.clearFaults();
		}
	};

	let apiKey;
	await checks.check(
		'mcp: the workflow is active and its URL refuses a call without token',
		async () => {
			const activated = await activate(n8n, url, log);
			assert.equal(activated.status, 403, 'no Bearer token: 403');
			apiKey = activated.apiKey;
		},
	);
	if (!apiKey) return;

	await checks.check('mcp: a client with a wrong token is refused at connect', async () => {
		const error = await connect(url, 'http', { token: 'wrong-token' }).then(
			(c) => disconnect(c).then(() => null),
			(e) => e,
		);
		assert.ok(error, 'connected with a wrong token');
		log(`wrong token: HTTP ${error.code}: ${error.message}`);
		assert.equal(error.code, 403);
		assert.match(error.message, /Authorization data is wrong/);
	});

	let session;
	await checks.check(
		'mcp (Streamable HTTP): lists both tools with their input schemas',
		async () => {
			const received = receivedFrom(emulator);
			session = await connect(url, 'http');
			const { client } = session;
			assert.equal(client.getInstructions(), workflow.nodes[0].parameters.instructions);
			const { tools } = await client.listTools(undefined, withTimeout);
			log(`tools: ${JSON.stringify(tools)}`);
			const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
			assert.deepEqual(Object.keys(byName).sort(), [CHAT_TOOL, IMAGE_TOOL]);
			const expected = {
				[IMAGE_TOOL]: ['prompt', 'What the image should show, in English: subject, setting, style'],
				[CHAT_TOOL]: ['message', 'The question or request for the chat model, in full'],
			};
			for (const [name, [arg, description]] of Object.entries(expected)) {
				assert.equal(byName[name].description, described(name), `${name} description`);
				assert.deepEqual(byName[name].inputSchema, {
					$schema: 'https://json-schema.org/draft/2020-12/schema',
					type: 'object',
					properties: { [arg]: { type: 'string', description } },
					required: [arg],
					additionalProperties: true,
				});
			}
			assert.equal(received().requests.length, 0, 'listing tools called the API');
		},
	);
	if (!session) return;

	try {
		const prompt = 'A lighthouse on a rocky coast at dusk, watercolour';
		await checks.check('mcp (Streamable HTTP): Text to Image returns the image URL', async () => {
			const started = Date.now();
			const run = await call(session.client, IMAGE_TOOL, { prompt });
			const image = toolItems(run.result);
			log(`${IMAGE_TOOL} answered in ${Date.now() - started} ms: ${JSON.stringify(image)}`);
			const submits = apiRequests(run, SUBMIT_PATH);
			assert.equal(submits.length, 1, 'one image job');
			// The argument is the prompt; everything else is the node's own settings.
			assert.deepEqual(submits[0].body, {
				model: 'realvision',
				prompt,
				scheduler: 'DPM++ SDE',
				steps: 4,
				cfgScale: 2,
				width: 1024,
				height: 1024,
			});
			assert.equal(run.jobs.length, 1);
			const [job] = run.jobs;
			const polls = apiRequests(run, JOB_PATH);
			assert.ok(polls.length >= 1, 'the job was never polled');
			for (const poll of polls) {
				assert.deepEqual(poll.body, { jobid: String(job.jobid), signature: job.signature });
			}
			assert.equal(image.imageUrl, `${emulator.imageBaseUrl}/images/${job.jobid}.png`);
			assert.equal(String(image.jobId), String(job.jobid));
			assert.ok(Math.abs(image.costUsd - IMAGE_PRICE_USD) < 1e-9, `costUsd ${image.costUsd}`);
			assertKeyOnlyToApi(run);
			// The URL works for the client: a PNG from the image host, fetched without any key.
			const res = await fetch(image.imageUrl, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
			const bytes = Buffer.from(await res.arrayBuffer());
			assert.equal(res.status, 200);
			assert.equal(bytes.subarray(1, 4).toString('latin1'), 'PNG');
		});

		const message = 'In one sentence: why do lighthouses have different light patterns?';
		await checks.check('mcp (Streamable HTTP): Chat returns the answer', async () => {
			const run = await call(session.client, CHAT_TOOL, { message });
			const answer = toolItems(run.result);
			log(`${CHAT_TOOL} answered: ${JSON.stringify(answer)}`);
			assert.equal(answer.text, `Echo: ${message}`);
			const reqs = apiRequests(run, CHAT_PATH);
			assert.equal(reqs.length, 1, 'one chat request');
			assert.equal(reqs[0].body.model, 'gpt-4o-mini');
			assert.deepEqual(reqs[0].body.messages, [{ role: 'user', content: message }]);
			assert.equal(reqs[0].body.max_completion_tokens, 400);
			assertKeyOnlyToApi(run);
		});

		const wrong = [
			{
				label: 'a number as the prompt: n8n rejects it against the input schema',
				tool: IMAGE_TOOL,
				args: { prompt: 42 },
				expect: /did not match expected schema[\s\S]*Expected string[\s\S]*prompt/,
			},
			{
				label: 'a blank prompt: the node names the field',
				tool: IMAGE_TOOL,
				args: { prompt: '   ' },
				expect: /Prompt: is empty/,
			},
			{
				label: 'no message: n8n rejects it against the input schema',
				tool: CHAT_TOOL,
				args: {},
				expect: /did not match expected schema[\s\S]*Required[\s\S]*message/,
			},
		];
		for (const w of wrong) {
			await checks.check(`mcp: ${w.label}, as a tool error at once`, async () => {
				const started = Date.now();
				const run = await call(session.client, w.tool, w.args);
				const text = resultText(run.result);
				log(`${w.tool} ${JSON.stringify(w.args)} -> ${Date.now() - started} ms: ${text}`);
				assert.equal(run.result.isError, true, 'not flagged as a tool error');
				assert.match(text, w.expect);
				assert.equal(run.requests.length, 0, 'a request was sent for a wrong argument');
			});
		}

		await checks.check('mcp: an API failure is a tool error with the server message', async () => {
			const run = await call(
				session.client,
				CHAT_TOOL,
				{ message: 'Fail, please' },
				{ faults: [{ endpoint: 'chat', type: 'status', status: 500 }] },
			);
			const text = resultText(run.result);
			log(`${CHAT_TOOL} with the API failing -> ${text}`);
			assert.equal(run.result.isError, true, 'not flagged as a tool error');
			assert.match(text, /HTTP 500\): Internal Server Error \(emulated\)/);
			assert.equal(apiRequests(run, CHAT_PATH).length, 1, 'one chat request');
			assertKeyOnlyToApi(run);
		});
	} finally {
		await disconnect(session);
	}

	await checks.check(
		'mcp (SSE): the same URL lists the tools and answers a chat call',
		async () => {
			const sse = await connect(url, 'sse');
			try {
				const { tools } = await sse.client.listTools(undefined, withTimeout);
				assert.deepEqual(tools.map((t) => t.name).sort(), [CHAT_TOOL, IMAGE_TOOL]);
				const message = 'Say hello over SSE';
				const run = await call(sse.client, CHAT_TOOL, { message });
				assert.equal(toolItems(run.result).text, `Echo: ${message}`);
				assert.equal(apiRequests(run, CHAT_PATH).length, 1, 'one chat request');
				assertKeyOnlyToApi(run);
			} finally {
				await disconnect(sse);
			}
		},
	);

	await checks.check(
		'mcp: every tool call is an execution, "success" also for errors',
		async () => {
			const started = Date.now();
			let list = [];
			while (list.length < toolCalls && Date.now() - started < REQUEST_TIMEOUT_MS) {
				const answer = await n8n.request(
					'GET',
					`/api/v1/executions?workflowId=${WORKFLOW_ID}&limit=50`,
					undefined,
					{ apiKey },
				);
				list = answer.data || [];
				if (list.length < toolCalls) await sleep(250);
			}
			const seen = list.map((e) => `${e.id} ${e.mode} ${e.status}`);
			log(`${toolCalls} tool calls; executions: ${seen.join(', ')}`);
			assert.equal(list.length, toolCalls, 'one execution per tool call');
			for (const e of list) assert.deepEqual([e.mode, e.status], ['webhook', 'success']);
		},
	);
}

module.exports = { runMcpChecks, bearerCredentialForImport, WORKFLOW_FILE };
