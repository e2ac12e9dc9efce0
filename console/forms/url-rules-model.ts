/**
 * URL rules of a page-visited trigger (OR-ed; none = every page) and the "test a URL" check,
 * using the runtime's own matcher (shared/flow/match.ts), so the answer is the one a visitor
 * would get.
 */

import { checkPattern } from '../../shared/expr/regex.ts';
import { urlRuleMatches } from '../../shared/flow/match.ts';
import { URL_OPS, type UrlRule, urlRuleSchema } from '../../shared/flow/triggers.ts';

export { URL_OPS, type UrlRule };

/** The schema allows 50 rules per trigger. */
export const MAX_URL_RULES = 50;

export const URL_OP_LABELS: Record<UrlRule['op'], string> = {
  any: 'any page',
  is: 'is',
  is_not: 'is not',
  starts_with: 'starts with',
  ends_with: 'ends with',
  contains: 'contains',
  not_contains: 'does not contain',
  matches: 'matches regex',
};

export type UrlTest =
  | { matches: true; ruleIndex: number | null; text: string }
  | { matches: false; text: string };

/** Whether a page at `url` starts the flow, and which rule (1-based in the text) said so. */
export function testUrl(rules: readonly UrlRule[], url: string): UrlTest {
  if (rules.length === 0)
    return { matches: true, ruleIndex: null, text: 'Matches: no rules means every page' };
  const index = rules.findIndex((rule) => urlRuleMatches(rule, url));
  if (index < 0) return { matches: false, text: 'Does not match any rule' };
  const rule = rules[index]!;
  const shown = rule.op === 'any' ? URL_OP_LABELS.any : `${URL_OP_LABELS[rule.op]} ${rule.value}`;
  return { matches: true, ruleIndex: index, text: `Matches rule ${index + 1} (${shown})` };
}

/** What is wrong with a rule (schema, or an unsafe/invalid regex), or null. */
export function urlRuleProblem(rule: UrlRule): string | null {
  const parsed = urlRuleSchema.safeParse(rule);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? 'Invalid rule';
  if (rule.op === 'matches') {
    const check = checkPattern(rule.value);
    if (!check.ok) return `Regex never matches: ${check.reason}`;
  }
  if (rule.op !== 'any' && rule.value.trim() === '') return 'Enter a value';
  return null;
}
