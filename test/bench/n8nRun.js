'use strict';
/** What the real-n8n measurements share: workflow pieces and `n8n execute` with its peak RSS. */
const fs = require('node:fs');
const { spawn } = require('node:child_process');
const wf = require('../../scripts/lib/workflows');
const { nowMs } = require('./util');

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

/** RSS of a process and all its descendants (n8n and its task runner), in kB. */
function processTreeRssKb(pid) {
	let sum = 0;
	const stack = [pid];
	while (stack.length) {
		const p = stack.pop();
		sum += readKb(p, 'VmRSS') || 0;
		stack.push(...childPids(p));
	}
	return sum;
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
		/** [ms since epoch, VmRSS kB]: where in the run memory grew. */
		const rss = [];
		child.stdout.on('data', (c) => {
			stdoutBytes += c.length;
			tail = (tail + c.toString()).slice(-4000);
		});
		child.stderr.on('data', (c) => (stderr = (stderr + c.toString()).slice(-4000)));
		const timer = setInterval(() => {
			const hwm = readKb(child.pid, 'VmHWM');
			if (hwm) hwmKb = Math.max(hwmKb, hwm);
			const now = readKb(child.pid, 'VmRSS');
			if (now) rss.push([nowMs(), now]);
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
			resolve({
				code,
				ms: nowMs() - started,
				startedAt: started,
				hwmKb,
				childrenPeakKb,
				stdoutBytes,
				tail,
				stderr,
				rss,
			});
		});
	});
}

/** What the Chat node sends with its defaults for `$json.prompt`. */
const CHAT_BODY_FIXED = { model: 'gpt-4o-mini', temperature: 1, max_completion_tokens: 1000 };

/** Our Chat node on `$json.prompt`, with its defaults. */
function chatNode(name = 'Chat', x = 600) {
	return node(
		name,
		`${PKG}.miniToolAiChat`,
		1,
		x,
		{
			model: CHAT_BODY_FIXED.model,
			messages: { message: [{ role: 'user', content: '={{ $json.prompt }}' }] },
		},
		{ credentials: CRED },
	);
}

/** HTTP Request 4.2 parameters sending the Chat node's request; the SSE answer kept as text. */
function httpChatParameters(baseUrl) {
	const { model, temperature, max_completion_tokens: max } = CHAT_BODY_FIXED;
	return {
		method: 'POST',
		url: `${baseUrl}/api/chat-completions/`,
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${KEY}` }] },
		sendBody: true,
		specifyBody: 'json',
		jsonBody: `={{ JSON.stringify({ model: '${model}', messages: [{ role: 'user', content: $json.prompt }], temperature: ${temperature}, max_completion_tokens: ${max} }) }}`,
		options: { response: { response: { responseFormat: 'text', outputPropertyName: 'data' } } },
	};
}

/** Our Text to Image node: Generate on `$json.prompt`, square images, the file in `data`. */
function imageNode({ side, downloadImage, maxWaitSeconds }) {
	return node(
		'Image',
		`${PKG}.miniToolAiTextToImage`,
		1,
		600,
		{
			operation: 'generate',
			prompt: '={{ $json.prompt }}',
			width: side,
			height: side,
			downloadImage,
			binaryPropertyName: 'data',
			options: { maxWaitSeconds },
		},
		{ credentials: CRED },
	);
}

module.exports = {
	KEY,
	PKG,
	CRED,
	node,
	itemSource,
	linear,
	executeWithRss,
	processTreeRssKb,
	chatNode,
	imageNode,
	httpChatParameters,
};
