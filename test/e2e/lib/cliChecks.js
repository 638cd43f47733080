'use strict';
/**
 * Runs the demo and fault workflows with `n8n execute` against the in-process emulator and checks
 * the real output: n8n's run data, the binary data on disk, and what the emulator received.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { executeRun, apiRequests } = require('./runs');
const { runStructuredOutputChecks } = require('./structuredChecks');

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// The documented price table, restated here so the test does not trust the code under test.
const PRICES = {
	'gpt-4o-mini': { input: 0.15, output: 0.6 },
	'gpt-4o': { input: 2.5, output: 10 },
	'gpt-4.1': { input: 2, output: 8 },
	'gpt-4.1-mini': { input: 0.4, output: 1.6 },
	'gpt-4.1-nano': { input: 0.1, output: 0.4 },
};
const IMAGE_PRICE_USD = 0.0015;
const CHAT_PATH = '/api/chat-completions/';
const SUBMIT_PATH = '/api/texttoimage/';
const JOB_PATH = '/api/texttoimage/jobs/';

function runData(result, nodeName) {
	assert.ok(result.output, `no JSON in execute output:\n${result.stdout.slice(-2000)}`);
	const runs = result.output.data.resultData.runData[nodeName];
	assert.ok(runs, `node "${nodeName}" did not run`);
	return runs[0];
}

function items(result, nodeName) {
	const run = runData(result, nodeName);
	assert.ok(!run.error, `node "${nodeName}" failed: ${run.error && run.error.message}`);
	return run.data.main[0];
}

function expectedCost(model, usage) {
	const price = PRICES[model];
	return (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1e6;
}

function assertClose(actual, expected, what) {
	assert.equal(typeof actual, 'number', `${what} is not a number: ${actual}`);
	assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual} != ${expected}`);
}

/** Simplified chat output: the echo text, the usage, and the cost the price table gives. */
function assertChatItem(json, { model, userText, chatRequest }) {
	assert.equal(json.text, `Echo: ${userText}`);
	assert.equal(json.finishReason, 'stop');
	assert.ok(String(json.model).startsWith(model), `model ${json.model}`);
	const { usage } = json;
	assert.ok(usage, 'usage missing');
	for (const k of ['promptTokens', 'completionTokens', 'totalTokens']) {
		assert.ok(Number.isInteger(usage[k]) && usage[k] > 0, `usage.${k} = ${usage[k]}`);
	}
	assert.equal(usage.totalTokens, usage.promptTokens + usage.completionTokens);
	assertClose(json.costUsd, expectedCost(model, usage), 'costUsd');
	// What the emulator deducted for exactly this request is what the node reports.
	if (chatRequest) assertClose(json.costUsd, chatRequest.chargedUsd, 'costUsd vs charged');
}

function assertAuthorized(request) {
	assert.equal(request.headers.authorization, 'Bearer emulator-key');
	assert.match(String(request.headers['content-type']), /application\/json/);
}

/** Binary data from run data: inline base64, or stored by id under the user folder. */
function readBinary(binary, userFolder) {
	if (binary.data && binary.data !== 'filesystem-v2' && !binary.id) {
		return Buffer.from(binary.data, 'base64');
	}
	if (binary.id) {
		const [mode, rel] = binary.id.split(/:(.*)/s);
		if (mode.startsWith('filesystem')) {
			// n8n 2.x keeps binaries under .n8n/storage; 1.x used .n8n/binaryData.
			for (const dir of ['storage', 'binaryData']) {
				const file = path.join(userFolder, '.n8n', dir, rel);
				if (fs.existsSync(file)) return fs.readFileSync(file);
			}
		}
	}
	return null;
}

function assertPngBinary(binary, userFolder) {
	assert.ok(binary, 'binary property missing');
	assert.equal(binary.mimeType, 'image/png');
	// n8n 2.41 stores binaries by id (filesystem-v2:...) with fileSize as text ("39.6 kB").
	const bytes = readBinary(binary, userFolder);
	assert.ok(bytes, `binary bytes not found (id ${binary.id})`);
	assert.ok(bytes.length > 0, 'binary is empty');
	assert.ok(bytes.subarray(0, 8).equals(PNG_SIGNATURE), 'binary is not a PNG');
	if (binary.bytes !== undefined) assert.equal(binary.bytes, bytes.length, 'bytes field');
	if (binary.fileSize !== undefined) assert.ok(!/^0\b/.test(String(binary.fileSize)), 'fileSize 0');
	return bytes;
}

/** The run's one image job (the emulator's record). */
function onlyJob(run) {
	assert.equal(run.jobs.length, 1, 'image jobs submitted by this run');
	return run.jobs[0];
}

/**
 * @param {object} ctx { n8n, emulator, checks, ids: { key: id }, userFolder, log }
 */
async function runCliChecks({ n8n, emulator, checks, ids, userFolder, log }) {
	// Each run's checks read only what that run sent (runs.js).
	const execute = (id, opts) => executeRun({ n8n, emulator, log }, id, opts);
	const chat500 = { endpoint: 'chat', type: 'status', status: 500 };

	// (a) Scheduled content: chat -> text to image (downloaded) -> Set shaping an email.
	let content;
	await checks.check('cli: scheduled content workflow runs', async () => {
		content = await execute(ids.content);
		assert.equal(content.code, 0, content.stdout.slice(-3000) + content.stderr.slice(-2000));
	});
	if (content && content.output) {
		const topic = 'autumn hiking in the Alps';
		const userText = `Write a post about ${topic}.`;
		const requests = {
			chat: apiRequests(content, CHAT_PATH),
			submit: apiRequests(content, SUBMIT_PATH),
			job: apiRequests(content, JOB_PATH),
			image: content.requests.filter((r) => r.server === 'image'),
		};

		await checks.check('cli: chat request body is the documented one', () => {
			assert.equal(requests.chat.length, 1);
			const [req] = requests.chat;
			assertAuthorized(req);
			assert.equal(req.method, 'POST');
			assert.equal(req.body.model, 'gpt-4o-mini');
			assert.deepEqual(req.body.messages, [
				{
					role: 'developer',
					content: 'You write short, upbeat social media posts of at most three sentences.',
				},
				{ role: 'user', content: userText },
			]);
			assert.equal(req.body.temperature, 0.8);
			assert.equal(req.body.max_completion_tokens, 300);
			assert.equal(req.body.maxCompletionTokens, undefined, 'camelCase leaked to the wire');
		});
		await checks.check('cli: chat output is the echo with usage and cost', () => {
			const out = items(content, 'Write post');
			assert.equal(out.length, 1);
			assertChatItem(out[0].json, {
				model: 'gpt-4o-mini',
				userText,
				chatRequest: requests.chat[0],
			});
		});
		await checks.check('cli: image submit and job poll bodies are the documented ones', () => {
			assert.equal(requests.submit.length, 1);
			const [sub] = requests.submit;
			assertAuthorized(sub);
			assert.deepEqual(
				{ ...sub.body },
				{
					model: 'realvision',
					prompt: `Bright illustration of ${topic}`,
					negativePrompt: 'text, watermark',
					scheduler: 'DPM++ SDE',
					steps: 4,
					cfgScale: 2,
					width: 768,
					height: 512,
				},
			);
			assert.ok(requests.job.length >= 1, 'the job was never polled');
			const job = onlyJob(content);
			for (const poll of requests.job) {
				assert.equal(String(poll.body.jobid), String(job.jobid));
				assert.equal(poll.body.signature, job.signature);
			}
		});
		await checks.check('cli: image output has the image-host URL, cost and a PNG binary', () => {
			const out = items(content, 'Illustrate post');
			assert.equal(out.length, 1);
			const { json, binary } = out[0];
			const job = onlyJob(content);
			assert.equal(json.imageUrl, `${emulator.imageBaseUrl}/images/${job.jobid}.png`);
			assert.equal(String(json.jobId), String(job.jobid));
			assertClose(json.costUsd, IMAGE_PRICE_USD, 'image costUsd');
			const bytes = assertPngBinary(binary && binary.data, userFolder);
			const { data: _inline, ...meta } = binary.data;
			log(
				`binary in run data: ${JSON.stringify(meta)}; PNG bytes read: ${bytes ? bytes.length : 'no'}`,
			);
		});
		await checks.check('cli: the API key never travels to the image host', () => {
			assert.ok(requests.image.length >= 1, 'the image was not downloaded');
			for (const r of requests.image) assert.equal(r.headers.authorization, undefined);
		});
		await checks.check('cli: Set node shapes {subject, body, imageUrl} and keeps the image', () => {
			const out = items(content, 'Shape for email');
			const job = onlyJob(content);
			assert.deepEqual(out[0].json, {
				subject: `New post: ${topic}`,
				body: `Echo: ${userText}`,
				imageUrl: `${emulator.imageBaseUrl}/images/${job.jobid}.png`,
			});
			assertPngBinary(out[0].binary && out[0].binary.data, userFolder);
		});
	}

	// (b) A question about an image URL: the content goes out as documented parts.
	await checks.check('cli: vision question sends text + image_url parts', async () => {
		const result = await execute(ids.vision);
		assert.equal(result.code, 0, result.stdout.slice(-3000));
		const chat = apiRequests(result, CHAT_PATH);
		assert.equal(chat.length, 1, 'chat requests');
		const [req] = chat;
		assertAuthorized(req);
		const imageUrl = `${emulator.imageBaseUrl}/images/demo.png`;
		assert.deepEqual(req.body.messages, [
			{
				role: 'user',
				content: [
					{ type: 'text', text: 'What is in this image? Answer in one sentence.' },
					{ type: 'image_url', image_url: { url: imageUrl, detail: 'low' } },
				],
			},
		]);
		const out = items(result, 'Describe image');
		assert.ok(out[0].json.text.startsWith('Echo: What is in this image? Answer in one sentence.'));
		assert.ok(out[0].json.usage && out[0].json.costUsd > 0, 'usage/cost missing');
	});

	// (c) A batch: five items in, five answers out, one request each.
	await checks.check('cli: batch of 5 prompts gives 5 answers in order', async () => {
		const result = await execute(ids.batch);
		assert.equal(result.code, 0, result.stdout.slice(-3000));
		const out = items(result, 'Answer each');
		assert.equal(out.length, 5);
		const topics = ['coffee', 'rain', 'trains', 'libraries', 'lighthouses'];
		const reqs = apiRequests(result, CHAT_PATH);
		assert.equal(reqs.length, 5);
		out.forEach((item, i) => {
			const userText = `Give one fun fact about ${topics[i]}.`;
			const req = reqs.find((r) => r.body.messages[0].content === userText);
			assert.ok(req, `no request for ${topics[i]}`);
			assert.equal(req.body.model, 'gpt-4.1-nano');
			assert.equal(req.body.max_completion_tokens, 200);
			assertChatItem(item.json, { model: 'gpt-4.1-nano', userText, chatRequest: req });
		});
	});

	// Faults: the server's message must reach the user.
	await checks.check('cli: chat HTTP 500 fails the node with the server message', async () => {
		const result = await execute(ids.chatError, { faults: [chat500] });
		assert.equal(result.code, 1, 'exit code');
		const all = result.stdout + result.stderr;
		assert.match(all, /Internal Server Error \(emulated\)/, 'server message missing');
		assert.match(all, /500/, 'status missing');
		assert.ok(apiRequests(result, CHAT_PATH).length >= 1, 'no chat request');
	});
	await checks.check('cli: chat HTTP 500 with continue-on-fail gives an error item', async () => {
		const result = await execute(ids.chatErrorContinue, { faults: [chat500] });
		assert.equal(result.code, 0, result.stdout.slice(-3000));
		const out = items(result, 'Chat');
		assert.equal(out.length, 1);
		assert.ok(out[0].json.error, `no error field: ${JSON.stringify(out[0].json)}`);
		assert.match(JSON.stringify(out[0].json), /Internal Server Error \(emulated\)|500/);
	});
	await checks.check('cli: failed image job fails the node with the job message', async () => {
		emulator.configure({ jobDelayMs: 300 });
		const result = await execute(ids.imageJobFailed, {
			faults: [{ endpoint: 'submit', type: 'jobFailed' }],
		});
		assert.equal(result.code, 1, 'exit code');
		assert.match(result.stdout + result.stderr, /NSFW content detected/);
	});
	await checks.check('cli: submit job then get job returns the image URL', async () => {
		emulator.configure({ jobDelayMs: 300 });
		const result = await execute(ids.imageJobSteps);
		assert.equal(result.code, 0, result.stdout.slice(-3000));
		const [submitted] = items(result, 'Submit job');
		const job = onlyJob(result);
		assert.equal(String(submitted.json.jobId), String(job.jobid));
		assert.equal(submitted.json.signature, job.signature);
		const submits = apiRequests(result, SUBMIT_PATH);
		assert.equal(submits.length, 1, 'submits');
		const [sub] = submits;
		// An empty negative prompt may be left out or sent as null/''; both are documented-safe.
		const { negativePrompt, ...rest } = sub.body;
		assert.ok([undefined, null, ''].includes(negativePrompt), `negativePrompt ${negativePrompt}`);
		assert.deepEqual(rest, {
			model: 'juggernaut',
			prompt: 'A red bicycle',
			scheduler: 'Euler a',
			steps: 6,
			cfgScale: 5,
			width: 512,
			height: 768,
		});
		const [got] = items(result, 'Get job');
		assert.equal(got.json.imageUrl, `${emulator.imageBaseUrl}/images/${job.jobid}.png`);
	});
	await runStructuredOutputChecks({ execute, checks, items, assertClose });
	return { content };
}

module.exports = { runCliChecks, PNG_SIGNATURE };
