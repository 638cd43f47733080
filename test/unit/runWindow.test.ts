/**
 * How the end-to-end runner reads a run (test/e2e/lib/runs.js, N8nInstance.execute): a check sees
 * only the requests and jobs the emulator received while its own run was going on, and no run is
 * repeated (a CI run once counted 10 chat requests for a batch of 5 after n8n died and the runner
 * ran the workflow again). A process that dies after printing its finished run is judged by that
 * run; one that dies before fails.
 */
import { startEmulator, type Emulator } from '../emulator';
import { apiRequests, executeRun, receivedFrom } from '../e2e/lib/runs';
import { fakeN8n, type FakeN8n } from './fixtures/fakeN8n';

const CHAT_PATH = '/api/chat-completions/';
const SUBMIT_PATH = '/api/texttoimage/';

let emu: Emulator;
const fakes: FakeN8n[] = [];

beforeAll(async () => {
	emu = await startEmulator({ jobDelayMs: 200 });
});
afterAll(async () => {
	for (const fake of fakes) fake.remove();
	await emu.close();
});

async function post(path: string, body: unknown): Promise<number> {
	const res = await fetch(emu.baseUrl + path, {
		method: 'POST',
		headers: { authorization: 'Bearer emulator-key', 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});
	await res.text();
	return res.status;
}

const chat = (text: string) =>
	post(CHAT_PATH, { model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }] });
const submit = (prompt: string) =>
	post(SUBMIT_PATH, {
		model: 'realvision',
		prompt,
		scheduler: 'Euler a',
		steps: 4,
		cfgScale: 2,
		width: 512,
		height: 512,
	});

function fake(die = '', dieBefore = false): FakeN8n {
	const n8n = fakeN8n({ emulatorUrl: emu.baseUrl, die, dieBefore });
	fakes.push(n8n);
	return n8n;
}

describe('what a run received', () => {
	test('holds what arrived after it started, nothing from before', async () => {
		emu.reset();
		await chat('before');
		await submit('before');
		const received = receivedFrom(emu);
		await chat('during');
		await submit('during');
		const got = received();
		expect(apiRequests(got, CHAT_PATH).map((r) => r.body)).toMatchObject([
			{ messages: [{ content: 'during' }] },
		]);
		expect(got.jobs.map((j) => j.body.prompt)).toEqual(['during']);
		// The emulator's own log still has both.
		expect(emu.requests).toHaveLength(4);
	});

	test('two runs in a row, without a reset between them, each see only their own', async () => {
		emu.reset();
		const first = receivedFrom(emu);
		await chat('first');
		const firstGot = first();
		const second = receivedFrom(emu);
		await chat('second');
		expect(apiRequests(firstGot, CHAT_PATH)).toHaveLength(1);
		expect(apiRequests(second(), CHAT_PATH).map((r) => r.body)).toMatchObject([
			{ messages: [{ content: 'second' }] },
		]);
	});

	test('a reset during a run does not bring back what came before it', async () => {
		emu.reset();
		await chat('old');
		const received = receivedFrom(emu);
		emu.reset();
		await chat('new');
		expect(received().requests.map((r) => r.body)).toMatchObject([
			{ messages: [{ content: 'new' }] },
		]);
	});
});

describe('executeRun', () => {
	test("returns the run's own requests, also when the same workflow ran before", async () => {
		const n8n = fake();
		const ctx = { n8n, emulator: emu };
		const one = await executeRun(ctx, 'wf');
		const two = await executeRun(ctx, 'wf');
		for (const run of [one, two]) {
			expect(run.code).toBe(0);
			expect(run.output).toMatchObject({ finished: true, status: 'success' });
			expect(apiRequests(run, CHAT_PATH)).toHaveLength(1);
		}
		expect(apiRequests(two, CHAT_PATH)[0]).not.toBe(apiRequests(one, CHAT_PATH)[0]);
	});

	// SIGTERM stands in for n8n's SIGSEGV: the same path, without a core file to write.
	test('an n8n that dies by a signal after printing its run is judged by it, not rerun', async () => {
		const n8n = fake('SIGTERM');
		const run = await executeRun({ n8n, emulator: emu }, 'wf');
		expect(run.diedAfterRun).toBe('SIGTERM');
		expect(run.code).toBe(0);
		expect(run.output).toMatchObject({ finished: true, status: 'success' });
		expect(apiRequests(run, CHAT_PATH)).toHaveLength(1);
		expect(emu.requests).toHaveLength(1);
	});

	test('an n8n that dies before printing a finished run fails, once', async () => {
		const n8n = fake('SIGTERM', true);
		emu.reset();
		await expect(executeRun({ n8n, emulator: emu }, 'wf')).rejects.toThrow(
			/n8n execute wf died by SIGTERM before printing a finished run/,
		);
		// Not run again: the emulator saw the one request of the one run.
		expect(emu.requests).toHaveLength(1);
	});
});
