/**
 * Controls for the fields that are not a single value: key/value records (contact fields,
 * headers), JSON values (request body, image), conditions, the answer type of a question
 * (which reshapes `input`) and the target of an `assign`.
 */

import type { ComponentType } from 'preact';
import { useEffect, useId, useState } from 'preact/hooks';
import { type Condition, INPUT_KINDS, type UrlRule } from '../../../shared/flow/schema.ts';
import { ConditionBuilder, UrlRules } from '../../forms/index.ts';
import type { FieldContext, SpecFieldProps } from './field-context.ts';
import type { FieldSpec } from './field-specs.ts';
import { OPTION_FIELDS } from './field-specs.ts';

interface Props {
  spec: FieldSpec;
  current: unknown;
  full: string;
  set: (next: unknown) => void;
  common: Record<string, unknown>;
  errorText: unknown;
  ctx: FieldContext;
  /**
   * Renders a nested field (a question's options, an assign's target): spec-field.tsx passes its
   * own SpecField, so the two modules recurse without importing each other.
   */
  Field: ComponentType<SpecFieldProps>;
}

export function SpecialField(props: Props) {
  switch (props.spec.kind) {
    case 'record':
      return <RecordField {...props} keyLabel={props.spec.keyLabel} />;
    case 'condition':
      if (props.ctx.scope && !props.ctx.readOnly)
        return (
          <div data-field={props.full} onFocusOut={props.ctx.onBlur}>
            <ConditionBuilder
              label={props.spec.label}
              value={props.current as Condition | undefined}
              onChange={(next) => props.set(next)}
              variables={props.ctx.scope.variables}
              pilotVariables={props.ctx.scope.pilotVariables}
            />
            {props.errorText as never}
          </div>
        );
      return <JsonField {...props} />;
    case 'json':
      return <JsonField {...props} />;
    case 'url-rules':
      return (
        <div data-field={props.full} onFocusOut={props.ctx.onBlur}>
          <UrlRules
            label={props.spec.label}
            value={(props.current as UrlRule[] | undefined) ?? []}
            onChange={(next) => props.set(next)}
          />
          {props.errorText as never}
        </div>
      );
    case 'input-kind':
      return <InputKindField {...props} />;
    case 'assign-to':
      return <AssignToField {...props} />;
    default:
      return null;
  }
}

/** Any JSON value, kept as typed until it parses; invalid JSON is never written. */
function JsonField({ spec, current, set, common, errorText }: Props) {
  const shown = current === undefined ? '' : JSON.stringify(current, null, 2);
  const [text, setText] = useState(shown);
  const [invalid, setInvalid] = useState(false);
  useEffect(() => {
    if (!sameJson(text, current)) {
      setText(shown);
      setInvalid(false);
    }
  }, [shown]);
  const optional = 'optional' in spec && spec.optional;
  return (
    <div class="field">
      <label for={common.id as string}>{spec.label} (JSON)</label>
      <textarea
        {...common}
        rows={spec.kind === 'condition' ? 5 : 4}
        class="code"
        spellcheck={false}
        value={text}
        onInput={(e) => {
          const raw = e.currentTarget.value;
          setText(raw);
          if (raw.trim() === '' && optional) {
            setInvalid(false);
            set(undefined);
            return;
          }
          try {
            set(JSON.parse(raw));
            setInvalid(false);
          } catch {
            setInvalid(true);
          }
        }}
      />
      {spec.kind === 'condition' && (
        <p class="field-hint">
          {'{"all": [...]}, {"any": [...]}, {"not": {...}} over {"field", "op", "value"}'}
        </p>
      )}
      {invalid && <p class="field-error">Not valid JSON yet: the last valid value is kept.</p>}
      {errorText as never}
    </div>
  );
}

function sameJson(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

function RecordField({
  spec,
  current,
  set,
  full,
  ctx,
  errorText,
  keyLabel,
}: Props & { keyLabel: string }) {
  const entries = Object.entries((current as Record<string, string> | undefined) ?? {});
  const optional = 'optional' in spec && spec.optional;
  const write = (next: [string, string][]) =>
    set(next.length === 0 && optional ? undefined : Object.fromEntries(next));
  const id = useId();
  return (
    <fieldset class="field-list" data-field={full}>
      <legend>{spec.label}</legend>
      {entries.map(([key, value], index) => (
        <div class="field-row" key={index}>
          <label for={`${id}-k${index}`} class="visually-hidden">
            {keyLabel} {index + 1}
          </label>
          <input
            id={`${id}-k${index}`}
            value={key}
            placeholder={keyLabel}
            disabled={ctx.readOnly}
            onBlur={ctx.onBlur}
            onInput={(e) =>
              write(entries.map((en, i) => (i === index ? [e.currentTarget.value, en[1]] : en)))
            }
          />
          <label for={`${id}-v${index}`} class="visually-hidden">
            Value of {key || `${keyLabel} ${index + 1}`}
          </label>
          <input
            id={`${id}-v${index}`}
            data-field={`${full}.${key}`}
            value={value}
            placeholder="Value"
            disabled={ctx.readOnly}
            onBlur={ctx.onBlur}
            onInput={(e) =>
              write(entries.map((en, i) => (i === index ? [en[0], e.currentTarget.value] : en)))
            }
          />
          {!ctx.readOnly && (
            <button
              type="button"
              class="btn btn-ghost"
              aria-label={`Remove ${key || `${keyLabel} ${index + 1}`}`}
              onClick={() => write(entries.filter((_, i) => i !== index))}
            >
              ×
            </button>
          )}
        </div>
      ))}
      {!ctx.readOnly && (
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => write([...entries, [`field_${entries.length + 1}`, '']])}
        >
          Add {keyLabel.toLowerCase()}
        </button>
      )}
      {errorText as never}
    </fieldset>
  );
}

type Input = {
  kind: string;
  options?: { label: string; value: string; next?: string }[];
  placeholder?: string;
  allowFreeText?: boolean;
  scale?: string;
};

function reshape(input: Input, kind: string): Input {
  if (kind === input.kind) return input;
  if (kind === 'buttons')
    return {
      kind,
      options: input.options?.length
        ? input.options
        : [
            { label: 'Yes', value: 'yes' },
            { label: 'No', value: 'no' },
          ],
    };
  if (kind === 'yes_no')
    return input.options?.length ? { kind, options: input.options.slice(0, 2) } : { kind };
  if (kind === 'multiple_choice')
    return {
      kind,
      options: [
        { label: 'Option 1', value: 'option_1' },
        { label: 'Option 2', value: 'option_2' },
      ],
    };
  if (kind === 'rating') return { kind, scale: 'stars' };
  return { kind };
}

function InputKindField({ current, set, common, full, ctx, errorText, Field }: Props) {
  const input = (current as Input | undefined) ?? { kind: 'text' };
  const multiple = input.kind === 'multiple_choice';
  const hasOptions = input.kind === 'buttons' || input.kind === 'yes_no' || multiple;
  return (
    <>
      <div class="field">
        <label for={common.id as string}>Answer type</label>
        <select
          {...common}
          data-field={`${full}.kind`}
          value={input.kind}
          onChange={(e) => set(reshape(input, e.currentTarget.value))}
        >
          {INPUT_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
        {errorText as never}
      </div>
      {hasOptions && (
        <Field
          spec={{
            kind: 'list',
            path: 'options',
            label:
              input.kind === 'yes_no'
                ? 'Answers (values yes / no)'
                : multiple
                  ? 'Checkboxes'
                  : 'Buttons',
            itemLabel: 'Option',
            optional: input.kind === 'yes_no',
            min: input.kind === 'buttons' ? 1 : multiple ? 2 : 0,
            max: input.kind === 'buttons' ? 20 : 2,
            newItem: () => ({
              label: `Option ${(input.options?.length ?? 0) + 1}`,
              value: `option_${(input.options?.length ?? 0) + 1}`,
            }),
            item: multiple ? OPTION_FIELDS.filter((f) => f.path !== 'next') : OPTION_FIELDS,
          }}
          value={input}
          base={full}
          ctx={ctx}
          onChange={(next) => set(next)}
        />
      )}
      {input.kind === 'buttons' && (
        <Field
          spec={{ kind: 'checkbox', path: 'allowFreeText', label: 'Also accept typed answers' }}
          value={input}
          base={full}
          ctx={ctx}
          onChange={(next) => set(next)}
        />
      )}
      {input.kind === 'rating' && (
        <Field
          spec={{ kind: 'select', path: 'scale', label: 'Scale', options: ['stars', 'thumbs'] }}
          value={input}
          base={full}
          ctx={ctx}
          onChange={(next) => set(next)}
        />
      )}
      {!hasOptions && input.kind !== 'rating' && (
        <Field
          spec={{ kind: 'text', path: 'placeholder', label: 'Placeholder', optional: true }}
          value={input}
          base={full}
          ctx={ctx}
          onChange={(next) => set(next)}
        />
      )}
    </>
  );
}

function AssignToField({ current, set, common, full, ctx, errorText, Field }: Props) {
  const to = (current as { kind: string; userId?: string; teamId?: string } | undefined) ?? {
    kind: 'round_robin',
  };
  const idPath = to.kind === 'user' ? 'userId' : 'teamId';
  return (
    <>
      <div class="field">
        <label for={common.id as string}>Assign to</label>
        <select
          {...common}
          data-field={`${full}.kind`}
          value={to.kind}
          onChange={(e) => {
            const kind = e.currentTarget.value;
            set(
              kind === 'user'
                ? { kind, userId: 'user_id' }
                : kind === 'team'
                  ? { kind, teamId: 'team_id' }
                  : { kind },
            );
          }}
        >
          <option value="user">a user</option>
          <option value="team">a team</option>
          <option value="round_robin">round robin among available agents</option>
        </select>
        {errorText as never}
      </div>
      <Field
        spec={{
          kind: 'text',
          path: idPath,
          label:
            to.kind === 'user' ? 'User id' : to.kind === 'team' ? 'Team id' : 'Only this team (id)',
          optional: to.kind === 'round_robin',
        }}
        value={to}
        base={full}
        ctx={ctx}
        onChange={(next) => set(next)}
      />
    </>
  );
}
