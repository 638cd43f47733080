'use strict';
/**
 * The templates of examples/ (what users import, and what the sandbox shows) in a real n8n,
 * against the emulator in the sandbox's mode (`replies: 'canned'`: the scripted model reads the
 * question the way a model would). Every template runs with `n8n execute`, its external services
 * (Gmail, Google Sheets) disabled as committed; the checks assert that the answers fit the
 * prompts, what the emulator received, and what reached the disabled nodes. The chatbot runs on
 * the server: two messages of one chat session, streamed, the second answered from memory.
 */
const assert = require('node:assert/strict');
const path = require('node:path');
const wf = require('../../../scripts/lib/workflows');
const { apiRequests, executeRun, receivedFrom } = require('./runs');
const { postStreaming } = require('./streamChecks');

const CHAT_PATH = '/api/chat-completions/';
const SUBMIT_PATH = '/api/texttoimage/';
const JOB_PATH = '/api/texttoimage/jobs/';
// The template files and their workflow ids.
const TEMPLATES = {
	'scheduled-post-with-illustration.json': 'mtaiDemoContent1',
	'emails-to-sheet-rows.json': 'mtaiDemoJsonRows',
	'ai-agent-tools-structured-output.json': 'mtaiDemoAgentOut',
	'long-image-job-submit-wait-get.json': 'mtaiDemoLongJob1',
	'image-question.json': 'mtaiDemoVision01',
	'basic-llm-chain.json': 'mtaiDemoAiChain1',
	'streaming-chatbot-with-memory.json': 'mtaiDemoChatbot1',
};
const CHATBOT_WEBHOOK_ID = '2b7e4c1a-5d3f-4e8a-9c6b-1f0d2e3a4b51';
// The emulator's job time while the long-job template runs: its first Get Job finds the job
// still running (the e2e shortens the template's Wait to 1 s), a later one finds it done.
const LONG_JOB_MS = 2500;

function runOf(result, nodeName) {
	assert.ok(result.output, `no JSON in execute output:\n${result.stdout.slice(-2000)}`);
	const runs = result.output.data.resultData.runData[nodeName];
	assert.ok(runs && runs.length > 0, `node "${nodeName}" did not run`);
	return runs;
}

function items(result, nodeName, runIndex = 0) {
	const run = runOf(result, nodeName)[runIndex];
	assert.ok(!run.error, `node "${nodeName}" failed: ${run.error && run.error.message}`);
	return run.data.main[0];
}

const userText = (req) => req.body.messages.filter((m) => m.role === 'user').pop().content;

async function runTemplateCliChecks({ n8n, emulator, checks, log }) {
	// What each check reads from the emulator is what its own run sent (runs.js).
	const execute = async (file) => {
		const result = await executeRun({ n8n, emulator, log }, TEMPLATES[file]);
		assert.equal(result.code, 0, result.stdout.slice(-3000) + result.stderr.slice(-2000));
		return result;
	};
	const imageUrl = (job) => `${emulator.imageBaseUrl}/images/${job.jobid}.png`;

	await checks.check('templates: every file in examples/ is checked here', () => {
		const files = wf.listWorkflowFiles('examples').map((f) => path.basename(f));
		assert.deepEqual(files, Object.keys(TEMPLATES).sort());
		for (const file of files) {
			assert.equal(wf.readWorkflow(path.join(wf.EXAMPLES_DIR, file)).id, TEMPLATES[file]);
		}
	});

	emulator.configure({ replies: 'canned' });
	try {
		await checks.check(
			'templates: scheduled post writes a post, illustrates it, hands both to Gmail',
			async () => {
				const result = await execute('scheduled-post-with-illustration.json');
				const [post] = items(result, 'Write post');
				assert.match(
					post.json.text,
					/^Ready for autumn hiking in the Alps\? .+ #autumn #hiking #Alps$/,
				);
				const [chat] = apiRequests(result, CHAT_PATH);
				assert.equal(userText(chat), 'Write a post about autumn hiking in the Alps.');
				const [submit] = apiRequests(result, SUBMIT_PATH);
				assert.equal(submit.body.prompt, 'Bright illustration of autumn hiking in the Alps');
				const [job] = result.jobs;
				const [mail] = items(result, 'Shape for email');
				assert.deepEqual(mail.json, {
					subject: 'New post: autumn hiking in the Alps',
					body: post.json.text,
					imageUrl: imageUrl(job),
				});
				// Gmail is disabled as committed: n8n passes the e-mail and its attachment through.
				const [sent] = items(result, 'Send email');
				assert.deepEqual(sent.json, mail.json);
				assert.equal(sent.binary.data.mimeType, 'image/png');
				const downloads = result.requests.filter((r) => r.server === 'image');
				assert.ok(downloads.length >= 1 && downloads.every((r) => !r.headers.authorization));
			},
		);

		await checks.check(
			'templates: order e-mails become spreadsheet rows with the fields they name',
			async () => {
				const result = await execute('emails-to-sheet-rows.json');
				const rows = items(result, 'Sheet row').map((i) => i.json);
				const costs = rows.map((r) => r['AI Cost (USD)']);
				const expected = [
					['Ada Lovelace', 'ada@example.com', 'desk lamp', 3, 42.5, 127.5],
					['Grace Hopper', 'grace.hopper@example.org', 'notebook', 12, 3.2, 38.4],
					['Alan Turing', 'alan@example.net', 'office chair', 1, 189, 189],
				].map(([Customer, Email, Product, Quantity, price, Total], i) => ({
					Customer,
					Email,
					Product,
					Quantity,
					'Unit Price': price,
					Currency: 'EUR',
					Total,
					'AI Cost (USD)': costs[i],
				}));
				assert.equal(rows.length, 3);
				rows.forEach((row, i) => {
					assert.deepEqual({ ...row, Total: Math.round(row.Total * 100) / 100 }, expected[i]);
					assert.ok(row['AI Cost (USD)'] > 0, 'cost');
				});
				const reqs = apiRequests(result, CHAT_PATH);
				assert.equal(reqs.length, 3, 'one request per e-mail, no repair round');
				for (const req of reqs) assert.match(req.body.messages[1].content, /<response_schema>/);
				assert.deepEqual(
					reqs.map(userText).sort(),
					items(result, 'Order e-mails')
						.map((i) => i.json.email)
						.sort(),
				);
				assert.equal(items(result, 'Append to sheet').length, 3, 'rows reach the (disabled) sheet');
			},
		);

		await checks.check(
			'templates: AI Agent calls both tools with the parts of the question, answers as an object',
			async () => {
				const result = await execute('ai-agent-tools-structured-output.json');
				const [job] = result.jobs;
				const [answer] = items(result, 'AI Agent');
				log(`agent template answered: ${JSON.stringify(answer.json)}`);
				assert.deepEqual(answer.json.output, {
					result: 391,
					imageUrl: imageUrl(job),
					summary: `Multiply (17 by 23) gives 391. Here is the image of a lighthouse at dusk: ${imageUrl(job)}`,
				});
				assert.equal(apiRequests(result, CHAT_PATH).length, 2, 'the calls, then the answer');
				const [submit] = apiRequests(result, SUBMIT_PATH);
				assert.equal(submit.body.prompt, 'a lighthouse at dusk');
				const [multiply] = runOf(result, 'multiply');
				assert.match(JSON.stringify(multiply.data), /391/);
				// The Chat Model's turn that called tools says which, with which arguments.
				const hints = runOf(result, 'MiniToolAI Chat Model').flatMap((r) => r.hints || []);
				assert.ok(
					hints.some(
						(h) =>
							h.message ===
							'Called 2 tools: multiply {"input":"17 by 23"}; Generate_Image {"prompt":"a lighthouse at dusk"}',
					),
					JSON.stringify(hints),
				);
			},
		);

		await checks.check(
			'templates: a long image job is submitted, waited for in a loop, then fetched',
			async () => {
				emulator.configure({ jobDelayMs: LONG_JOB_MS });
				const result = await execute('long-image-job-submit-wait-get.json');
				const checksRun = runOf(result, 'Get job').map(
					(_, i) => items(result, 'Get job', i)[0].json,
				);
				assert.ok(checksRun.length >= 2, `Get job ran ${checksRun.length} time(s)`);
				assert.equal(checksRun[0].done, false);
				assert.equal(checksRun[checksRun.length - 1].done, true);
				const [job] = result.jobs;
				const [ready] = items(result, 'Image ready');
				assert.deepEqual(ready.json, { jobId: String(job.jobid), imageUrl: imageUrl(job) });
				assert.equal(ready.binary.data.mimeType, 'image/png');
				assert.equal(apiRequests(result, SUBMIT_PATH).length, 1);
				const polls = apiRequests(result, JOB_PATH);
				assert.equal(polls.length, checksRun.length, 'one status check per Get job run');
				for (const poll of polls) assert.equal(poll.body.signature, job.signature);
			},
		);

		await checks.check('templates: the image question is answered about the picture', async () => {
			const result = await execute('image-question.json');
			const [answer] = items(result, 'Describe image');
			assert.equal(
				answer.json.text,
				'The image shows a yellow sun setting over a calm dark blue sea under an orange evening sky.',
			);
			const [req] = apiRequests(result, CHAT_PATH);
			assert.equal(
				req.body.messages[0].content[1].image_url.url,
				`${emulator.imageBaseUrl}/images/demo.png`,
			);
		});

		await checks.check('templates: the Basic LLM Chain summarises in one sentence', async () => {
			const result = await execute('basic-llm-chain.json');
			const [answer] = items(result, 'Basic LLM Chain');
			assert.equal(
				answer.json.text,
				'n8n is a workflow automation tool, and MiniToolAI offers GPT-4o and GPT-4.1 models and text-to-image models over one API key.',
			);
		});
	} finally {
		emulator.configure({ replies: 'echo', jobDelayMs: 500 });
	}
}

/** The chatbot template on the running server: streamed answers, the second one from memory. */
async function runChatbotTemplateCheck({ n8n, emulator, checks, log }) {
	await checks.check(
		'templates: the chatbot streams its answers and remembers the chat',
		async () => {
			const apiKey = await n8n.createApiKey('minitoolai-e2e-chatbot');
			const id = TEMPLATES['streaming-chatbot-with-memory.json'];
			await n8n.request('POST', `/api/v1/workflows/${id}/activate`, undefined, { apiKey });
			const url = `${n8n.baseUrl}/webhook/${CHATBOT_WEBHOOK_ID}/chat`;
			emulator.reset();
			emulator.configure({ replies: 'canned', tokenDelayMs: 20 });
			const received = receivedFrom(emulator);
			try {
				const sessionId = `e2e-template-${Date.now()}`;
				const ask = async (chatInput) => {
					let response;
					// Right after activation the webhook answers 404 for a moment.
					for (let i = 0; i < 100; i++) {
						response = await postStreaming(url, { action: 'sendMessage', sessionId, chatInput });
						if (response.status !== 404) break;
						await new Promise((r) => setTimeout(r, 100));
					}
					assert.equal(response.status, 200, response.text.slice(0, 500));
					const ours = response.chunks.filter((c) => c.json.metadata?.nodeName === 'AI Agent');
					const texts = ours.filter((c) => c.json.type === 'item').map((c) => c.json.content);
					assert.equal(ours[0].json.type, 'begin');
					assert.ok(texts.length >= 3, `answer not streamed: ${texts.length} item chunks`);
					return texts.join('');
				};
				const first = await ask('Hi, my name is Ada.');
				const second = await ask('What is my name?');
				log(`chatbot template: "${first}" / "${second}"`);
				assert.equal(first, 'Nice to meet you, Ada! How can I help you today?');
				assert.equal(second, 'Your name is Ada: you told me earlier in our conversation.');
				const reqs = apiRequests(received(), CHAT_PATH);
				assert.equal(reqs.length, 2);
				// Memory: the second request carries the first turn, question and answer.
				const sent = reqs[1].body.messages.map((m) => `${m.role}: ${m.content}`);
				assert.ok(sent.includes('user: Hi, my name is Ada.'), sent.join('\n'));
				assert.ok(sent.includes(`assistant: ${first}`), sent.join('\n'));
			} finally {
				emulator.configure({ replies: 'echo', tokenDelayMs: 0 });
			}
		},
	);
}

module.exports = { TEMPLATES, runTemplateCliChecks, runChatbotTemplateCheck };
