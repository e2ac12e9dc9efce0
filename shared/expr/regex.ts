/**
 * Regexes from flows (`matches` in URL rules and conditions) and regex entities run against
 * visitor input, which an attacker controls. They run on RE2 (re2js, a pure-JS port), whose
 * matching time is linear in the input: no pattern can backtrack, catastrophically
 * (`(a+)+$`) or polynomially (`a*a*a*b`, which heuristics such as star height miss). The
 * price is RE2's dialect: no lookarounds and no backreferences (the checks below name them).
 * Patterns that RE2 cannot compile never match.
 */
import { RE2JS } from 're2js';

export const MAX_PATTERN_LENGTH = 500;
/** Visitor text longer than this is cut before matching, which bounds the work per test. */
export const MAX_SUBJECT_LENGTH = 4000;

export type RegexCheck = { ok: true; regex: RE2JS } | { ok: false; reason: string };

const cache = new Map<string, RegexCheck>();

/** Compiles a flow pattern (case-insensitive) with RE2, or says why it cannot. Cached. */
export function checkPattern(pattern: string): RegexCheck {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const result = compilePattern(pattern, RE2JS.CASE_INSENSITIVE);
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, result);
  return result;
}

/** Compiles any admin-authored pattern with RE2 and the given RE2JS flags (not cached). */
export function compilePattern(pattern: string, flags = 0): RegexCheck {
  if (pattern.length > MAX_PATTERN_LENGTH)
    return { ok: false, reason: `pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  try {
    return { ok: true, regex: RE2JS.compile(pattern, flags) };
  } catch (error) {
    return { ok: false, reason: unsupportedReason(pattern) ?? invalidReason(error) };
  }
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
