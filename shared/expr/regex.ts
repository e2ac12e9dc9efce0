/**
 * Regexes from flows (`matches` in URL rules and conditions) and regex entities run against
 * visitor input, which an attacker controls. They run on RE2 (re2js, a pure-JS port), whose
 * matching time is linear in the input: no pattern can backtrack, catastrophically
 * (`(a+)+$`) or polynomially (`a*a*a*b`, which heuristics such as star height miss). The
 * price is RE2's dialect: no lookarounds and no backreferences (the checks below name them).
 * Patterns that RE2 cannot compile never match.
 */
import { RE2JS } from 're2js';
import { regexSizeBound } from './regex-size.ts';

export const MAX_PATTERN_LENGTH = 500;
/**
 * The most a pattern may expand to (`regexSizeBound`, about RE2's instructions): matching costs
 * up to the input times this, and compiling and caching grow with it. `\d{4}-\d{2}-\d{2}` is
 * about 40, an email pattern about 30, `.{0,200}` about 600; `[a-z]{1000}` is refused.
 */
export const MAX_PATTERN_SIZE = 1000;
/** The cache is emptied when the patterns it holds expand to more than this in all. */
const MAX_CACHED_SIZE = 100_000;
/** Visitor text longer than this is cut before matching, which bounds the work per test. */
export const MAX_SUBJECT_LENGTH = 4000;

export type RegexCheck = { ok: true; regex: RE2JS } | { ok: false; reason: string };

/** Compiled flow patterns, shared by every pilot of the isolate: bounded in count and size. */
const cache = new Map<string, RegexCheck>();
let cachedSize = 0;

/** Compiles a flow pattern (case-insensitive) with RE2, or says why it cannot. Cached. */
export function checkPattern(pattern: string): RegexCheck {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const result = compilePattern(pattern, RE2JS.CASE_INSENSITIVE);
  const size = result.ok ? (programSize(result.regex) ?? regexSizeBound(pattern)) : 1;
  if (cache.size >= 1000 || cachedSize + size > MAX_CACHED_SIZE) {
    cache.clear();
    cachedSize = 0;
  }
  cache.set(pattern, result);
  cachedSize += size;
  return result;
}

/** Compiles any admin-authored pattern with RE2 and the given RE2JS flags (not cached). */
export function compilePattern(pattern: string, flags = 0): RegexCheck {
  if (pattern.length > MAX_PATTERN_LENGTH)
    return { ok: false, reason: `pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  // Refused before compiling: the compile itself is the cost to bound.
  if (regexSizeBound(pattern, MAX_PATTERN_SIZE) > MAX_PATTERN_SIZE) return tooLarge;
  try {
    const regex = RE2JS.compile(pattern, flags);
    // The compiled program is the truth: a bound that missed a construct is caught here.
    if ((programSize(regex) ?? 0) > MAX_PATTERN_SIZE) return tooLarge;
    return { ok: true, regex };
  } catch (error) {
    return { ok: false, reason: unsupportedReason(pattern) ?? invalidReason(error) };
  }
}

const tooLarge: RegexCheck = {
  ok: false,
  reason: `pattern is too large: its repetitions expand to more than ${MAX_PATTERN_SIZE} steps (write a smaller count, e.g. {1,50} or +)`,
};

/**
 * The number of instructions RE2 compiled (re2js keeps its program on the instance; null if a
 * later re2js stops doing so, and then the text's bound alone decides).
 */
function programSize(regex: RE2JS): number | null {
  const size = (regex as unknown as { re2Input?: { prog?: { inst?: unknown[] } } }).re2Input?.prog
    ?.inst?.length;
  return typeof size === 'number' ? size : null;
}

function invalidReason(error: unknown): string {
  const detail = (error as Error).message.replace(/^error parsing regexp: /, '');
  return `invalid regular expression (RE2 syntax): ${detail}`;
}

/**
 * A clearer reason for the JavaScript-only features RE2 refuses, once RE2 has refused the
 * pattern (so an escaped `\\1` or a `(?=` inside a class is never blamed wrongly).
 */
function unsupportedReason(pattern: string): string | null {
  if (/\(\?<?[=!]/.test(pattern))
    return 'lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported: flow regexes use RE2 syntax';
  if (/\\[1-9]|\\k</.test(pattern))
    return 'backreferences (\\1, \\k<name>) are not supported: flow regexes use RE2 syntax';
  return null;
}

/** True when `subject` matches `pattern` anywhere; patterns RE2 refuses match nothing. */
export function safeMatch(pattern: string, subject: string): boolean {
  const check = checkPattern(pattern);
  if (!check.ok) return false;
  return check.regex.test(
    subject.length > MAX_SUBJECT_LENGTH ? subject.slice(0, MAX_SUBJECT_LENGTH) : subject,
  );
}
