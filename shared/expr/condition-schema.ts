/**
 * Conditions (SPEC 3.5): `all`/`any`/`not` groups over `{ field, op, value }` rules.
 * Used by `condition` nodes, trigger conditions and `set_variable`-free branching.
 */
import { z } from 'zod';

/** Every data namespace a field or template may read. */
export const NAMESPACES = [
  'contact',
  'company',
  'conversation',
  'visitor',
  'variable',
  'pilot',
  'system',
  'event',
  'intent',
  'entity',
  'time',
  'agents',
] as const;
export type Namespace = (typeof NAMESPACES)[number];

export const CONDITION_OPS = [
  'eq',
  'neq',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'is_empty',
  'is_not_empty',
  'matches',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'not_in',
  'has_any',
  'has_all',
  'before',
  'after',
  'within_last',
  'is_true',
  'is_false',
] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** Ops that take no `value`. */
export const UNARY_OPS: ReadonlySet<ConditionOp> = new Set([
  'is_empty',
  'is_not_empty',
  'is_true',
  'is_false',
]);

/** `namespace.path`, e.g. `contact.email`, `visitor.utm_source`, `event.props.total`. */
export const fieldSchema = z
  .string()
  .max(200)
  .regex(
    new RegExp(`^(${NAMESPACES.join('|')})\\.[A-Za-z0-9_\\-]+(\\.[A-Za-z0-9_\\-]+)*$`),
    'A field is namespace.path, e.g. contact.email',
  );

const scalar = z.union([z.string().max(4000), z.number(), z.boolean(), z.null()]);

/**
 * A rule's value: a scalar (strings may hold templates), a list (`in`, `has_any`, `between`
 * as `[low, high]`), or for `within_last` a duration such as `"30m"`, `"2h"`, `"7d"` or seconds.
 */
export const conditionValueSchema = z.union([scalar, z.array(scalar).max(500)]);

export const conditionRuleSchema = z.strictObject({
  field: fieldSchema,
  op: z.enum(CONDITION_OPS),
  value: conditionValueSchema.optional(),
  /** Case-sensitive text comparison; default false (case-insensitive). */
  caseSensitive: z.boolean().optional(),
});
export type ConditionRule = z.infer<typeof conditionRuleSchema>;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | ConditionRule;

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ all: z.array(conditionSchema).max(100) }),
    z.strictObject({ any: z.array(conditionSchema).max(100) }),
    z.strictObject({ not: conditionSchema }),
    conditionRuleSchema,
  ]),
);

/**
 * Calls `visit` for every rule in a condition tree (validator, variable checks), with the
 * rule's path below the condition (`all.1`, `any.0.not`; empty for a bare rule).
 */
export function forEachRule(
  condition: Condition,
  visit: (rule: ConditionRule, path: string) => void,
  path = '',
): void {
  const at = (key: string) => (path ? `${path}.${key}` : key);
  if ('all' in condition)
    condition.all.forEach((c, i) => {
      forEachRule(c, visit, at(`all.${i}`));
    });
  else if ('any' in condition)
    condition.any.forEach((c, i) => {
      forEachRule(c, visit, at(`any.${i}`));
    });
  else if ('not' in condition) forEachRule(condition.not, visit, at('not'));
  else visit(condition, path);
}
