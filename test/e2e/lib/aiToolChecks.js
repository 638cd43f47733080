'use strict';
/**
 * Prompt-mode tool calling and structured output of the MiniToolAI Chat Model inside n8n's own AI
 * nodes, run by `n8n execute`:
 * - the AI Agent with two tools (n8n's Code Tool and our Text to Image node as a tool) calls both
 *   and answers with their results;
 * - the AI Agent with a Structured Output Parser returns the parsed object (n8n's agent asks for it
 *   through its `format_final_json_response` tool);
 * - the Basic LLM Chain with a Structured Output Parser returns the parsed object.
 * The emulator's scripted model stands in for a model that follows the protocol: it calls the
 * tools the question names and answers from <tool_result> blocks (a simulation; see
 * test/emulator/README.md). Each check asserts on n8n's output and on what the emulator received.
 */
const assert = require('node:assert/strict');
const { executeRun, apiRequests } = require('./runs');

const CHAT_PATH = '/api/chat-completions/';
const IMAGE_PATH = '/api/texttoimage/';
const MODEL_NODE = 'MiniToolAI Chat Model';
const DOCUMENTED_KEYS = ['max_completion_tokens', 'messages', 'model', 'temperature'];
const IDS = {
	agentTools: 'mtaiAiAgentTools',
	agentStructured: 'mtaiAiAgentStruc',
	chainStructured: 'mtaiAiChainStruc',
};
const AGENT_TOOLS_PROMPT =
	'Use multiply for 17 and 23, then generate image of a lighthouse at dusk.';
const CITY = { city: 'Oslo', population: 709000 };

/** The chat requests of one run (runs.js). */
function chatRequests(run) {
	return apiRequests(run, CHAT_PATH);
}

function runsOf(result, nodeName) {
	assert.ok(result.output, `no JSON in execute output:\n${result.stdout.slice(-2000)}`);
	return result.output.data.resultData.runData[nodeName] || [];
}

function mainJson(result, nodeName) {
	const [run] = runsOf(result, nodeName);
	assert.ok(run, `node "${nodeName}" did not run`);
	assert.ok(!run.error, `node "${nodeName}" failed: ${run.error && run.error.message}`);
	return run.data.main[0][0].json;
}

/** The tools the developer message lists (name, description, parameters), or undefined. */
function listedTools(body) {
	for (const m of body.messages) {
		const match = /<tools>\n(.*)\n<\/tools>/.exec(m.content);
		if (m.role === 'developer' && match) return JSON.parse(match[1]);
	}
	return undefined;
}

function assertDocumentedBody(req) {
	assert.equal(req.headers.authorization, 'Bearer emulator-key', 'Bearer auth');
	assert.deepEqual(Object.keys(req.body).sort(), DOCUMENTED_KEYS, 'only documented body fields');
	for (const m of req.body.messages) {
		assert.deepEqual(Object.keys(m).sort(), ['content', 'role']);
		assert.ok(['developer', 'user', 'assistant'].includes(m.role), `role ${m.role}`);
		assert.equal(typeof m.content, 'string');
	}
}

/** n8n's token accounting on the model node: every call's traced output carries tokenUsage. */
function tracedUsage(result) {
	return runsOf(result, MODEL_NODE).map((run) => {
		const json = run.data && run.data.ai_languageModel && run.data.ai_languageModel[0][0].json;
		assert.ok(json && json.tokenUsage, `no tokenUsage on a model run: ${JSON.stringify(run.data)}`);
		return json.tokenUsage;
	});
}

async function runAiToolChecks({ n8n, emulator, checks, log }) {
	const execute = async (id) => {
		const result = await executeRun({ n8n, emulator, log }, id);
		assert.equal(result.code, 0, result.stdout.slice(-3000) + result.stderr.slice(-2000));
		return result;
	};

	await checks.check(
		'ai tools: AI Agent calls a Code Tool and MiniToolAI Text to Image, answers with both results',
		async () => {
			const result = await execute(IDS.agentTools);
			const answer = mainJson(result, 'AI Agent').output;
			log(`agent with tools answered: ${answer}`);

			const reqs = chatRequests(result);
			assert.equal(reqs.length, 2, 'two model calls: the tool calls, then the answer');
			reqs.forEach(assertDocumentedBody);
			const tools = listedTools(reqs[0].body);
			const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
			assert.deepEqual(
				Object.keys(byName).sort(),
				['Generate_Image', 'multiply'],
				'both tools described in the prompt',
			);
			assert.equal(byName.multiply.parameters.properties.input.type, 'string');
			assert.equal(byName.Generate_Image.parameters.properties.prompt.type, 'string');
			const firstUser = reqs[0].body.messages.filter((m) => m.role === 'user').pop();
			assert.equal(firstUser.content, AGENT_TOOLS_PROMPT);

			// Both tools ran, with the arguments the model gave.
			const multiplyRuns = runsOf(result, 'multiply');
			assert.equal(multiplyRuns.length, 1, 'the Code Tool ran once');
			const submits = apiRequests(result, IMAGE_PATH);
			assert.equal(submits.length, 1, 'one image job submitted by the tool');
			assert.equal(submits[0].body.prompt, AGENT_TOOLS_PROMPT);
			assert.equal(result.jobs.length, 1, 'image jobs of this run');
			const [job] = result.jobs;

			// The second request carries the calls and both results in the protocol's text forms
			// (n8n's agent hands them back one message per call; they go out as the one answer).
			const second = reqs[1].body.messages;
			const calls = JSON.parse(second[second.length - 2].content);
			assert.deepEqual(
				calls.tool_calls.map((c) => [c.id, c.name]),
				[
					['call_1', 'multiply'],
					['call_2', 'Generate_Image'],
				],
			);
			const results = second[second.length - 1];
			assert.equal(results.role, 'user');
			// n8n hands a Code Tool's return value back as [{"response": …}].
			assert.match(
				results.content,
				/<tool_result id="call_1" name="multiply">\n\[\{"response":"391"\}\]\n<\/tool_result>/,
			);
			assert.match(results.content, /<tool_result id="call_2" name="Generate_Image">/);
			assert.ok(results.content.includes(String(job.jobid)), 'image result has the job id');

			// The final answer uses both results.
			assert.match(answer, /multiply returned \[\{"response":"391"\}\]/);
			assert.match(answer, /Generate_Image returned/);
			assert.ok(answer.includes(String(job.jobid)), `answer lacks job ${job.jobid}: ${answer}`);

			// n8n's token accounting: one traced run per model call.
			const usage = tracedUsage(result);
			assert.equal(usage.length, 2, 'two traced model runs');
			for (const u of usage) assert.ok(u.promptTokens > 0 && u.completionTokens > 0);
		},
	);

	await checks.check(
		'ai tools: AI Agent with a Structured Output Parser returns the parsed object',
		async () => {
			const result = await execute(IDS.agentStructured);
			const json = mainJson(result, 'AI Agent');
			log(`agent with output parser: ${JSON.stringify(json)}`);
			assert.deepEqual(json.output, CITY);
			const reqs = chatRequests(result);
			assert.equal(reqs.length, 1, 'one model call: the format_final_json_response call');
			assertDocumentedBody(reqs[0]);
			const tools = listedTools(reqs[0].body);
			const format = tools.find((t) => t.name === 'format_final_json_response');
			assert.ok(format, `format tool not described: ${JSON.stringify(tools)}`);
			assert.deepEqual(format.parameters.properties.output.properties.city.enum, [
				'Oslo',
				'Bergen',
			]);
		},
	);

	await checks.check(
		'ai tools: Basic LLM Chain with a Structured Output Parser returns the parsed object',
		async () => {
			const result = await execute(IDS.chainStructured);
			const json = mainJson(result, 'Basic LLM Chain');
			log(`chain with output parser: ${JSON.stringify(json)}`);
			assert.deepEqual(json.output, CITY);
			const reqs = chatRequests(result);
			assert.equal(reqs.length, 1, 'one model call');
			assertDocumentedBody(reqs[0]);
			// No tools with a chain: n8n's own format instructions travel in the prompt.
			assert.equal(listedTools(reqs[0].body), undefined);
			const text = reqs[0].body.messages.map((m) => m.content).join('\n');
			assert.match(text, /JSON/);
		},
	);
}

module.exports = { runAiToolChecks };
