/**
 * A labelled form control with its hint and error. The error is tied to the control
 * (`aria-describedby`, `aria-invalid`) and announced when it appears (`role="alert"`).
 */
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';

/** What a control needs to be labelled and described by its Field. */
export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

export interface FieldProps {
  label: string;
  hint?: string;
  error?: string | undefined;
  /** Renders the control with the props that tie it to the label, hint and error. */
  children: (control: ControlProps) => ComponentChildren;
  class?: string;
}

export function Field({ label, hint, error, children, class: extra }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div class={`field${error ? ' field-invalid' : ''}${extra ? ` ${extra}` : ''}`}>
      <label for={id}>{label}</label>
      {hint && (
        <p id={hintId} class="field-hint">
          {hint}
        </p>
      )}
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
      })}
      {error && (
        <p id={errorId} class="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The input attributes TextField passes through (a closed list keeps the types simple). */
export interface InputOptions {
  type?: 'text' | 'password' | 'search' | 'email' | 'url' | 'number' | 'tel';
  placeholder?: string;
  autoComplete?: string;
  spellcheck?: boolean;
  maxLength?: number;
  required?: boolean;
  disabled?: boolean;
  name?: string;
}

/** A text input in a Field. */
export function TextField({
  label,
  hint,
  error,
  value,
  onValue,
  class: extra,
  ...input
}: InputOptions & {
  label: string;
  hint?: string;
  error?: string | undefined;
  value: string;
  onValue: (value: string) => void;
  class?: string;
}) {
  return (
    <Field label={label} hint={hint} error={error} class={extra}>
      {(control) => (
        <input
          {...input}
          {...control}
          // Preact's input types discriminate on `type`; a union of them is still one input.
          type={(input.type ?? 'text') as 'text'}
          value={value}
          onInput={(e) => onValue(e.currentTarget.value)}
        />
      )}
    </Field>
  );
}

/** A select in a Field. */
export function SelectField({
  label,
  hint,
  error,
  value,
  onValue,
  options,
  disabled,
}: {
  label: string;
  hint?: string;
  error?: string | undefined;
  value: string;
  onValue: (value: string) => void;
  options: readonly { value: string; label: string }[];
  disabled?: boolean;
}) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(control) => (
        <select
          {...control}
          value={value}
          disabled={disabled}
          onChange={(e) => onValue(e.currentTarget.value)}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
