import { describe, expect, it } from 'vitest';
import type { ConditionRule } from '../../shared/expr/condition-schema.ts';
import { evaluateCondition, evaluateRule } from '../../shared/expr/conditions.ts';

const NOW = Date.parse('2026-11-24T10:00:00Z');
const scope = {
  contact: {
    email: 'Ada@Example.com',
    plan: 'pro',
    tags: ['vip', 'beta'],
    age: '42',
    signed_up: '2026-11-20',
  },
  visitor: {
    visit_count: 3,
    is_returning: true,
    country: 'DE',
    page_url: 'https://shop.example/pricing?x=1',
  },
  variable: { total: 120, empty: '', none: null, list: [] },
  event: { props: { total: '99.5' } },
};
const rule = (field: string, op: ConditionRule['op'], value?: ConditionRule['value']) =>
  evaluateRule({ field, op, ...(value !== undefined ? { value } : {}) }, scope, NOW);

describe('conditions: every operator with its coercion', () => {
  it.each<[string, ConditionRule['op'], ConditionRule['value'] | undefined, boolean]>([
    ['contact.email', 'eq', 'ada@example.com', true],
    ['contact.age', 'eq', 42, true],
    ['visitor.is_returning', 'eq', 'true', true],
    ['contact.plan', 'neq', 'free', true],
    ['contact.missing', 'neq', 'x', true],
    ['contact.email', 'contains', '@EXAMPLE', true],
    ['contact.tags', 'contains', 'VIP', true],
    ['contact.email', 'not_contains', 'gmail', true],
    ['contact.missing', 'contains', '', false],
    ['visitor.page_url', 'starts_with', 'https://shop', true],
    ['visitor.page_url', 'ends_with', 'x=1', true],
    ['variable.empty', 'is_empty', undefined, true],
    ['variable.none', 'is_empty', undefined, true],
    ['variable.list', 'is_empty', undefined, true],
    ['contact.missing', 'is_empty', undefined, true],
    ['contact.email', 'is_not_empty', undefined, true],
    ['contact.email', 'matches', '^ada@.+\\.com$', true],
    ['contact.email', 'matches', '(a+)+$', false],
    ['variable.total', 'gt', '100', true],
    ['event.props.total', 'gte', 99.5, true],
    ['contact.age', 'lt', 50, true],
    ['visitor.visit_count', 'lte', 3, true],
    ['contact.plan', 'gt', 1, false],
    ['variable.total', 'between', [100, 200], true],
    ['contact.signed_up', 'between', ['2026-11-01', '2026-11-30'], true],
    ['visitor.country', 'in', ['de', 'at'], true],
    ['visitor.country', 'not_in', ['fr'], true],
    ['contact.missing', 'not_in', ['fr'], true],
    ['contact.tags', 'has_any', ['beta', 'alpha'], true],
    ['contact.tags', 'has_all', ['beta', 'vip'], true],
    ['contact.tags', 'has_all', ['beta', 'alpha'], false],
    ['contact.signed_up', 'before', '2026-11-21', true],
    ['contact.signed_up', 'after', '2026-11-21T00:00:00Z', false],
    ['contact.signed_up', 'within_last', '7d', true],
    ['contact.signed_up', 'within_last', '2h', false],
    ['contact.signed_up', 'within_last', 86_400 * 5, true],
    ['visitor.is_returning', 'is_true', undefined, true],
    ['contact.missing', 'is_true', undefined, false],
    ['contact.missing', 'is_false', undefined, true],
  ])('%s %s %j -> %s', (field, op, value, expected) => {
    expect(rule(field, op, value)).toBe(expected);
  });

  it('compares case-sensitively only when asked', () => {
    const r: ConditionRule = { field: 'contact.plan', op: 'eq', value: 'PRO', caseSensitive: true };
    expect(evaluateRule(r, scope, NOW)).toBe(false);
  });

  it('renders templates in values before comparing', () => {
    expect(rule('contact.plan', 'eq', '{{variable.missing | "pro"}}')).toBe(true);
  });

  it('combines rules with all, any and not', () => {
    const yes = { field: 'contact.plan', op: 'eq', value: 'pro' } as const;
    const no = { field: 'contact.plan', op: 'eq', value: 'free' } as const;
    expect(evaluateCondition({ all: [yes, { not: no }] }, scope, NOW)).toBe(true);
    expect(evaluateCondition({ any: [no, { all: [] }] }, scope, NOW)).toBe(true);
    expect(evaluateCondition({ any: [] }, scope, NOW)).toBe(false);
  });

  it('does not read inherited properties as data', () => {
    expect(rule('contact.constructor', 'is_not_empty')).toBe(false);
  });
});
