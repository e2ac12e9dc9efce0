/**
 * Flow regexes run on visitor text, so a write-key holder must not be able to freeze a
 * conversation with a pattern that backtracks. On a backtracking engine (JavaScript's RegExp)
 * each of these takes minutes to forever on 4,000 hostile characters (`a*a*b` is cubic and
 * passed the old star-height and alternation checks); the vitest timeout (5 s) fails them.
 * On RE2 they finish in milliseconds with the right answer.
 */
import { describe, expect, it } from 'vitest';
import { EntityExtractor, entityDefinitionSchema } from '../../shared/ai/entities.ts';
import { evaluateRule } from '../../shared/expr/conditions.ts';
import { checkPattern, MAX_SUBJECT_LENGTH, safeMatch } from '../../shared/expr/regex.ts';
import { urlRuleMatches } from '../../shared/flow/match.ts';

const HOSTILE = 'a'.repeat(4000);
const TIMEOUT = { timeout: 5000 };

describe('flow regexes resist ReDoS', () => {
  it(
    'accepts a polynomial-backtracking pattern and matches 4,000 hostile characters at once',
    TIMEOUT,
    () => {
      for (const pattern of ['a*a*b', 'a*a*a*a*a*a*b', '(a+)+b', '(a|aa)*c', '^(\\w+\\s?)*!$']) {
        expect(checkPattern(pattern).ok, pattern).toBe(true);
        expect(safeMatch(pattern, HOSTILE), pattern).toBe(false);
      }
      // Same answers a backtracking engine would give, only fast.
      // (One character shorter, so the final one is inside the 4,000 the matcher looks at.)
      expect(safeMatch('a*a*b', `${HOSTILE.slice(1)}B`)).toBe(true);
      expect(safeMatch('^(\\w+\\s?)*!$', `${HOSTILE.slice(1)}!`)).toBe(true);
    },
  );

  it('keeps a `matches` condition fast and exact on a hostile visitor message', TIMEOUT, () => {
    const rule = { field: 'conversation.last_message', op: 'matches', value: 'a*a*a*a*b' } as const;
    const scope = (text: string) => ({ conversation: { last_message: text } });
    expect(evaluateRule(rule, scope(HOSTILE), 0)).toBe(false);
    expect(evaluateRule(rule, scope(`${HOSTILE.slice(0, 100)}b`), 0)).toBe(true);
  });

  it('keeps a `matches` URL rule fast and exact on a hostile page URL', TIMEOUT, () => {
    const rule = { op: 'matches', value: '/a*a*a*a*b' } as const;
    expect(urlRuleMatches(rule, `https://shop.example/${HOSTILE}`)).toBe(false);
    expect(urlRuleMatches(rule, 'https://shop.example/aaab')).toBe(true);
  });

  it('only looks at the first MAX_SUBJECT_LENGTH characters of the subject', () => {
    const tail = `${'x'.repeat(MAX_SUBJECT_LENGTH)}needle`;
    expect(safeMatch('needle', tail)).toBe(false);
    expect(safeMatch('needle', tail.slice(10))).toBe(true);
  });

  it('runs regex entities on RE2 too: fast on hostile text, refusing lookarounds', TIMEOUT, () => {
    const extractor = new EntityExtractor([{ kind: 'regex', name: 'code', pattern: 'a*a*a*b' }]);
    const names = extractor.extract(HOSTILE, new Date(0)).map((m) => m.name);
    expect(names).not.toContain('code');
    const found = extractor.extract('code AAB here', new Date(0)).filter((m) => m.name === 'code');
    expect(found).toEqual([{ name: 'code', value: 'AAB', text: 'AAB' }]);
    const refused = entityDefinitionSchema.safeParse({
      kind: 'regex',
      name: 'x',
      pattern: 'SO-(?=\\d)',
    });
    expect(refused.error?.issues[0]?.path).toEqual(['pattern']);
    expect(refused.error?.issues[0]?.message).toMatch(/lookarounds .* RE2 syntax/);
  });
});
