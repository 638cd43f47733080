/**
 * A paid image job can be found after a crash: the moment MiniToolAI accepts a job, the node says
 * in n8n's log (level info, n8n's default) which job it is and how to fetch it with Get Job, before
 * the first status check. The API key appears in no log line.
 */
import { captureNodeLogs, type LoggedLine } from '../harness';
import { TEST_KEY, imageNode, useTestBed } from './setup';

const bed = useTestBed({ jobDelayMs: 200 });
let logs: ReturnType<typeof captureNodeLogs>;
beforeEach(() => {
	bed.emulator.configure({ jobDelayMs: 200 });
	logs = captureNodeLogs();
});
afterEach(() => logs.stop());

const jobLines = (): LoggedLine[] =>
	logs.lines.filter((l) => l.message.startsWith('MiniToolAI image job'));

function expectNoKey(): void {
	for (const line of logs.lines) {
		expect(`${line.message} ${JSON.stringify(line.meta)}`).not.toContain(TEST_KEY);
	}
}

describe("Text to Image: the paid job in n8n's log", () => {
	it('Generate logs each job at info, with its ID and signature, before its first status check', async () => {
		const result = await bed.runNode(
			imageNode({ operation: 'generate', prompt: '={{ $json.q }}', width: 256, height: 256 }),
			[{ q: 'a red boat' }, { q: 'a blue boat' }],
		);
		expect(result.status).toBe('success');
		const jobs = [...bed.emulator.jobs.values()];
		expect(jobs).toHaveLength(2);
		const lines = jobLines();
		expect(lines).toHaveLength(2);
		for (const job of jobs) {
			const line = lines.find((l) => l.message.includes(`image job ${job.jobid} submitted`));
			expect(line).toBeDefined();
			expect(line!.level).toBe('info');
			expect(line!.message).toContain(
				`Get Job operation: Job ID ${job.jobid}, Signature ${job.signature}`,
			);
			expect(line!.meta).toMatchObject({ jobId: String(job.jobid) });
			expect(line!.at).toBeLessThanOrEqual(job.polls[0]);
		}
		expectNoKey();
	});

	it('Submit Job logs its job the same way', async () => {
		const result = await bed.runNode(imageNode({ operation: 'submitJob', prompt: 'a kite' }));
		expect(result.status).toBe('success');
		const [job] = [...bed.emulator.jobs.values()];
		const lines = jobLines();
		expect(lines).toHaveLength(1);
		expect(lines[0].message).toContain(`Job ID ${job.jobid}, Signature ${job.signature}`);
		expectNoKey();
	});

	it('a refused submit logs no job (nothing was paid for)', async () => {
		bed.emulator.setFault({ endpoint: 'submit', type: 'submitError' });
		const result = await bed.runNode(imageNode({ operation: 'generate', prompt: 'a kite' }));
		expect(result.status).toBe('error');
		expect(jobLines()).toHaveLength(0);
		expectNoKey();
	});
});
