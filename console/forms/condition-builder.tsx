/**
 * The condition builder: `all`/`any` groups, `not`, and rules over every namespace and
 * operator of the flow format (SPEC 3.5). Controlled: `value` in, `onChange(next)` out;
 * `undefined` means "no condition". Every control is labelled by its position ("Rule 2.1
 * operator"), so the tree reads well to a screen reader; edits live in condition-model.ts.
 */
import { useId } from 'preact/hooks';
import { Button } from '../ui/button.tsx';
import {
  addTo,
  CONDITION_OPS,
  type Condition,
  type ConditionOp,
  type ConditionRule,
  formatPair,
  formatValue,
  fromRoot,
  type Group,
  groupItems,
  groupKind,
  isGroup,
  isNot,
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
  type TreePath,
  toggleNot,
  toRoot,
  updateAt,
  valueKind,
  withOp,
} from './condition-model.ts';

/** Nesting and width the builder offers (the schema allows 100 items per group). */
const MAX_DEPTH = 4;
const MAX_ITEMS = 100;

export interface ConditionBuilderProps {
  value: Condition | undefined;
  onChange: (next: Condition | undefined) => void;
  /** The legend of the whole builder, e.g. "Trigger conditions". */
  label: string;
  /** Flow variables and pilot globals (names without namespace), for field suggestions. */
  variables?: readonly string[];
  pilotVariables?: readonly string[];
}

type Described = { 'aria-describedby'?: string };

interface Ctx {
  root: Group;
  commit: (next: Condition) => void;
  scope: { variables: readonly string[]; pilotVariables: readonly string[] };
  listId: string;
}

export function ConditionBuilder(props: ConditionBuilderProps) {
  const root = toRoot(props.value);
  const listId = useId();
  const ctx: Ctx = {
    root,
    commit: (next) => props.onChange(fromRoot(toRoot(next))),
    scope: { variables: props.variables ?? [], pilotVariables: props.pilotVariables ?? [] },
    listId,
  };
  return (
    <fieldset class="condition-builder">
      <legend>{props.label}</legend>
      {groupItems(root).length === 0 && <p class="field-hint">No condition: always true.</p>}
      <GroupBody ctx={ctx} group={root} path={[]} label="" />
    </fieldset>
  );
}

function GroupBody({
  ctx,
  group,
  path,
  label,
}: {
  ctx: Ctx;
  group: Group;
  path: TreePath;
  label: string;
}) {
  const items = groupItems(group);
  const name = label ? `Group ${label}` : 'Conditions';
  const full = items.length >= MAX_ITEMS;
  return (
    <div class="condition-group">
      <label class="condition-kind">
        <span>{label ? `Group ${label}: match` : 'Match'}</span>
        <select
          aria-label={`${name}: match all or any`}
          value={groupKind(group)}
          onChange={(e) =>
            ctx.commit(setGroupKind(ctx.root, path, e.currentTarget.value as 'all' | 'any'))
          }
        >
          <option value="all">all of these</option>
          <option value="any">any of these</option>
        </select>
      </label>
      <ol class="condition-items">
        {items.map((item, i) => {
          const childLabel = label ? `${label}.${i + 1}` : `${i + 1}`;
          return (
            <li key={`${i}`}>
              <Item
                ctx={ctx}
                node={item}
                path={[...path, i]}
                label={childLabel}
                count={items.length}
              />
            </li>
          );
        })}
      </ol>
      <div class="condition-add">
        <Button
          variant="ghost"
          disabled={full}
          aria-label={`Add a rule to ${name.toLowerCase()}`}
          onClick={() => ctx.commit(addTo(ctx.root, path, newRule()))}
        >
          + Rule
        </Button>
        {path.length < MAX_DEPTH && (
          <Button
            variant="ghost"
            disabled={full}
            aria-label={`Add a group to ${name.toLowerCase()}`}
            onClick={() => ctx.commit(addTo(ctx.root, path, { any: [newRule()] }))}
          >
            + Group
          </Button>
        )}
      </div>
    </div>
  );
}

function Item({
  ctx,
  node,
  path,
  label,
  count,
}: {
  ctx: Ctx;
  node: Condition;
  path: TreePath;
  label: string;
  count: number;
}) {
  const negated = isNot(node);
  const inner = negated ? node.not : node;
  const innerPath = negated ? [...path, 0] : path;
  const kind = isGroup(inner) ? 'Group' : 'Rule';
  const index = path[path.length - 1]!;
  return (
    <div class={`condition-item${negated ? ' condition-not' : ''}`}>
      <div class="condition-item-tools">
        <label class="condition-negate">
          <input
            type="checkbox"
            checked={negated}
            onChange={() => ctx.commit(toggleNot(ctx.root, path))}
          />
          <span>
            Not <span class="visually-hidden">{`(negate ${kind.toLowerCase()} ${label})`}</span>
          </span>
        </label>
        <Button
          variant="ghost"
          disabled={index === 0}
          aria-label={`Move ${kind.toLowerCase()} ${label} up`}
          onClick={() => ctx.commit(moveAt(ctx.root, path, -1))}
        >
          ↑
        </Button>
        <Button
          variant="ghost"
          disabled={index === count - 1}
          aria-label={`Move ${kind.toLowerCase()} ${label} down`}
          onClick={() => ctx.commit(moveAt(ctx.root, path, 1))}
        >
          ↓
        </Button>
        <Button
          variant="ghost"
          aria-label={`Remove ${kind.toLowerCase()} ${label}`}
          onClick={() => ctx.commit(removeAt(ctx.root, path))}
        >
          Remove
        </Button>
      </div>
      {isGroup(inner) ? (
        <GroupBody ctx={ctx} group={inner} path={innerPath} label={label} />
      ) : isNot(inner) ? (
        <Item ctx={ctx} node={inner} path={innerPath} label={label} count={1} />
      ) : (
        <RuleEditor ctx={ctx} rule={inner} path={innerPath} label={label} />
      )}
    </div>
  );
}

function RuleEditor({
  ctx,
  rule,
  path,
  label,
}: {
  ctx: Ctx;
  rule: ConditionRule;
  path: TreePath;
  label: string;
}) {
  const errorId = useId();
  const { namespace, path: fieldPath } = splitField(rule.field);
  const set = (next: ConditionRule) => ctx.commit(updateAt(ctx.root, path, () => next));
  const problem = ruleProblem(rule);
  const kind = valueKind(rule.op);
  const name = `Rule ${label}`;
  const described: Described = problem ? { 'aria-describedby': errorId } : {};
  const suggestions = knownFields(namespace, ctx.scope);
  const listId = `${ctx.listId}-${namespace}`;
  return (
    <fieldset class="condition-rule">
      <legend class="visually-hidden">{name}</legend>
      <select
        aria-label={`${name} namespace`}
        value={namespace}
        onChange={(e) => set({ ...rule, field: `${e.currentTarget.value}.${fieldPath}` })}
      >
        {NAMESPACES.map((ns) => (
          <option key={ns} value={ns}>
            {ns}
          </option>
        ))}
      </select>
      <input
        aria-label={`${name} field`}
        list={listId}
        value={fieldPath}
        spellcheck={false}
        aria-invalid={problem?.startsWith('field') ? true : undefined}
        {...described}
        onInput={(e) => set({ ...rule, field: `${namespace}.${e.currentTarget.value}` })}
      />
      <datalist id={listId}>
        {suggestions.map((f) => (
          <option key={f} value={f.slice(namespace.length + 1)} />
        ))}
      </datalist>
      <select
        aria-label={`${name} operator`}
        value={rule.op}
        onChange={(e) => set(withOp(rule, e.currentTarget.value as ConditionOp))}
      >
        {CONDITION_OPS.map((op) => (
          <option key={op} value={op}>
            {OP_LABELS[op]}
          </option>
        ))}
      </select>
      <ValueInputs rule={rule} kind={kind} name={name} described={described} set={set} />
      {problem && (
        <p id={errorId} class="field-error" role="alert">
          {problem}
        </p>
      )}
    </fieldset>
  );
}

function ValueInputs({
  rule,
  kind,
  name,
  described,
  set,
}: {
  rule: ConditionRule;
  kind: ReturnType<typeof valueKind>;
  name: string;
  described: Described;
  set: (rule: ConditionRule) => void;
}) {
  if (kind === 'none') return null;
  if (kind === 'pair') {
    const [low, high] = formatPair(rule.value);
    return (
      <>
        <input
          aria-label={`${name} from`}
          value={low}
          {...described}
          onInput={(e) =>
            set({ ...rule, value: parseValue('between', e.currentTarget.value, high) })
          }
        />
        <span aria-hidden="true">and</span>
        <input
          aria-label={`${name} to`}
          value={high}
          {...described}
          onInput={(e) =>
            set({ ...rule, value: parseValue('between', low, e.currentTarget.value) })
          }
        />
      </>
    );
  }
  const [text] = formatValue(rule.value);
  const hint: Record<string, string> = {
    list: 'comma-separated',
    duration: 'e.g. 30m, 2h, 7d',
    date: 'date or {{template}}',
  };
  return (
    <input
      aria-label={`${name} value${hint[kind] ? ` (${hint[kind]})` : ''}`}
      placeholder={hint[kind] ?? 'value or {{template}}'}
      value={text}
      inputMode={kind === 'number' ? 'decimal' : undefined}
      {...described}
      onInput={(e) => set({ ...rule, value: parseValue(rule.op, e.currentTarget.value) })}
    />
  );
}
