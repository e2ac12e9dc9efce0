/**
 * What every inspector control is given: the node's problems, the undo grouping and the scope
 * templates may reference. Its own module so spec-field.tsx and special-fields.tsx (which
 * render each other for nested fields) share it without importing each other.
 */
import type { FieldSpec } from './field-specs.ts';

export interface FieldContext {
  /** Problems of this node by field path (`input.options.0.label`). */
  problems: ReadonlyMap<string, string>;
  onBlur: () => void;
  readOnly: boolean;
  /** What templates and conditions may reference (autocomplete, inline checks). */
  scope?: EditorScope;
}

export interface EditorScope {
  /** Every `namespace.path` offered by template autocomplete. */
  paths: readonly string[];
  variables: readonly string[];
  pilotVariables: readonly string[];
}

export interface SpecFieldProps {
  spec: FieldSpec;
  value: unknown;
  /** Path of `value` below the node ('' for the node itself). */
  base: string;
  onChange: (next: unknown, group: string) => void;
  ctx: FieldContext;
}
