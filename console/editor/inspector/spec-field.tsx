/**
 * One inspector control, rendered from a field spec (field-specs.ts). Controls edit a value
 * object (a node, or one item of a list) by path; `data-field` carries the full path below the
 * node so a clicked problem can focus the control. Typing is grouped into one undo step by the
 * field's path until the control loses focus (`onBlur` seals the group).
 */
import { useEffect, useId, useState } from 'preact/hooks';
import { TemplateInput } from '../../forms/index.ts';
import { getIn, setIn } from '../model/paths.ts';
import type { FieldContext, SpecFieldProps } from './field-context.ts';
import type { FieldSpec } from './field-specs.ts';
import { SpecialField } from './special-fields.tsx';

export type { EditorScope, FieldContext, SpecFieldProps } from './field-context.ts';

const join = (base: string, path: string) => (base ? `${base}.${path}` : path);

/** A problem at this path or below it (a list's item errors show on the list too). */
function problemAt(ctx: FieldContext, path: string): string | undefined {
  const exact = ctx.problems.get(path);
  if (exact) return exact;
  for (const [p, message] of ctx.problems) if (p.startsWith(`${path}.`)) return message;
  return undefined;
}

export function SpecField({ spec, value, base, onChange, ctx }: SpecFieldProps) {
  const id = useId();
  const full = join(base, spec.path);
  const current = getIn(value, spec.path);
  const error = spec.kind === 'list' ? ctx.problems.get(full) : problemAt(ctx, full);
  const set = (next: unknown) => onChange(setIn(value, spec.path, next), full);
  const errorId = error ? `${id}-err` : undefined;
  const common = {
    id,
    'data-field': full,
    disabled: ctx.readOnly,
    onBlur: ctx.onBlur,
    'aria-invalid': error ? (true as const) : undefined,
    'aria-describedby': errorId,
  };
  const errorText = error ? (
    <p id={errorId} class="field-error">
      {error}
    </p>
  ) : null;

  // Templates: the foundation's input with autocomplete of what is in scope (read-only views
  // show the plain field below).
  if (spec.kind === 'template' && ctx.scope && !ctx.readOnly) {
    const text = current === undefined || current === null ? '' : String(current);
    return (
      <div data-field={full} onFocusOut={ctx.onBlur}>
        <TemplateInput
          label={spec.label}
          value={text}
          multiline
          variables={ctx.scope.paths}
          known={{
            variables: new Set(ctx.scope.variables),
            pilotVariables: new Set(ctx.scope.pilotVariables),
          }}
          error={error}
          onChange={(v) => set(v === '' && spec.optional ? undefined : v)}
        />
      </div>
    );
  }

  switch (spec.kind) {
    case 'template':
    case 'text':
    case 'textarea': {
      const text = current === undefined || current === null ? '' : String(current);
      const update = (v: string) => set(v === '' && spec.optional ? undefined : v);
      return (
        <div class="field">
          <label for={id}>{spec.label}</label>
          {spec.kind === 'text' ? (
            <input {...common} value={text} onInput={(e) => update(e.currentTarget.value)} />
          ) : (
            <textarea
              {...common}
              rows={spec.kind === 'textarea' ? 5 : 2}
              value={text}
              onInput={(e) => update(e.currentTarget.value)}
            />
          )}
          {spec.kind === 'template' && (
            <p class="field-hint">Use {'{{variable.name}}'} and other namespaces.</p>
          )}
          {errorText}
        </div>
      );
    }
    case 'number':
      return (
        <div class="field">
          <label for={id}>{spec.label}</label>
          <input
            {...common}
            type="number"
            value={typeof current === 'number' ? String(current) : ''}
            onInput={(e) => {
              const raw = e.currentTarget.value;
              set(raw === '' ? (spec.optional ? undefined : 0) : Number(raw));
            }}
          />
          {errorText}
        </div>
      );
    case 'checkbox':
      return (
        <div class="field field-check">
          <input
            {...common}
            type="checkbox"
            checked={current === true}
            onChange={(e) => set(e.currentTarget.checked)}
          />
          <label for={id}>{spec.label}</label>
          {errorText}
        </div>
      );
    case 'select':
      return (
        <div class="field">
          <label for={id}>{spec.label}</label>
          <select
            {...common}
            value={String(current ?? '')}
            onChange={(e) => set(e.currentTarget.value || undefined)}
          >
            {spec.optional && <option value="">(none)</option>}
            {spec.options.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
          {errorText}
        </div>
      );
    case 'csv': {
      const list = Array.isArray(current) ? (current as string[]) : [];
      return (
        <CsvInput
          common={common}
          label={spec.label}
          list={list}
          onList={(next) => set(next.length === 0 && spec.optional ? undefined : next)}
          errorText={errorText}
        />
      );
    }
    case 'list':
      return <ListField spec={spec} value={value} base={base} onChange={onChange} ctx={ctx} />;
    default:
      return (
        <SpecialField
          spec={spec}
          current={current}
          full={full}
          set={set}
          common={common}
          errorText={errorText}
          ctx={ctx}
          Field={SpecField}
        />
      );
  }
}

/** A comma-separated list; the text stays as typed until it parses to a different list. */
function CsvInput(props: {
  common: Record<string, unknown>;
  label: string;
  list: string[];
  onList: (list: string[]) => void;
  errorText: unknown;
}) {
  const joined = props.list.join(', ');
  const [text, setText] = useState(joined);
  useEffect(() => {
    if (split(text).join(', ') !== joined) setText(joined);
  }, [joined]);
  return (
    <div class="field">
      <label for={props.common.id as string}>{props.label}</label>
      <input
        {...props.common}
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          props.onList(split(e.currentTarget.value));
        }}
      />
      {props.errorText as never}
    </div>
  );
}

const split = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function ListField({
  spec,
  value,
  base,
  onChange,
  ctx,
}: SpecFieldProps & { spec: Extract<FieldSpec, { kind: 'list' }> }) {
  const full = join(base, spec.path);
  const items = (getIn(value, spec.path) as unknown[] | undefined) ?? [];
  const setItems = (next: unknown[]) =>
    onChange(
      setIn(value, spec.path, next.length === 0 && spec.optional ? undefined : next),
      `${full}:list`,
    );
  const error = ctx.problems.get(full);
  return (
    <fieldset class="field-list" data-field={full}>
      <legend>{spec.label}</legend>
      {error && <p class="field-error">{error}</p>}
      {items.map((item, index) => (
        <div class="field-list-item" key={index}>
          <div class="field-list-head">
            <span>
              {spec.itemLabel} {index + 1}
            </span>
            {!ctx.readOnly && items.length > (spec.min ?? 0) && (
              <button
                type="button"
                class="btn btn-ghost"
                aria-label={`Remove ${spec.itemLabel.toLowerCase()} ${index + 1}`}
                onClick={() => setItems(items.filter((_, i) => i !== index))}
              >
                Remove
              </button>
            )}
          </div>
          {spec.item.map((sub) => (
            <SpecField
              key={sub.path}
              spec={sub}
              value={item}
              base={`${full}.${index}`}
              ctx={ctx}
              onChange={(nextItem, group) =>
                onChange(
                  setIn(
                    value,
                    spec.path,
                    items.map((it, i) => (i === index ? nextItem : it)),
                  ),
                  group,
                )
              }
            />
          ))}
        </div>
      ))}
      {!ctx.readOnly && items.length < spec.max && (
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => setItems([...items, spec.newItem()])}
        >
          Add {spec.itemLabel.toLowerCase()}
        </button>
      )}
    </fieldset>
  );
}
