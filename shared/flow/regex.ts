/**
 * Regexes from flows (`matches` in URL rules and conditions) and regex entities run against
 * visitor input, so they are checked before use: bounded size, valid syntax, no nested
 * quantifiers (safe-regex2's star-height check) and no alternation under an unbounded repeat
 * (`(a|aa)*`, which star height misses). Unsafe patterns never match.
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
  const reason = backtrackingRisk(pattern);
  return reason ? { ok: false, reason } : { ok: true, regex };
}

/** Why a (syntactically valid) pattern may backtrack catastrophically, or null. */
export function backtrackingRisk(pattern: string): string | null {
  // Backreferences and lookarounds are not analysed by safe-regex2; reject them outright.
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(pattern))
    return 'backreferences and lookarounds are not allowed';
  if (!safeRegex(pattern, { limit: 25 }))
    return 'pattern may backtrack catastrophically (nested quantifiers)';
  if (repeatedAlternation(pattern))
    return 'pattern may backtrack catastrophically (alternatives repeated with * + or {n,})';
  return null;
}

/**
 * Whether a group with alternatives is repeated without bound: `(a|aa)*c` takes exponential
 * time on "aaaa…" although its star height is 1. Conservative: `(https?|ftp)+` is refused too.
 */
function repeatedAlternation(pattern: string): boolean {
  const groups: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '(') groups.push(false);
    else if (c === '|' && groups.length > 0) groups[groups.length - 1] = true;
    else if (c === ')') {
      const alternates = groups.pop() ?? false;
      const repeat = /^(?:[*+]|\{\d*,(\d*)\})/.exec(pattern.slice(i + 1, i + 16));
      // `{1,3}` is harmless; `{0,}` and long ranges like `{1,50}` are not.
      if (
        alternates &&
        repeat &&
        (repeat[1] === undefined || repeat[1] === '' || Number(repeat[1]) > 10)
      )
        return true;
    }
  }
  return false;
}

/** True when `subject` matches a safe `pattern`; unsafe or invalid patterns match nothing. */
export function safeMatch(pattern: string, subject: string): boolean {
  const check = checkPattern(pattern);
  if (!check.ok) return false;
  return check.regex.test(
    subject.length > MAX_SUBJECT_LENGTH ? subject.slice(0, MAX_SUBJECT_LENGTH) : subject,
  );
}
