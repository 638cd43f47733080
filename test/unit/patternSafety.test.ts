/**
 * `pattern` in a schema: the user writes it, the model (or a prompt injection) writes the text it
 * runs on. Patterns whose backtracking can blow up are refused when the schema is checked, with the
 * reason; the text a pattern runs on is capped by what the pattern's shape allows.
 */
import { formatSchemaError, validateJson } from '../../nodes/shared/json/jsonSchema';
import { checkSchema } from '../../nodes/shared/json/jsonSchemaCheck';
import {
	analysePattern,
	MAX_PATTERN_TEXT_CHARS,
	MAX_PATTERN_TEXT_CHARS_LINEAR,
} from '../../nodes/shared/json/patternSafety';

function refusal(pattern: string): string | undefined {
	const verdict = analysePattern(pattern);
	return verdict.ok ? undefined : verdict.reason;
}

describe('patterns refused at check time', () => {
	it.each([
		['^(a+)+$', /repeats a group .* nested quantifier/],
		['(a*)*b', /repeats a group/],
		['^(\\w+\\s?)*$', /repeats a group .* nested quantifier/],
		['^(a|a)*$', /alternatives .* can match the same text/],
		['^(a|ab)+c$', /alternatives .* can match the same text/],
		['(.*a){12}', /repeats a group .* nested quantifier/],
		['^(a?)*$', /can match empty text/],
		['^(\\d+)\\1$', /backreference/],
		['^(?<x>a)\\k<x>$', /backreference/],
		['.*a.*b', /time growing faster than the length of the text/],
		['^.*a.*b$', /time growing faster than the length of the text/],
		['\\d+x\\d+y.*z', /time growing faster than the length of the text/],
		['^a?a?a?a?a?a?aaaaaa$', /more than 16 ways/],
		['^(?i:ab)+$', /modifier/],
	])('%s', (pattern, reason) => {
		expect(refusal(pattern)).toMatch(reason);
	});

	it('names the pattern and the reason in the schema check', () => {
		const result = checkSchema({
			type: 'object',
			properties: { code: { type: 'string', pattern: '^(a+)+$' } },
		});
		expect(result).toEqual({
			ok: false,
			problems: [
				{
					at: '#/properties/code/pattern',
					problem: expect.stringMatching(
						/^the pattern \^\(a\+\)\+\$ could take time growing exponentially with the text: it repeats a group/,
					),
				},
			],
		});
	});

	it('refuses patterns longer than 1,000 characters', () => {
		expect(refusal(`^${'a'.repeat(1001)}$`)).toMatch(/longer than 1,000 characters/);
	});
});

describe('patterns accepted', () => {
	it.each([
		['^\\d{4}-\\d{2}-\\d{2}$', 'linear'],
		['^[A-Z]{2}\\d{4}$', 'linear'],
		['^[a-z]+(-[a-z]+)*$', 'linear'],
		['^\\d+(\\.\\d+)*$', 'linear'],
		['^[^@\\s]+@[^@\\s.]+(\\.[^@\\s.]+)+$', 'linear'],
		['^[^@\\s]+@[^@\\s]+\\.[^@\\s.]+$', 'quadratic'],
		['^https?://\\S+$', 'linear'],
		['^(?:[^"\\\\]|\\\\.)*$', 'linear'],
		['^[^<>]*$', 'linear'],
		['^(\\d+,)*\\d+$', 'quadratic'],
		['^(Mr|Mrs|Ms)\\.? [A-Z][a-z]+$', 'linear'],
		['^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$', 'quadratic'],
		['^.*\\.pdf$', 'quadratic'],
		['\\d+', 'quadratic'],
		['[A-Z]', 'linear'],
		['^$', 'linear'],
		['', 'linear'],
	])('%s (%s)', (pattern, growth) => {
		expect(analysePattern(pattern)).toEqual({ ok: true, growth });
	});
});

describe('validation runs accepted patterns on bounded text', () => {
	it('checks text up to the cap of its pattern, refuses longer text with the cap named', () => {
		const quadratic = { type: 'string', pattern: '^.*\\.pdf$' };
		expect(validateJson(`${'a'.repeat(MAX_PATTERN_TEXT_CHARS - 4)}.pdf`, quadratic).ok).toBe(true);
		const long = validateJson(`${'a'.repeat(MAX_PATTERN_TEXT_CHARS)}.pdf`, quadratic);
		expect(long.ok ? 'ok' : formatSchemaError(long)).toBe(
			`the value: is ${MAX_PATTERN_TEXT_CHARS + 4} characters long; the pattern /^.*\\.pdf$/ is checked on at most 1,000 characters`,
		);
		const linear = { type: 'string', pattern: '^[^<>]*$' };
		expect(validateJson('a'.repeat(MAX_PATTERN_TEXT_CHARS_LINEAR), linear).ok).toBe(true);
		expect(validateJson('a'.repeat(MAX_PATTERN_TEXT_CHARS_LINEAR + 1), linear).ok).toBe(false);
	});

	it('refuses an unsafe pattern even when the schema was not checked first', () => {
		const result = validateJson(`${'a'.repeat(40)}!`, { type: 'string', pattern: '^(a+)+$' });
		expect(result.ok ? 'ok' : formatSchemaError(result)).toMatch(
			/^the value: the schema's pattern \^\(a\+\)\+\$ is not checked: it could take time growing exponentially/,
		);
	});

	it('still reports a text that does not match', () => {
		expect(validateJson('ab', { type: 'string', pattern: '^\\d+$' })).toMatchObject({
			ok: false,
			problem: 'expected text matching /^\\d+$/',
		});
	});
});
