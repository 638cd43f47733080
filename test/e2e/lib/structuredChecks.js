'use strict';
/**
 * Structured output in a real n8n (`n8n execute`): the order-email case
 * (workflows/cases/order-email-to-row.json) runs MiniToolAI Chat with a JSON Schema, and a Set
 * node maps the parsed object into spreadsheet columns. `execute` (runs.js) and the run-data
 * helpers come from cliChecks.js. The template with three e-mails is checked in templateChecks.js.
 */
const assert = require('node:assert/strict');
const { apiRequests } = require('./runs');

const CHAT_PATH = '/api/chat-completions/';

// One e-mail, read the scripted model's default way (every string is the e-mail).
const ORDER_ROW_ID = 'mtaiCaseJsonRow1';
const ORDER_EMAIL =
	'Hello, please send me 3 desk lamps at 42.5 EUR each. Thanks, Ada Lovelace (ada@example.com)';
const REPAIR_PREFIX = 'Your previous answer could not be used:';

/**
 * Structured output in a real n8n: the schema goes out in a developer message, the parsed object
 * is mapped by a Set node into spreadsheet columns, and a broken first answer costs one repair.
 */
async function runStructuredOutputChecks({ execute, checks, items, assertClose }) {
	const run = async (fault) => {
		const result = await execute(ORDER_ROW_ID, { faults: fault ? [fault] : [] });
		assert.equal(result.code, 0, result.stdout.slice(-3000) + result.stderr.slice(-2000));
		return result;
	};
	const schemaOf = (message) =>
		JSON.parse(/<response_schema>\n(.*)\n<\/response_schema>/.exec(message.content)[1]);
	const expectedRow = (costUsd) => ({
		Customer: ORDER_EMAIL,
		Email: ORDER_EMAIL,
		Product: ORDER_EMAIL,
		Quantity: 3,
		'Unit Price': 42.5,
		Total: 127.5,
		'AI Cost (USD)': costUsd,
	});

	await checks.check(
		'cli: JSON Schema answer becomes a spreadsheet row in a Set node',
		async () => {
			const result = await run();
			const reqs = apiRequests(result, CHAT_PATH);
			assert.equal(reqs.length, 1);
			const { messages } = reqs[0].body;
			assert.deepEqual(
				messages.map((m) => m.role),
				['developer', 'developer', 'user'],
			);
			assert.deepEqual(schemaOf(messages[1]).required, [
				'customer',
				'email',
				'product',
				'quantity',
				'unitPrice',
			]);
			const [chat] = items(result, 'Extract order');
			assert.deepEqual(chat.json.output, JSON.parse(chat.json.text));
			assert.equal(chat.json.repaired, false);
			assertClose(chat.json.costUsd, reqs[0].chargedUsd, 'costUsd vs charged');
			const [row] = items(result, 'Sheet row');
			assert.deepEqual(row.json, expectedRow(chat.json.costUsd));
		},
	);

	await checks.check(
		'cli: a schema violation is repaired once; cost covers both calls',
		async () => {
			const result = await run({ endpoint: 'chat', type: 'imperfect', kind: 'schemaViolation' });
			const reqs = apiRequests(result, CHAT_PATH);
			assert.equal(reqs.length, 2);
			const repair = reqs[1].body.messages[reqs[1].body.messages.length - 1];
			assert.equal(repair.role, 'user');
			assert.ok(
				repair.content.startsWith(`${REPAIR_PREFIX} customer: expected string, got integer`),
				repair.content,
			);
			const [chat] = items(result, 'Extract order');
			assert.equal(chat.json.repaired, true);
			assertClose(chat.json.costUsd, reqs[0].chargedUsd + reqs[1].chargedUsd, 'summed cost');
			const [row] = items(result, 'Sheet row');
			assert.deepEqual(row.json, expectedRow(chat.json.costUsd));
		},
	);
}

module.exports = { runStructuredOutputChecks };
