'use strict';
/**
 * n8n's own AI root nodes with our `MiniToolAI Chat Model` sub-node, run by `n8n execute`:
 * Basic LLM Chain and AI Agent (no tools) give the emulator's answer, and the emulator saw exactly
 * the documented request body with Bearer auth. An AI Agent WITH a tool attached (Calculator) whose
 * question needs no tool answers in plain text: the tool is described in the prompt (the API
 * documents no tool fields) and not called. Tool calls themselves: aiToolChecks.js.
 */
const assert = require('node:assert/strict');
const { executeRun, apiRequests } = require('./runs');

const CHAT_PATH = '/api/chat-completions/';
const MODEL_NODE = 'MiniToolAI Chat Model';
const DOCUMENTED_KEYS = ['max_completion_tokens', 'messages', 'model', 'temperature'];
const DOCUMENTED_ROLES = new Set(['developer', 'user', 'assistant']);
const TOOL_FIELDS = ['tools', 'functions', 'tool_choice', 'function_call', 'parallel_tool_calls'];

/** The chat requests of one run (runs.js). */
function chatRequests(run) {
	return apiRequests(run, CHAT_PATH);
}

function taskData(result, nodeName) {
	assert.ok(result.output, `no JSON in execute output:\n${result.stdout.slice(-2000)}`);
	const runs = result.output.data.resultData.runData[nodeName];
	assert.ok(runs && runs[0], `node "${nodeName}" did not run`);
	return runs;
}

function mainItems(result, nodeName) {
	const [run] = taskData(result, nodeName);
	assert.ok(!run.error, `node "${nodeName}" failed: ${run.error && run.error.message}`);
	return run.data.main[0];
}

/** Asserts the body is the documented one and returns the last user message's text. */
function assertDocumentedBody(req, { model, temperature, maxTokens, prompt }) {
	assert.equal(req.method, 'POST');
	assert.equal(req.headers.authorization, 'Bearer emulator-key', 'Bearer auth');
	assert.match(String(req.headers['content-type']), /application\/json/);
	assert.deepEqual(Object.keys(req.body).sort(), DOCUMENTED_KEYS, 'body fields');
	assert.equal(req.body.model, model);
	assert.equal(req.body.temperature, temperature);
	assert.equal(req.body.max_completion_tokens, maxTokens);
	assert.ok(Array.isArray(req.body.messages) && req.body.messages.length >= 1, 'messages');
	for (const m of req.body.messages) {
		assert.deepEqual(Object.keys(m).sort(), ['content', 'role'], `message ${JSON.stringify(m)}`);
		assert.ok(DOCUMENTED_ROLES.has(m.role), `undocumented role ${m.role}`);
		assert.equal(typeof m.content, 'string', 'content is text');
	}
	const last = req.body.messages[req.body.messages.length - 1];
	assert.equal(last.role, 'user');
	assert.equal(last.content, prompt);
}

/** Every hint n8n stored for a node, from the run data of `n8n execute --rawOutput`. */
function hintsOf(result, nodeName) {
	const runs = result.output.data.resultData.runData[nodeName] || [];
	return runs.flatMap((r) => r.hints || []);
}

async function runAiChecks({ n8n, emulator, checks, ids, log }) {
	const execute = (id) => executeRun({ n8n, emulator, log }, id);
	const model = { model: 'gpt-4o-mini', temperature: 0.7, maxTokens: 200 };

	await checks.check(
		'ai: Basic LLM Chain + MiniToolAI Chat Model answers via n8n execute',
		async () => {
			const prompt = 'Name three colours of the rainbow.';
			const result = await execute(ids.llmChain);
			assert.equal(result.code, 0, result.stdout.slice(-3000) + result.stderr.slice(-2000));
			const [item] = mainItems(result, 'Basic LLM Chain');
			assert.equal(item.json.text, `Echo: ${prompt}`, JSON.stringify(item.json));
			const reqs = chatRequests(result);
			assert.equal(reqs.length, 1, 'one chat request');
			assertDocumentedBody(reqs[0], { ...model, prompt });
			log(`llm chain request body: ${JSON.stringify(reqs[0].body)}`);
			const [modelRun] = taskData(result, MODEL_NODE);
			assert.ok(!modelRun.error, 'model sub-node failed');
		},
	);

	await checks.check(
		'ai: AI Agent (no tools) + MiniToolAI Chat Model answers via n8n execute',
		async () => {
			const prompt = 'What is the capital of Norway?';
			const result = await execute(ids.aiAgent);
			assert.equal(result.code, 0, result.stdout.slice(-3000) + result.stderr.slice(-2000));
			const [item] = mainItems(result, 'AI Agent');
			assert.equal(item.json.output, `Echo: ${prompt}`, JSON.stringify(item.json));
			const reqs = chatRequests(result);
			assert.equal(reqs.length, 1, 'one chat request');
			assertDocumentedBody(reqs[0], { ...model, prompt });
			log(`agent request body: ${JSON.stringify(reqs[0].body)}`);
			// No warning; the usage and cost of the call are an info hint on the model node.
			const hints = hintsOf(result, MODEL_NODE);
			assert.deepEqual(
				hints.map((h) => h.type),
				['info'],
				JSON.stringify(hints),
			);
			assert.match(
				hints[0].message,
				/^gpt-4o-mini-2024-07-18: \d+ tokens \(\d+ prompt \+ \d+ completion\), USD 0\.\d{8}$/,
			);
		},
	);

	let withTool;
	await checks.check(
		'ai: AI Agent with a Calculator tool, asked nothing that needs it, answers in plain text',
		async () => {
			const prompt = 'What is 17 times 23?';
			withTool = await execute(ids.agentWithTool);
			assert.equal(withTool.code, 0, withTool.stdout.slice(-3000) + withTool.stderr.slice(-2000));
			const [item] = mainItems(withTool, 'AI Agent');
			// The emulator's scripted model calls only tools the question names.
			assert.equal(
				item.json.output,
				`I can answer without a tool. You asked: ${prompt}`,
				JSON.stringify(item.json),
			);
			const reqs = chatRequests(withTool);
			assert.equal(reqs.length, 1, 'one chat request (no tool round trip)');
			assertDocumentedBody(reqs[0], {
				model: 'gpt-4o-mini',
				temperature: 0.2,
				maxTokens: 200,
				prompt,
			});
			const calcRuns = withTool.output.data.resultData.runData.Calculator;
			assert.ok(!calcRuns || calcRuns.length === 0, `Calculator ran: ${JSON.stringify(calcRuns)}`);
			const warnings = hintsOf(withTool, MODEL_NODE).filter((h) => h.type === 'warning');
			assert.equal(warnings.length, 0, `no warning hint any more: ${JSON.stringify(warnings)}`);
		},
	);

	await checks.check(
		'ai: tools travel in the prompt, never in tools/functions fields of the body',
		() => {
			assert.ok(withTool, 'agent-with-tool did not run');
			const reqs = chatRequests(withTool);
			assert.ok(reqs.length >= 1, 'no chat request');
			for (const req of reqs) {
				for (const field of TOOL_FIELDS) {
					assert.equal(req.body[field], undefined, `${field} sent: ${JSON.stringify(req.body)}`);
				}
				const described = req.body.messages.find(
					(m) => m.role === 'developer' && m.content.includes('<tools>'),
				);
				assert.ok(described, 'the tools developer message');
				// n8n names the Calculator tool after its node.
				assert.match(described.content, /"name":"Calculator"/);
			}
		},
	);
}

module.exports = { runAiChecks };
