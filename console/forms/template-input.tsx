/**
 * A text or textarea for templated text, with autocomplete of the variables in scope: typing
 * `{{` opens a list (ARIA combobox pattern: arrows move, Enter or Tab inserts, Escape closes),
 * and unknown variables are reported under the field as the validator would.
 */
import { useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { KnownNames } from '../../shared/flow/references.ts';
import {
  applySuggestion,
  type OpenTemplate,
  openTemplateAt,
  suggest,
  templateProblems,
} from './template-model.ts';

export interface TemplateInputProps {
  label: string;
  value: string;
  onChange: (next: string) => void;
  /** Every `namespace.path` in scope (see `scopeVariables`). */
  variables: readonly string[];
  multiline?: boolean;
  hint?: string;
  /** An error from outside (the schema, the server). */
  error?: string | undefined;
  /** Declared names, to flag unknown `variable.*` / `pilot.*` references inline. */
  known?: KnownNames;
  maxLength?: number;
}

type Field = HTMLInputElement | HTMLTextAreaElement;

export function TemplateInput(props: TemplateInputProps) {
  const id = useId();
  const ref = useRef<Field>(null);
  const [open, setOpen] = useState<OpenTemplate | null>(null);
  const [active, setActive] = useState(0);
  // Where the caret goes once the completed text has rendered (set in the same frame, so
  // keys typed right after a completion land after it).
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && pendingCaret.current !== null && el.value === props.value) {
      el.setSelectionRange(pendingCaret.current, pendingCaret.current);
      pendingCaret.current = null;
    }
  });
  const options = open ? suggest(props.variables, open.query) : [];
  const expanded = options.length > 0;
  const listId = `${id}-list`;
  const optionId = (i: number) => `${id}-opt-${i}`;
  const problems = props.known ? templateProblems(props.value, props.known) : [];
  const messages = [
    ...(props.error ? [props.error] : []),
    ...problems.map((p) => (p.level === 'warning' ? `Warning: ${p.message}` : p.message)),
  ];
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy =
    [props.hint ? hintId : '', messages.length ? errorId : ''].filter(Boolean).join(' ') ||
    undefined;

  const track = (el: Field) => {
    const next = openTemplateAt(el.value, el.selectionStart ?? el.value.length);
    setOpen(next);
    if (next?.query !== open?.query) setActive(0);
  };
  const choose = (name: string) => {
    const el = ref.current;
    if (!el || !open) return;
    const result = applySuggestion(el.value, el.selectionStart ?? el.value.length, open, name);
    pendingCaret.current = result.caret;
    props.onChange(result.text);
    setOpen(null);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (!expanded) return;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const delta = event.key === 'ArrowDown' ? 1 : -1;
      setActive((a) => (a + delta + options.length) % options.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      choose(options[Math.min(active, options.length - 1)]!);
    } else if (event.key === 'Escape') {
      // Close the list, not the dialog around the field.
      event.preventDefault();
      event.stopPropagation();
      setOpen(null);
    }
  };
  const common = {
    id,
    ref: ref as never,
    value: props.value,
    maxLength: props.maxLength,
    spellcheck: false,
    'aria-autocomplete': 'list' as const,
    'aria-controls': listId,
    'aria-activedescendant': expanded ? optionId(Math.min(active, options.length - 1)) : undefined,
    'aria-describedby': describedBy,
    'aria-invalid':
      props.error || problems.some((p) => p.level === 'error') ? (true as const) : undefined,
    onInput: (e: Event) => {
      const el = e.currentTarget as Field;
      props.onChange(el.value);
      track(el);
    },
    onKeyDown,
    onClick: (e: MouseEvent) => track(e.currentTarget as Field),
    onBlur: () => setOpen(null),
  };
  return (
    <div class="field template-input">
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p id={hintId} class="field-hint">
          {props.hint}
        </p>
      )}
      {props.multiline ? (
        <textarea rows={3} {...common} />
      ) : (
        <input type="text" role="combobox" aria-expanded={expanded} {...common} />
      )}
      <div
        id={listId}
        role="listbox"
        aria-label={`Variables for ${props.label}`}
        class="template-options"
        hidden={!expanded}
      >
        {options.map((name, i) => (
          <div
            key={name}
            tabIndex={-1}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            class={i === active ? 'active' : undefined}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(name);
            }}
          >
            {name}
          </div>
        ))}
      </div>
      {messages.length > 0 && (
        <div id={errorId} class="field-error" role="alert">
          {messages.map((m) => (
            <p key={m}>{m}</p>
          ))}
        </div>
      )}
    </div>
  );
}
