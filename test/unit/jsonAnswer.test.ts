import fc from 'fast-check';

import { findJson, scanJson } from '../../nodes/shared/json/jsonAnswer';
import { parseJsonText } from '../../nodes/shared/json/jsonParser';

describe('findJson', () => {
	it('reads a bare JSON answer, any value type', () => {
		expect(findJson(' {"a":1} ')).toEqual({
			ok: true,
			value: { a: 1 },
			start: 1,
			end: 8,
			fenced: false,
		});
		expect(findJson('42')).toMatchObject({ ok: true, value: 42 });
		expect(findJson('"x"')).toMatchObject({ ok: true, value: 'x' });
	});

	it('reads a fenced answer and says so', () => {
		const text = 'Here you go:\n```json\n{"a": [1, 2]}\n```\nAnything else?';
		const result = findJson(text);
		expect(result).toMatchObject({ ok: true, value: { a: [1, 2] }, fenced: true });
		if (result.ok) expect(text.slice(result.start, result.end)).toBe('{"a": [1, 2]}');
	});

	it('skips braces in prose and handles braces and quotes inside strings', () => {
		const text = 'Use {curly} braces, "quotes" too: {"s": "a } b { \\" c", "t": "[x"} done }';
		expect(findJson(text)).toMatchObject({ ok: true, value: { s: 'a } b { " c', t: '[x' } });
	});

	it('does not repair a trailing comma: it reports it with the position', () => {
		expect(findJson('{"a": 1,}')).toEqual({
			ok: false,
			problem: "Trailing comma before '}' at position 8 (JSON allows none)",
		});
		expect(findJson('x [1, 2,]')).toEqual({
			ok: false,
			problem: "Trailing comma before ']' at position 8 (JSON allows none)",
		});
	});

	it('reports a cut-off answer', () => {
		expect(findJson('Sure: {"tool_calls": [{"name": "x"')).toEqual({
			ok: false,
			problem: 'JSON is cut off at the end',
		});
	});

	it('reports the unexpected token and its position in the whole answer', () => {
		expect(findJson("Answer: {'a': 1}")).toEqual({
			ok: false,
			problem: "Unexpected token ''' at position 9 (expected a property name in double quotes)",
		});
		expect(findJson('{"a" 1}')).toEqual({
			ok: false,
			problem: "Unexpected token '1' at position 5 (expected ':')",
		});
	});

	it('says when there is no JSON at all', () => {
		expect(findJson('Just words {and braces}.')).toEqual({
			ok: false,
			problem: 'no JSON object found',
		});
		expect(findJson('')).toEqual({ ok: false, problem: 'no JSON object found' });
	});

	it('keeps a "__proto__" key as data', () => {
		const result = findJson('{"__proto__": {"polluted": true}}');
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const value = result.value as Record<string, unknown>;
		expect(Object.keys(value)).toEqual(['__proto__']);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
	});

	it('refuses absurd nesting instead of overflowing the stack', () => {
		expect(findJson('['.repeat(5000) + ']'.repeat(5000))).toMatchObject({ ok: false });
	});
});

describe('scanJson', () => {
	it('lists every top-level value in order, not the nested ones', () => {
		const scan = scanJson('a {"x": {"y": 1}} b [1, {"z": 2}] c');
		expect(scan.found.map((f) => f.value)).toEqual([{ x: { y: 1 } }, [1, { z: 2 }]]);
		expect(scan.broken).toEqual([]);
	});

	it('does not take a value out of a broken one', () => {
		const scan = scanJson('{"tool_calls": [{"name": "a", "arguments": {}}],}');
		expect(scan.found).toEqual([]);
		expect(scan.broken).toHaveLength(1);
	});
});

describe('parseJsonText', () => {
	it('parses strictly and agrees with JSON.parse on valid JSON', () => {
		fc.assert(
			fc.property(fc.json(), (text) => {
				const result = parseJsonText(text);
				expect(result).toEqual({ ok: true, value: JSON.parse(text) });
			}),
			{ seed: 13, numRuns: 500 },
		);
	});

	it('refuses what JSON.parse refuses', () => {
		fc.assert(
			fc.property(fc.string({ maxLength: 12 }), (text) => {
				let valid = true;
				try {
					JSON.parse(text);
				} catch {
					valid = false;
				}
				expect(parseJsonText(text).ok).toBe(valid);
			}),
			{ seed: 13, numRuns: 2000 },
		);
	});
});
