'use strict';
/**
 * `npm run test:e2e`: the packed package inside a real n8n 2.41.1, installed the way n8n's
 * community-package installer does it (scripts/lib/pack.js).
 * 1. CLI: import the credential, the templates (examples/) and the test workflows, run each with
 *    `n8n execute`, check the output and what the emulator received; n8n's Basic LLM Chain and AI
 *    Agent with our Chat Model sub-node; every template with the sandbox's answers; an
 *    `n8n execute` killed while Generate waits, its paid image fetched with Get Job from the log.
 * 2. Server: streaming Webhook and Chat Trigger workflows stream MiniToolAI's text to the caller;
 *    the chatbot template streams and remembers; an MCP client (the official SDK) uses Text to
 *    Image and Chat as MCP Server Trigger tools.
 * 3. Headless Chromium: the editor shows our nodes, without n8n's false "filled by AI" notice, and
 *    the templates' canvases (screenshots for docs/templates.md).
 * 4. Every built-in n8n node loads, no load errors in the server log; `npm start` imports the
 *    templates and stops with everything it started on a signal to the npm process
 *    (test/e2e/lib/sandboxRun).
 * Ends with `e2e: N passed, N failed`; exit code 1 on any failure. Everything it starts is
 * stopped at the end, also on failure or Ctrl-C.
 * Flags: --skip-build (use the current dist/), --skip-browser (the server checks still run),
 * --keep (keep the temp folder), --update-screenshots (write the README's docs/screenshots/),
 * --only=credential (install, start the server and run only the credential test checks),
 * --only=mcp (after the import, only the server start and the MCP client checks).
 *
 * `npm run test:e2e:1x` (`--n8n=1.123`): the compatibility subset on n8n 1.123.81, which ships
 * no AI node SDK: the Chat and Text to Image CLI checks, and a Chat Model workflow that must fail
 * with the Chat Model's own message. Ends with `e2e-1x: N passed, N failed`.
 */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Cleanups, Stages, freePorts, log } = require('./lib/util');
const { ensureN8nHost } = require('./lib/n8nHost');
const { buildAndPack, installPackage } = require('./lib/pack');
const { N8nInstance } = require('./lib/n8nProcess');
const { startLocalEmulator, EMULATOR_KEY } = require('./lib/emulator');
const wf = require('./lib/workflows');
const { Checks, runStage } = require('../test/e2e/lib/checks');
const { runCliChecks } = require('../test/e2e/lib/cliChecks');
const { runCredentialChecks } = require('../test/e2e/lib/credentialChecks');
const { runHostileChecks } = require('../test/e2e/lib/hostileChecks');
const { runBrowserChecks } = require('../test/e2e/lib/browserChecks');
const { runAiChecks } = require('../test/e2e/lib/aiChecks');
const { runAiToolChecks } = require('../test/e2e/lib/aiToolChecks');
const { runCrashChecks, checkKilledRunAfterRestart } = require('../test/e2e/lib/crashChecks');
const { runStreamChecks, describe: describeStream } = require('../test/e2e/lib/streamChecks');
const mcp = require('../test/e2e/lib/mcpChecks');
const sandboxChecks = require('../test/e2e/lib/sandboxChecks');
const { checkSandbox } = require('../test/e2e/lib/sandboxRun');
const templateChecks = require('../test/e2e/lib/templateChecks');
const { DEMO_PICTURE } = require('../test/emulator/pictures');

const args = new Set(process.argv.slice(2));
const n8nArg = process.argv.slice(2).find((a) => a.startsWith('--n8n='));
const N8N_VERSION = n8nArg ? n8nArg.slice('--n8n='.length) : '2.41';
const IS_1X = N8N_VERSION.startsWith('1.');
const onlyArg = process.argv.slice(2).find((a) => a.startsWith('--only='));
// The parts that can run alone on 2.x (`--only=credential`, `--only=mcp`); all run without it.
const ONLY = onlyArg ? onlyArg.slice('--only='.length) : null;
if (ONLY && (!['credential', 'mcp'].includes(ONLY) || IS_1X)) {
	throw new Error(`--only=${ONLY}: only --only=credential or --only=mcp, on 2.x`);
}
const FULL = !ONLY;
const SUMMARY = IS_1X ? 'e2e-1x' : 'e2e';
// What the Chat Model says where n8n has no AI node SDK (MiniToolAiChatModel.node.ts).
const NEEDS_SDK_MESSAGE = 'The MiniToolAI Chat Model needs n8n 2.x with the AI node SDK';
// The newest Basic LLM Chain version n8n 1.123 has.
const LLM_CHAIN_1X = { id: 'mtaiAiLlmChain1x', chainVersion: 1.7 };
const OWNER = { email: 'e2e@minitoolai.local', password: 'E2e-Passw0rd!' };
// Workflow ids by role, from the committed files (templates: mtaiDemo*).
const IDS = {
	content: 'mtaiDemoContent1',
	vision: 'mtaiDemoVision01',
	batch: 'mtaiCaseBatch001',
	chatError: 'mtaiCaseChatErr1',
	chatErrorContinue: 'mtaiCaseChatCont',
	imageJobSteps: 'mtaiCaseJobSteps',
	imageJobFailed: 'mtaiCaseJobFail1',
	chatTimeout: 'mtaiCaseChatTmo1',
	llmChain: 'mtaiAiLlmChain01',
	aiAgent: 'mtaiAiAgent00001',
	agentWithTool: 'mtaiCaseAgentTl1',
	webhookStreaming: 'mtaiCaseWebhStrm',
	chatTriggerStreaming: 'mtaiCaseChatStrm',
	aiChainDemo: 'mtaiDemoAiChain1',
	jsonRows: 'mtaiDemoJsonRows',
};
// Production URLs of the streaming workflows (path / webhookId in the committed files).
const STREAM_WEBHOOK_PATH = 'minitoolai-e2e-stream';
const CHAT_WEBHOOK_ID = '6d1f0b3e-8c4a-4f2e-9b7d-5a3c2e1f0d41';
const JOB_DELAY_MS = 500;
// The emulator's delay between SSE events while the streaming checks run.
const TOKEN_DELAY_MS = 80;

const cleanups = new Cleanups().watch();

async function main() {
	const stages = new Stages();
	const checks = new Checks(log);
	let streamTimings = [];
	let n8n;
	const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'minitoolai-e2e-'));
	const userFolder = path.join(workDir, 'user');
	fs.mkdirSync(userFolder);
	if (!args.has('--keep'))
		cleanups.push(() => fs.rmSync(workDir, { recursive: true, force: true }));
	log(`work folder ${workDir}`);

	try {
		const host = await stages.time('n8n host', () => ensureN8nHost({ version: N8N_VERSION }));
		log(`host: ${host.label}`);
		const tgz = await stages.time('build + pack', () =>
			buildAndPack({ skipBuild: args.has('--skip-build') }),
		);
		cleanups.push(() => fs.rmSync(path.dirname(tgz), { recursive: true, force: true }));
		await stages.time('install tarball', () => installPackage(userFolder, tgz));

		const emulator = await stages.time('emulator', () =>
			startLocalEmulator({ jobDelayMs: JOB_DELAY_MS, quiet: true }),
		);
		cleanups.push(() => emulator.close());
		log(`emulator ${emulator.baseUrl}, images ${emulator.imageBaseUrl}`);

		const [port, brokerPort] = await freePorts([0, 0]);
		n8n = new N8nInstance({ host, userFolder, port, brokerPort });
		cleanups.push(() => n8n.stop());

		await stages.time('import', async () => {
			await n8n.importCredentials([
				wf.credentialForImport({ apiKey: EMULATOR_KEY, baseUrl: emulator.baseUrl }),
				...(IS_1X ? [] : [mcp.bearerCredentialForImport()]),
			]);
			const kinds = FULL ? ['examples', 'cases', 'ai'] : [];
			const files = kinds.flatMap((kind) => wf.listWorkflowFiles(kind));
			if (!IS_1X) files.push(mcp.WORKFLOW_FILE);
			const demoImageUrl = `${emulator.imageBaseUrl}${DEMO_PICTURE.path}`;
			// One CLI call for all of them: each n8n command costs seconds of startup. The long-job
			// template waits 2 minutes between checks; here 1 s.
			const prepare = (file) =>
				wf.prepareWorkflow(wf.readWorkflow(file), { demoImageUrl, waitSeconds: 1 });
			await n8n.importWorkflows(files.map(prepare));
		});

		if (!IS_1X && FULL) {
			await stages.time('built-in nodes load', () =>
				sandboxChecks.checkBuiltinNodesLoad({ host, checks, log }),
			);
		}

		if (FULL) {
			await stages.time('cli executions', () =>
				runCliChecks({ n8n, emulator, checks, ids: IDS, userFolder, log }),
			);
		}

		if (IS_1X) {
			await stages.time('chat model without the SDK', () => runNoSdkCheck({ n8n, checks }));
		} else {
			if (FULL) {
				await stages.time('killed while Generate waits', () =>
					runCrashChecks({
						n8n,
						emulator,
						checks,
						log,
						key: EMULATOR_KEY,
						restoreJobDelayMs: JOB_DELAY_MS,
					}),
				);
				await stages.time('hostile server', () =>
					runHostileChecks({ n8n, emulator, checks, ids: IDS }),
				);
				await stages.time('ai sub-node executions', () =>
					runAiChecks({ n8n, emulator, checks, ids: IDS, log }),
				);
				await stages.time('ai tool calling', () => runAiToolChecks({ n8n, emulator, checks, log }));
				await stages.time('templates', () =>
					templateChecks.runTemplateCliChecks({ n8n, emulator, checks, log }),
				);
			}

			await stages.time('server start', async () => {
				await n8n.start();
				await n8n.ensureOwner(OWNER);
			});
			let wrongKeyCredentialId;
			if (FULL) {
				await checkKilledRunAfterRestart({ n8n, checks });
				streamTimings = await stages.time('streaming', () =>
					runStreamChecks({
						n8n,
						emulator,
						checks,
						ids: IDS,
						log,
						webhookPath: STREAM_WEBHOOK_PATH,
						chatWebhookId: CHAT_WEBHOOK_ID,
						tokenDelayMs: TOKEN_DELAY_MS,
						restoreTokenDelayMs: 0,
					}),
				);
				await stages.time('chatbot template', () =>
					templateChecks.runChatbotTemplateCheck({ n8n, emulator, checks, log }),
				);
			}
			if (FULL || ONLY === 'credential') {
				({ wrongKeyCredentialId } = await stages.time('credential test', () =>
					runCredentialChecks({ n8n, emulator, checks, log }),
				));
			}
			if (FULL || ONLY === 'mcp') {
				await stages.time('mcp client', () => mcp.runMcpChecks({ n8n, emulator, checks, log }));
			}

			if (FULL && !args.has('--skip-browser')) {
				await stages.time('browser', () =>
					runBrowserChecks({
						n8n,
						emulator,
						checks,
						ids: IDS,
						owner: OWNER,
						log,
						credentialId: wf.DEFAULT_CREDENTIAL.id,
						wrongKeyCredentialId,
						updateReadme: args.has('--update-screenshots'),
					}),
				);
				await stages.time('editor notices', () =>
					sandboxChecks.checkNoAiNotice({ n8n, checks, owner: OWNER, ids: IDS, log }),
				);
			}
			await sandboxChecks.checkServerLog({ n8n, checks });
			if (FULL) {
				await stages.time('sandbox (npm start)', () => checkSandbox({ checks, log }));
			}
		}
	} catch (error) {
		checks.fail('stage', error);
	} finally {
		await stages.time('stop', () => cleanups.runAll());
	}
	stages.print();
	if (n8n && n8n.deathsAfterRun.length) {
		// Judged by the run they printed (N8nInstance.execute); listed so they stay visible.
		console.log(
			`\n${n8n.deathsAfterRun.length} 'n8n execute' processes died after printing their ` +
				`finished run: ${n8n.deathsAfterRun.join(', ')}`,
		);
	}
	if (streamTimings.length) {
		console.log(`\nstreamed answers (emulator token delay ${TOKEN_DELAY_MS} ms):`);
		for (const m of streamTimings) console.log(`  ${describeStream(m)}`);
	}
	checks.finish(SUMMARY);
}

/**
 * n8n 1.x: the package loaded (the CLI checks ran its other nodes); a chain with the Chat Model
 * fails with the Chat Model's own message instead of a module-not-found at load time. The
 * committed chain is Basic LLM Chain 1.9; n8n 1.123 knows up to 1.7, so a copy at 1.7 runs.
 */
async function runNoSdkCheck({ n8n, checks }) {
	const chain = wf.readWorkflow(path.join(wf.WORKFLOW_DIR, 'ai', 'llm-chain.json'));
	const copy = wf.prepareWorkflow(chain, {});
	copy.id = LLM_CHAIN_1X.id;
	copy.name = `${copy.name} (Basic LLM Chain ${LLM_CHAIN_1X.chainVersion})`;
	for (const node of copy.nodes) {
		if (node.type === '@n8n/n8n-nodes-langchain.chainLlm') {
			node.typeVersion = LLM_CHAIN_1X.chainVersion;
		}
	}
	await n8n.importWorkflow(copy);
	await checks.check(
		'1.x: a Chat Model workflow fails with "needs n8n 2.x with the AI node SDK"',
		async () => {
			const result = await n8n.execute(copy.id);
			const text = `${result.stdout}\n${result.stderr}`;
			const line = text.split('\n').find((l) => l.includes(NEEDS_SDK_MESSAGE));
			log(`execute ${copy.id}: exit ${result.code}; ${line ? line.trim() : ''}`);
			assert.equal(result.code, 1, 'the chain should fail without the SDK');
			assert.ok(line, text.slice(-3000));
		},
	);
}

runStage(SUMMARY, main, cleanups);
