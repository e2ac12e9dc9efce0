import { describe, expect, it } from 'vitest';
import {
  addTo,
  CONDITION_OPS,
  type Condition,
  fromRoot,
  getAt,
  knownFields,
  moveAt,
  NAMESPACES,
  newRule,
  OP_LABELS,
  parseValue,
  removeAt,
  ruleProblem,
  setGroupKind,
  splitField,
  toggleNot,
  toRoot,
  valueKind,
  withOp,
} from '../../console/forms/condition-model.ts';
import { conditionSchema } from '../../shared/expr/condition-schema.ts';
import { evaluateCondition } from '../../shared/expr/conditions.ts';

const rule = (field: string, op: string, value: unknown) => ({ field, op, value }) as Condition;
const unary = (field: string, op: string) => ({ field, op }) as Condition;

describe('condition builder model', () => {
  it('edits a tree by path: add, nest, negate, switch all/any, move, remove', () => {
    let root: Condition = toRoot(undefined);
    root = addTo(root, [], unary('contact.email', 'is_not_empty'));
    root = addTo(root, [], { any: [] });
    root = addTo(root, [1], rule('visitor.country', 'eq', 'FR'));
    root = addTo(root, [1], rule('visitor.country', 'eq', 'DE'));
    root = toggleNot(root, [0]);
    root = setGroupKind(root, [1], 'all');
    expect(root).toEqual({
      all: [
        { not: { field: 'contact.email', op: 'is_not_empty' } },
        { all: [rule('visitor.country', 'eq', 'FR'), rule('visitor.country', 'eq', 'DE')] },
      ],
    });
    root = moveAt(root, [1, 1], -1);
    expect(getAt(root, [1, 0])).toEqual(rule('visitor.country', 'eq', 'DE'));
    // Moving past either end changes nothing.
    expect(moveAt(root, [1, 0], -1)).toEqual(root);
    // Removing the child of a `not` removes the `not` too.
    root = removeAt(root, [0, 0]);
    root = toggleNot(root, [0]);
    root = toggleNot(root, [0]);
    expect(root).toEqual({
      all: [{ all: [rule('visitor.country', 'eq', 'DE'), rule('visitor.country', 'eq', 'FR')] }],
    });
    expect(conditionSchema.safeParse(root).success).toBe(true);
    expect(fromRoot(toRoot(removeAt(root, [0])) as { all: Condition[] })).toBeUndefined();
  });

  it('wraps a bare rule in a group and leaves the input untouched', () => {
    const bare = unary('time.office_hours', 'is_true');
    const root = toRoot(bare);
    expect(root).toEqual({ all: [bare] });
    const next = addTo(root, [], newRule());
    expect(root).toEqual({ all: [bare] });
    expect(next).not.toBe(root);
  });

  it('offers every operator of the flow format, each with a label and a value shape', () => {
    expect(Object.keys(OP_LABELS).sort()).toEqual([...CONDITION_OPS].sort());
    expect(valueKind('is_true')).toBe('none');
    expect(valueKind('between')).toBe('pair');
    expect(valueKind('has_any')).toBe('list');
    expect(valueKind('within_last')).toBe('duration');
    expect(valueKind('gte')).toBe('number');
    expect(valueKind('before')).toBe('date');
    expect(valueKind('matches')).toBe('text');
  });

  it('parses typed values into what the engine compares, and the engine agrees', () => {
    expect(parseValue('in', 'FR, DE ,, 3')).toEqual(['FR', 'DE', 3]);
    expect(parseValue('between', '10', '20')).toEqual([10, 20]);
    expect(parseValue('gt', '2.5')).toBe(2.5);
    expect(parseValue('gt', '{{variable.limit}}')).toBe('{{variable.limit}}');
    expect(parseValue('is_empty', 'x')).toBeUndefined();
    const between = {
      field: 'variable.n',
      op: 'between' as const,
      value: parseValue('between', '10', '20'),
    };
    expect(evaluateCondition(between, { variable: { n: 15 } }, 0)).toBe(true);
    expect(evaluateCondition(between, { variable: { n: 25 } }, 0)).toBe(false);
    const inList = {
      field: 'visitor.country',
      op: 'in' as const,
      value: parseValue('in', 'FR, DE'),
    };
    expect(evaluateCondition(inList, { visitor: { country: 'DE' } }, 0)).toBe(true);
  });

  it('keeps the value when the new operator takes the same shape, drops it for unary ones', () => {
    const r = { field: 'contact.email', op: 'eq' as const, value: 'a@b.c' };
    expect(withOp(r, 'contains')).toEqual({ ...r, op: 'contains' });
    expect(withOp(r, 'is_empty')).toEqual({ field: 'contact.email', op: 'is_empty' });
    expect(withOp({ field: 'visitor.country', op: 'eq', value: 'FR, DE' }, 'in')).toEqual({
      field: 'visitor.country',
      op: 'in',
      value: ['FR', 'DE'],
    });
  });

  it("reports the schema's complaint about a rule", () => {
    expect(ruleProblem({ field: 'contact.email', op: 'eq', value: 'x' })).toBeNull();
    expect(ruleProblem({ field: 'contact.', op: 'eq', value: 'x' })).toMatch(/^field: /);
    expect(ruleProblem({ field: 'nowhere.x', op: 'eq', value: 'x' })).toMatch(/namespace\.path/);
  });

  it('suggests the known fields of every namespace, including flow and pilot variables', () => {
    for (const ns of NAMESPACES) expect(Array.isArray(knownFields(ns))).toBe(true);
    expect(knownFields('system')).toContain('system.last_utterance');
    expect(knownFields('time')).toContain('time.office_hours');
    expect(knownFields('agents')).toContain('agents.available_count');
    expect(knownFields('visitor')).toContain('visitor.utm_source');
    expect(knownFields('variable', { variables: ['plan'] })).toEqual(['variable.plan']);
    expect(knownFields('pilot', { pilotVariables: ['api_url'] })).toContain('pilot.api_url');
    expect(splitField('event.props.total')).toEqual({ namespace: 'event', path: 'props.total' });
  });
});
