/**
 * The pattern size bound (shared/expr/regex-size.ts): a hostile review crashed the runtime with
 * one read-key `POST /flows/validate` whose 2,000 `matches` rules were each `[a-z]{1000}` 39
 * times over — every pattern compiled (~20 ms, ~3 MB) and kept in the cache. The bound must
 * never be below what RE2 really compiles (else a big pattern slips through), and must refuse
 * those patterns before compiling them.
 */
import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { compilePattern, MAX_PATTERN_SIZE } from '../../shared/expr/regex.ts';
import { regexSizeBound } from '../../shared/expr/regex-size.ts';

/** RE2's own program length (re2js internals, read here only to check the bound). */
function compiledSize(pattern: string): number | null {
  try {
    const regex = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE) as unknown as {
      re2Input: { prog: { inst: unknown[] } };
    };
    return regex.re2Input.prog.inst.length;
  } catch {
    return null;
  }
}

/** Random patterns built from the pieces flows use: atoms, classes, groups, alternation, counts. */
const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      ...['a', 'b', 'é', '😀', '.', '\\d', '\\w', '\\b', '\\.', '^', '$', '\\x{41}', '\\pL'],
      ...['[a-z]', '[^/]', '[]a]', '[[:alpha:]]', '\\p{Greek}', '\\Qa{9}\\E', '(?i)'],
      ...['\\Q[\\E', '\\Q(?\\E', '\\Q]\\E', '\\Q\\E', '\\Q(ab'],
    ),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `${a}${b}`),
    fc.tuple(tie('re'), tie('re')).map(([a, b]) => `(${a}|${b})`),
    fc.tuple(tie('re'), fc.constantFrom('*', '+', '?', '*?', '+?')).map(([a, q]) => `(?:${a})${q}`),
    fc
      .tuple(tie('re'), fc.nat(60), fc.option(fc.nat(60)), fc.boolean())
      .map(([a, n, m, open]) =>
        open ? `(${a}){${n},}` : m === null ? `(${a}){${n}}` : `(${a}){${n},${n + m}}`,
      ),
  ),
})).re;

describe('the pattern size bound', () => {
  it('is never below the program RE2 compiles (1,000 random patterns)', () => {
    fc.assert(
      fc.property(pattern, (p) => {
        const real = compiledSize(p);
        if (real === null) return; // RE2 refuses it: nothing is compiled.
        expect(regexSizeBound(p), p).toBeGreaterThanOrEqual(real);
      }),
      { numRuns: 1000 },
    );
  });

  it('counts an empty alternative as the instruction RE2 compiles it to', () => {
    // Found by the property above on a random seed (CI): each counted nothing for an empty
    // alternative (`\Q\E`, `(?i)` or nothing at all before or after a `|`).
    for (const p of [
      '((\\Q\\E|a)((?i)|a)){0,5}',
      '(a(\\Q\\E|(a|\\Q\\E))){0,5}',
      '(|a){50}',
      '(a|){50}',
      '(|){999}',
      `${'(|){99}'.repeat(20)}`,
    ])
      expect(regexSizeBound(p), p).toBeGreaterThanOrEqual(compiledSize(p) ?? 0);
  });

  it('is close for the patterns flows really use, which all pass', () => {
    for (const p of [
      '\\d{4}-\\d{2}-\\d{2}',
      '^https?://[^/]+/(products|shop)/.*$',
      '[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}',
      '(?i)order\\s*#?\\s*(\\d{5,10})',
      '\\b[A-Z]{2}\\d{2}[A-Z0-9]{11,30}\\b',
    ]) {
      expect(compilePattern(p).ok, p).toBe(true);
      expect(regexSizeBound(p), p).toBeLessThan(8 * (compiledSize(p) ?? 0) + 40);
    }
  });

  it('refuses the attack patterns before compiling them, naming the cause', () => {
    const attack = `${'[a-z]{1000}'.repeat(39)}x`;
    // A second review: a quoted `[` (`\Q[\E`) once made the bound read the rest as one class.
    const quoted = `\\Q[\\E${'.{1000}'.repeat(68)}]`;
    const quotedGroup = `\\Q(?\\E${'\\w{999}'.repeat(60)}`;
    for (const p of [
      attack,
      quoted,
      quotedGroup,
      '[a-z]{1000}',
      '((a{10}){10}){10}',
      `${'(x{30}){30}'.repeat(3)}`,
    ]) {
      const check = compilePattern(p);
      expect(check.ok, p).toBe(false);
      if (!check.ok) expect(check.reason).toMatch(/too large/);
    }
    // The bound stops counting early: a long hostile pattern is read once, not expanded.
    expect(regexSizeBound(attack, MAX_PATTERN_SIZE)).toBe(Number.POSITIVE_INFINITY);
  });
});
