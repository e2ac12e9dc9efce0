/**
 * Entity and pilot-variable forms ↔ the admin API's bodies. A list entity's values are one per
 * line, `value: synonym, synonym`; a variable's value is typed text read by its type. Pure.
 */
import type { components } from '../api/client.ts';
import { linesOf, textField, uniqueLoose } from './text.ts';

type EntityInput = components['schemas']['EntityInput'];
type VariableInput = components['schemas']['PilotVariableInput'];
export type VariableType = VariableInput['type'];
export const VARIABLE_TYPES: readonly VariableType[] = [
  'text',
  'number',
  'boolean',
  'date',
  'datetime',
  'list',
];

export interface EntityForm {
  kind: 'list' | 'regex';
  name: string;
  /** `value: synonym, synonym` per line. */
  values: string;
  pattern: string;
}

export const emptyEntityForm: EntityForm = { kind: 'list', name: '', values: '', pattern: '' };

/** `pro: professional, premium` → `{ value: 'pro', synonyms: [...] }`; a bare line has none. */
export function parseValueLine(line: string): { value: string; synonyms: string[] } {
  const colon = line.indexOf(':');
  if (colon < 0) return { value: line.trim(), synonyms: [] };
  const synonyms = line
    .slice(colon + 1)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { value: line.slice(0, colon).trim(), synonyms: uniqueLoose(synonyms) };
}

export function entityBody(form: EntityForm): EntityInput {
  const name = form.name.trim();
  if (form.kind === 'regex') return { kind: 'regex', name, pattern: form.pattern.trim() };
  return {
    kind: 'list',
    name,
    values: linesOf(form.values, 1000)
      .map(parseValueLine)
      .filter((v) => v.value),
  };
}

export function entityFormOf(row: Record<string, unknown>): EntityForm {
  const values = Array.isArray(row.values) ? row.values : [];
  const lines = values.flatMap((v: unknown) => {
    if (!v || typeof v !== 'object') return [];
    const value = textField(v as Record<string, unknown>, 'value');
    const synonyms = (v as { synonyms?: unknown }).synonyms;
    const list = Array.isArray(synonyms) ? synonyms.filter((s) => typeof s === 'string') : [];
    return [list.length ? `${value}: ${list.join(', ')}` : value];
  });
  return {
    kind: row.kind === 'regex' ? 'regex' : 'list',
    name: textField(row, 'name'),
    values: lines.join('\n'),
    pattern: textField(row, 'pattern'),
  };
}

/** A short description of an entity for its table row. */
export function entitySummary(row: Record<string, unknown>): string {
  if (row.kind === 'regex') return `Pattern ${textField(row, 'pattern')}`;
  const count = Array.isArray(row.values) ? row.values.length : 0;
  return `${count} value${count === 1 ? '' : 's'}`;
}

export interface VariableForm {
  name: string;
  type: VariableType;
  /** The value as typed; a list is one item per line; empty means no value (null). */
  value: string;
  description: string;
}

export const emptyVariableForm: VariableForm = {
  name: '',
  type: 'text',
  value: '',
  description: '',
};

type Value = VariableInput['value'];

/** Reads the typed text as its type, or says why it cannot. */
export function parseVariableValue(
  type: VariableType,
  text: string,
): { ok: true; value: Value } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (type === 'list') return { ok: true, value: linesOf(text, 500) };
  if (!trimmed) return { ok: true, value: null };
  if (type === 'number') {
    const n = Number(trimmed);
    return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: 'Not a number' };
  }
  if (type === 'boolean') {
    if (trimmed === 'true' || trimmed === 'false') return { ok: true, value: trimmed === 'true' };
    return { ok: false, message: 'Type true or false' };
  }
  return { ok: true, value: text };
}

/** The value as the form shows it. */
export function variableText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join('\n');
  return String(value);
}

export function variableFormOf(row: Record<string, unknown>): VariableForm {
  const type = VARIABLE_TYPES.find((t) => t === row.type) ?? 'text';
  return {
    name: textField(row, 'name'),
    type,
    value: variableText(row.value),
    description: textField(row, 'description'),
  };
}

/** The body, or the value's problem (named for the form's Value field). */
export function variableBody(
  form: VariableForm,
): { ok: true; body: VariableInput } | { ok: false; message: string } {
  const value = parseVariableValue(form.type, form.value);
  if (!value.ok) return value;
  const description = form.description.trim();
  return {
    ok: true,
    body: {
      name: form.name.trim(),
      type: form.type,
      value: value.value,
      ...(description ? { description } : {}),
    },
  };
}
