/**
 * Regexes from flows (`matches` in URL rules and conditions) run against visitor input, so they
 * are checked before use: bounded size, valid syntax, and no nested quantifiers that backtrack
 * catastrophically (safe-regex2's star-height check). Unsafe patterns never match.
 */
import safeRegex from 'safe-regex2';

export const MAX_PATTERN_LENGTH = 500;
/** Visitor text longer than this is cut before matching, which bounds the work per test. */
export const MAX_SUBJECT_LENGTH = 4000;

export type RegexCheck = { ok: true; regex: RegExp } | { ok: false; reason: string };

const cache = new Map<string, RegexCheck>();

/** Compiles a flow pattern (case-insensitive) if it is safe to run. Cached per pattern. */
export function checkPattern(pattern: string): RegexCheck {
  const cached = cache.get(pattern);
  if (cached) return cached;
  const result = compile(pattern);
  if (cache.size > 1000) cache.clear();
  cache.set(pattern, result);
  return result;
}

function compile(pattern: string): RegexCheck {
  if (pattern.length > MAX_PATTERN_LENGTH)
    return { ok: false, reason: `pattern is longer than ${MAX_PATTERN_LENGTH} characters` };
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'i');
  } catch (error) {
    return { ok: false, reason: `invalid regular expression: ${(error as Error).message}` };
  }
  // Backreferences and lookarounds are not analysed by safe-regex2; reject them outright.
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(pattern))
    return { ok: false, reason: 'backreferences and lookarounds are not allowed' };
  if (!safeRegex(pattern, { limit: 25 }))
    return { ok: false, reason: 'pattern may backtrack catastrophically (nested quantifiers)' };
  return { ok: true, regex };
}

/** True when `subject` matches a safe `pattern`; unsafe or invalid patterns match nothing. */
export function safeMatch(pattern: string, subject: string): boolean {
  const check = checkPattern(pattern);
  if (!check.ok) return false;
  return check.regex.test(
    subject.length > MAX_SUBJECT_LENGTH ? subject.slice(0, MAX_SUBJECT_LENGTH) : subject,
  );
}
