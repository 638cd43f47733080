#!/usr/bin/env node
'use strict';
/**
 * Runs the MiniToolAI emulator in the foreground for manual testing and for other processes
 * (real-n8n e2e tests). Usage: node test/emulator/cli.js --help
 */
const { startEmulator } = require('./index');

const HELP = `Usage: node test/emulator/cli.js [options]

  --host <addr>            API host (default 127.0.0.1)         env MINITOOLAI_EMULATOR_HOST
  --port <n>               API port (default 8787)              env MINITOOLAI_EMULATOR_PORT
  --image-host <addr>      image host (default 127.0.0.2)       env MINITOOLAI_EMULATOR_IMAGE_HOST
  --image-port <n>         image port (default 8788)            env MINITOOLAI_EMULATOR_IMAGE_PORT
  --job-delay-ms <n>       submit -> finished (default 1500)    env MINITOOLAI_EMULATOR_JOB_DELAY_MS
  --token-delay-ms <n>     delay between SSE chunks (default 30) env MINITOOLAI_EMULATOR_TOKEN_DELAY_MS
  --latency-ms <n>         added before every API answer (0)    env MINITOOLAI_EMULATOR_LATENCY_MS
  --max-concurrent <n>     in-flight API requests before 429 (0 = unlimited)
                                                                env MINITOOLAI_EMULATOR_MAX_CONCURRENT
  --key <key>=<usd>        API key and balance; repeatable (default emulator-key=100)
                                                                env MINITOOLAI_EMULATOR_KEYS (k=v,k2=v2)
  --replies <mode>         chat reply text: canned (default) or echo
                                                                env MINITOOLAI_EMULATOR_REPLIES
  --imperfect-rate <r>     share 0..1 of tool/schema turns the scripted model gets wrong (0)
                                                                env MINITOOLAI_EMULATOR_IMPERFECT_RATE
  --quiet                  no per-request log lines
  --help                   this text
`;

function fail(message) {
	console.error(`minitoolai-emulator: ${message}\n\n${HELP}`);
	process.exit(2);
}

function parseNumber(name, value) {
	const n = Number(value);
	if (value === undefined || value === '' || !Number.isFinite(n) || n < 0) {
		fail(`${name} needs a non-negative number, got ${JSON.stringify(value)}`);
	}
	return n;
}

function parseReplies(name, value) {
	if (value !== 'canned' && value !== 'echo') {
		fail(`${name} needs canned or echo, got ${JSON.stringify(value)}`);
	}
	return value;
}

function parseRate(name, value) {
	const n = parseNumber(name, value);
	if (n > 1) fail(`${name} needs a number from 0 to 1, got ${JSON.stringify(value)}`);
	return n === 0 ? null : { rate: n };
}

function parseKey(spec) {
	const eq = String(spec).lastIndexOf('=');
	if (eq <= 0) fail(`--key needs <key>=<usd>, got ${JSON.stringify(spec)}`);
	return [spec.slice(0, eq), parseNumber('--key balance', spec.slice(eq + 1))];
}

function parseArgs(argv, env) {
	const opts = {
		host: env.MINITOOLAI_EMULATOR_HOST || '127.0.0.1',
		imageHost: env.MINITOOLAI_EMULATOR_IMAGE_HOST || '127.0.0.2',
		port: parseNumber('MINITOOLAI_EMULATOR_PORT', env.MINITOOLAI_EMULATOR_PORT || '8787'),
		imagePort: parseNumber(
			'MINITOOLAI_EMULATOR_IMAGE_PORT',
			env.MINITOOLAI_EMULATOR_IMAGE_PORT || '8788',
		),
		jobDelayMs: parseNumber(
			'MINITOOLAI_EMULATOR_JOB_DELAY_MS',
			env.MINITOOLAI_EMULATOR_JOB_DELAY_MS || '1500',
		),
		tokenDelayMs: parseNumber(
			'MINITOOLAI_EMULATOR_TOKEN_DELAY_MS',
			env.MINITOOLAI_EMULATOR_TOKEN_DELAY_MS || '30',
		),
		latencyMs: parseNumber(
			'MINITOOLAI_EMULATOR_LATENCY_MS',
			env.MINITOOLAI_EMULATOR_LATENCY_MS || '0',
		),
		maxConcurrent: parseNumber(
			'MINITOOLAI_EMULATOR_MAX_CONCURRENT',
			env.MINITOOLAI_EMULATOR_MAX_CONCURRENT || '0',
		),
		// people watching the CLI (and the sandbox) see plausible text rather than an echo
		replies: parseReplies(
			'MINITOOLAI_EMULATOR_REPLIES',
			env.MINITOOLAI_EMULATOR_REPLIES || 'canned',
		),
		imperfectModel: parseRate(
			'MINITOOLAI_EMULATOR_IMPERFECT_RATE',
			env.MINITOOLAI_EMULATOR_IMPERFECT_RATE || '0',
		),
		quiet: false,
	};
	let keys = null;
	if (env.MINITOOLAI_EMULATOR_KEYS) {
		keys = Object.fromEntries(
			env.MINITOOLAI_EMULATOR_KEYS.split(',')
				.filter((s) => s.trim() !== '')
				.map((s) => parseKey(s.trim())),
		);
	}
	let cliKeys = null;
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const eq = arg.indexOf('=');
		// accept both "--port 8787" and "--port=8787"
		const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
		const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
		const value = () => (inline !== undefined ? inline : argv[++i]);
		switch (name) {
			case '--help':
			case '-h':
				process.stdout.write(HELP);
				process.exit(0);
				break;
			case '--host':
				opts.host = value();
				break;
			case '--image-host':
				opts.imageHost = value();
				break;
			case '--port':
				opts.port = parseNumber(name, value());
				break;
			case '--image-port':
				opts.imagePort = parseNumber(name, value());
				break;
			case '--job-delay-ms':
				opts.jobDelayMs = parseNumber(name, value());
				break;
			case '--token-delay-ms':
				opts.tokenDelayMs = parseNumber(name, value());
				break;
			case '--latency-ms':
				opts.latencyMs = parseNumber(name, value());
				break;
			case '--max-concurrent':
				opts.maxConcurrent = parseNumber(name, value());
				break;
			case '--key': {
				const [k, v] = parseKey(value() || '');
				cliKeys = { ...(cliKeys || {}), [k]: v };
				break;
			}
			case '--replies':
				opts.replies = parseReplies(name, value());
				break;
			case '--imperfect-rate':
				opts.imperfectModel = parseRate(name, value());
				break;
			case '--quiet':
				opts.quiet = true;
				break;
			default:
				fail(`unknown argument ${JSON.stringify(arg)}`);
		}
	}
	opts.keys = cliKeys || keys || { 'emulator-key': 100 };
	return opts;
}

async function main() {
	// a closed stdout pipe (e.g. `| head`) must not crash the emulator
	process.stdout.on('error', () => {});
	const opts = parseArgs(process.argv.slice(2), process.env);
	const emu = await startEmulator(opts);
	console.log('MiniToolAI emulator running');
	console.log(`  API base URL:   ${emu.baseUrl}`);
	console.log(`  image base URL: ${emu.imageBaseUrl}`);
	for (const [key, usd] of Object.entries(opts.keys)) {
		console.log(`  API key:        ${key} (balance USD ${usd})`);
	}
	console.log(`  chat replies:   ${opts.replies} (the emulator's own text, not a model's)`);
	console.log(`  control:        ${emu.baseUrl}/__emulator/health`);
	console.log('Press Ctrl+C to stop.');
	let stopping = false;
	const stop = (signal) => {
		if (stopping) return;
		stopping = true;
		console.log(`\n${signal}: stopping emulator`);
		emu.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGINT', () => stop('SIGINT'));
	process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err) => {
	console.error(`minitoolai-emulator: ${err && err.message ? err.message : err}`);
	process.exit(1);
});
