/**
 * The condition builder's model (SPEC 3.5 conditions): pure edits of an `all`/`any`/`not` tree
 * addressed by paths of child indexes, and how each operator takes its value. The component
 * (condition-builder.tsx) only renders this; test/console/forms-condition.test.ts covers it.
 */
import {
  CONDITION_OPS,
  type Condition,
  type ConditionOp,
  type ConditionRule,
  conditionRuleSchema,
  NAMESPACES,
  type Namespace,
  UNARY_OPS,
} from '../../shared/expr/condition-schema.ts';
import {
  AGENTS_FIELDS,
  SYSTEM_FIELDS,
  TIME_FIELDS,
  VISITOR_FIELDS,
} from '../../shared/flow/references.ts';

export type { Condition, ConditionOp, ConditionRule, Namespace };
export { CONDITION_OPS, NAMESPACES };

/** Where a node sits in the tree: child indexes from the root group (`not` has one child, 0). */
export type TreePath = readonly number[];

export type Group = { all: Condition[] } | { any: Condition[] };

export const isGroup = (c: Condition): c is Group => 'all' in c || 'any' in c;
export const isNot = (c: Condition): c is { not: Condition } => 'not' in c;
export const isRule = (c: Condition): c is ConditionRule => 'field' in c;

export const groupKind = (g: Group): 'all' | 'any' => ('all' in g ? 'all' : 'any');
export const groupItems = (g: Group): Condition[] => ('all' in g ? g.all : g.any);

/** The tree the builder edits: always a group at the root (a bare rule becomes `all: [rule]`). */
export function toRoot(value: Condition | undefined): Group {
  if (!value) return { all: [] };
  return isGroup(value) ? value : { all: [value] };
}

/** What the builder hands back: no condition for an empty root group. */
export function fromRoot(root: Group): Condition | undefined {
  return groupItems(root).length === 0 ? undefined : root;
}

function childrenOf(c: Condition): Condition[] {
  if (isGroup(c)) return groupItems(c);
  if (isNot(c)) return [c.not];
  return [];
}

function withChildren(c: Condition, children: Condition[]): Condition {
  if ('all' in c) return { all: children };
  if ('any' in c) return { any: children };
  if (isNot(c)) return { not: children[0]! };
  return c;
}

export function getAt(root: Condition, path: TreePath): Condition | undefined {
  let node: Condition | undefined = root;
  for (const i of path) node = node ? childrenOf(node)[i] : undefined;
  return node;
}

/** `root` with the node at `path` replaced by `update(node)` (structural sharing elsewhere). */
export function updateAt(
  root: Condition,
  path: TreePath,
  update: (node: Condition) => Condition,
): Condition {
  if (path.length === 0) return update(root);
  const [head, ...rest] = path;
  const children = childrenOf(root);
  const child = children[head!];
  if (!child) return root;
  const next = children.slice();
  next[head!] = updateAt(child, rest, update);
  return withChildren(root, next);
}

/** Appends `item` to the group at `path`. */
export function addTo(root: Condition, path: TreePath, item: Condition): Condition {
  return updateAt(root, path, (node) =>
    isGroup(node) ? withChildren(node, [...groupItems(node), item]) : node,
  );
}

/** Removes the node at `path` (a `not` losing its child goes too). */
export function removeAt(root: Condition, path: TreePath): Condition {
  if (path.length === 0) return root;
  const parentPath = path.slice(0, -1);
  const index = path[path.length - 1]!;
  const parent = getAt(root, parentPath);
  if (parent && isNot(parent)) return removeAt(root, parentPath);
  return updateAt(root, parentPath, (node) =>
    isGroup(node)
      ? withChildren(
          node,
          groupItems(node).filter((_, i) => i !== index),
        )
      : node,
  );
}

/** Switches a group between "all of" and "any of", keeping its items. */
export function setGroupKind(root: Condition, path: TreePath, kind: 'all' | 'any'): Condition {
  return updateAt(root, path, (node) =>
    isGroup(node) ? (kind === 'all' ? { all: groupItems(node) } : { any: groupItems(node) }) : node,
  );
}

/** Wraps the node at `path` in `not`, or unwraps it when it already is one. */
export function toggleNot(root: Condition, path: TreePath): Condition {
  return updateAt(root, path, (node) => (isNot(node) ? node.not : { not: node }));
}

/** Moves the item at `path` one place up or down within its group. */
export function moveAt(root: Condition, path: TreePath, delta: -1 | 1): Condition {
  const parentPath = path.slice(0, -1);
  const index = path[path.length - 1]!;
  return updateAt(root, parentPath, (node) => {
    if (!isGroup(node)) return node;
    const items = groupItems(node).slice();
    const target = index + delta;
    if (target < 0 || target >= items.length) return node;
    [items[index], items[target]] = [items[target]!, items[index]!];
    return withChildren(node, items);
  });
}

/** How an operator takes its value. */
export type ValueKind = 'none' | 'text' | 'number' | 'date' | 'pair' | 'list' | 'duration';

export function valueKind(op: ConditionOp): ValueKind {
  if (UNARY_OPS.has(op)) return 'none';
  switch (op) {
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return 'number';
    case 'before':
    case 'after':
      return 'date';
    case 'between':
      return 'pair';
    case 'in':
    case 'not_in':
    case 'has_any':
    case 'has_all':
      return 'list';
    case 'within_last':
      return 'duration';
    default:
      return 'text';
  }
}

export const OP_LABELS: Record<ConditionOp, string> = {
  eq: 'equals',
  neq: 'does not equal',
  contains: 'contains',
  not_contains: 'does not contain',
  starts_with: 'starts with',
  ends_with: 'ends with',
  is_empty: 'is empty',
  is_not_empty: 'is not empty',
  matches: 'matches regex',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  between: 'is between',
  in: 'is one of',
  not_in: 'is none of',
  has_any: 'has any of',
  has_all: 'has all of',
  before: 'is before',
  after: 'is after',
  within_last: 'is within the last',
  is_true: 'is true',
  is_false: 'is false',
};

type Scalar = string | number | boolean | null;

/** A typed-in number stays a number; anything else (a template, say) stays text. */
function scalarOf(text: string): Scalar {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

/** The rule's value from what the admin typed for an operator. */
export function parseValue(op: ConditionOp, text: string, high = ''): ConditionRule['value'] {
  switch (valueKind(op)) {
    case 'none':
      return undefined;
    case 'number':
      return scalarOf(text);
    case 'pair':
      return [scalarOf(text), scalarOf(high)];
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(scalarOf);
    default:
      return text;
  }
}

/** What the inputs show for a rule's value (`[low, high]` for between). */
export function formatValue(value: ConditionRule['value']): [string, string] {
  if (value === undefined || value === null) return ['', ''];
  if (Array.isArray(value)) return [value.map(String).join(', '), ''];
  return [String(value), ''];
}

export function formatPair(value: ConditionRule['value']): [string, string] {
  if (Array.isArray(value)) return [String(value[0] ?? ''), String(value[1] ?? '')];
  return [value === undefined || value === null ? '' : String(value), ''];
}

/** The rule after choosing another operator: the value is carried over when it still fits. */
export function withOp(rule: ConditionRule, op: ConditionOp): ConditionRule {
  const { value: _old, ...rest } = rule;
  const kind = valueKind(op);
  if (kind === 'none') return { ...rest, op };
  if (valueKind(rule.op) === kind) return { ...rest, op, value: rule.value };
  const [text] = formatValue(rule.value);
  const value = parseValue(op, kind === 'pair' ? text : text);
  return value === undefined ? { ...rest, op } : { ...rest, op, value };
}

/** A new rule: the first suggested field of the namespace, "equals", empty value. */
export function newRule(field = 'contact.email'): ConditionRule {
  return { field, op: 'eq', value: '' };
}

/** Known fields of a namespace, for the field box's suggestions. */
export function knownFields(
  namespace: Namespace,
  scope: { variables?: readonly string[]; pilotVariables?: readonly string[] } = {},
): string[] {
  const fixed: Partial<Record<Namespace, readonly string[]>> = {
    system: SYSTEM_FIELDS,
    time: TIME_FIELDS,
    agents: AGENTS_FIELDS,
    visitor: VISITOR_FIELDS,
    contact: ['id', 'email', 'first_name', 'last_name', 'name', 'phone', 'company', 'tags'],
    conversation: ['id', 'status', 'mode'],
    event: ['name', 'props'],
    intent: ['name', 'confidence'],
    entity: [],
    variable: scope.variables ?? [],
    pilot: ['name', 'id', ...(scope.pilotVariables ?? [])],
  };
  return (fixed[namespace] ?? []).map((f) => `${namespace}.${f}`);
}

/** The schema's complaint about one rule (field format, value shape), or null. */
export function ruleProblem(rule: ConditionRule): string | null {
  const parsed = conditionRuleSchema.safeParse(rule);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  return issue ? `${issue.path.join('.') || 'rule'}: ${issue.message}` : 'Invalid rule';
}

/** Splits `contact.first_name` into its namespace and the rest. */
export function splitField(field: string): { namespace: Namespace; path: string } {
  const dot = field.indexOf('.');
  const head = (dot < 0 ? field : field.slice(0, dot)) as Namespace;
  const namespace = (NAMESPACES as readonly string[]).includes(head) ? head : 'contact';
  return { namespace, path: dot < 0 ? '' : field.slice(dot + 1) };
}
