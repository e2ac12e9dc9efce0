/**
 * Evaluates conditions (SPEC 3.5) with the coercion rules of coerce.ts. Never throws: a rule
 * whose values do not coerce is simply false (its negated ops true). Text comparisons are
 * case-insensitive unless `caseSensitive`; string values may hold templates.
 */

import { isMissing, toBoolean, toDate, toDurationMs, toList, toNumber, toText } from './coerce.ts';
import type { Condition, ConditionRule } from './condition-schema.ts';
import { safeMatch } from './regex.ts';
import { renderBudget } from './size.ts';
import { readPath, renderValue } from './template.ts';

/** Set when a rule's templated value was over MAX_RENDERED_CHARS (the rule is then false). */
export interface TooLarge {
  exceeded: boolean;
}

export function evaluateCondition(
  condition: Condition,
  scope: Readonly<Record<string, unknown>>,
  now: number,
  tooLarge?: TooLarge,
): boolean {
  if ('all' in condition)
    return condition.all.every((c) => evaluateCondition(c, scope, now, tooLarge));
  if ('any' in condition)
    return condition.any.some((c) => evaluateCondition(c, scope, now, tooLarge));
  if ('not' in condition) return !evaluateCondition(condition.not, scope, now, tooLarge);
  return evaluateRule(condition, scope, now, tooLarge);
}

export function evaluateRule(
  rule: ConditionRule,
  scope: Readonly<Record<string, unknown>>,
  now: number,
  tooLarge?: TooLarge,
): boolean {
  const actual = readPath(scope, rule.field);
  // Each rule's value gets its own budget (limits.ts MAX_RENDERED_CHARS).
  const budget = renderBudget();
  const expected = renderValue(rule.value, scope, budget);
  if (budget.exceeded) {
    if (tooLarge) tooLarge.exceeded = true;
    return false;
  }
  const fold = (value: unknown) => {
    const text = toText(value).trim();
    return rule.caseSensitive ? text : text.toLowerCase();
  };
  switch (rule.op) {
    case 'is_empty':
      return isMissing(actual);
    case 'is_not_empty':
      return !isMissing(actual);
    case 'is_true':
      return toBoolean(actual) === true;
    case 'is_false':
      return toBoolean(actual) !== true;
    case 'eq':
      return equals(actual, expected, fold);
    case 'neq':
      return !equals(actual, expected, fold);
    case 'contains':
      return contains(actual, expected, fold);
    case 'not_contains':
      return !contains(actual, expected, fold);
    case 'starts_with':
      return !isMissing(actual) && fold(actual).startsWith(fold(expected));
    case 'ends_with':
      return !isMissing(actual) && fold(actual).endsWith(fold(expected));
    case 'matches':
      return !isMissing(actual) && safeMatch(toText(expected), toText(actual));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return compareOp(rule.op, compare(actual, expected));
    case 'between': {
      const [low, high] = toList(expected);
      const lowCmp = compare(actual, low);
      const highCmp = compare(actual, high);
      return lowCmp !== undefined && highCmp !== undefined && lowCmp >= 0 && highCmp <= 0;
    }
    case 'in':
      return !isMissing(actual) && toList(expected).some((item) => equals(actual, item, fold));
    case 'not_in':
      return isMissing(actual) || !toList(expected).some((item) => equals(actual, item, fold));
    case 'has_any': {
      const have = toList(actual).map(fold);
      return toList(expected).some((item) => have.includes(fold(item)));
    }
    case 'has_all': {
      const have = toList(actual).map(fold);
      const want = toList(expected);
      return want.length > 0 && want.every((item) => have.includes(fold(item)));
    }
    case 'before':
    case 'after': {
      const a = toDate(actual);
      const b = toDate(expected);
      if (a === undefined || b === undefined) return false;
      return rule.op === 'before' ? a < b : a > b;
    }
    case 'within_last': {
      const at = toDate(actual);
      const span = toDurationMs(expected);
      return at !== undefined && span !== undefined && at <= now && now - at <= span;
    }
    default:
      return false;
  }
}

/** Numbers compare as numbers, booleans as booleans, lists by membership, else as text. */
function equals(actual: unknown, expected: unknown, fold: (value: unknown) => string): boolean {
  if (Array.isArray(actual)) return actual.some((item) => equals(item, expected, fold));
  if (isMissing(actual)) return isMissing(expected);
  if (typeof actual === 'number' || typeof expected === 'number') {
    const a = toNumber(actual);
    const b = toNumber(expected);
    if (a !== undefined && b !== undefined) return a === b;
  }
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    const a = toBoolean(actual);
    const b = toBoolean(expected);
    if (a !== undefined && b !== undefined) return a === b;
  }
  return fold(actual) === fold(expected);
}

/** Text: substring. Lists: has an item equal to the value. */
function contains(actual: unknown, expected: unknown, fold: (value: unknown) => string): boolean {
  if (isMissing(actual)) return false;
  if (Array.isArray(actual)) return actual.some((item) => equals(item, expected, fold));
  return fold(actual).includes(fold(expected));
}

/** -1/0/1 comparing numbers, else dates; undefined when the two do not coerce alike. */
function compare(actual: unknown, expected: unknown): number | undefined {
  const a = toNumber(actual);
  const b = toNumber(expected);
  if (a !== undefined && b !== undefined) return Math.sign(a - b);
  const da = toDate(actual);
  const db = toDate(expected);
  if (da !== undefined && db !== undefined) return Math.sign(da - db);
  return undefined;
}

function compareOp(op: 'gt' | 'gte' | 'lt' | 'lte', cmp: number | undefined): boolean {
  if (cmp === undefined) return false;
  if (op === 'gt') return cmp > 0;
  if (op === 'gte') return cmp >= 0;
  if (op === 'lt') return cmp < 0;
  return cmp <= 0;
}
