/**
 * Templates (`{{namespace.path}}`, `{{contact.first_name | "there"}}`): which variables are in
 * scope, where the caret is inside an unfinished `{{`, what to suggest there and how to insert
 * a choice, and the inline problems of a text (the validator's own reference check).
 */
import { templatePaths } from '../../shared/expr/template.ts';
import { checkReference, type KnownNames } from '../../shared/flow/references.ts';
import { knownFields } from './condition-model.ts';

/** The namespaces a template may read, in the order suggestions list them. */
export const TEMPLATE_NAMESPACES = [
  'contact',
  'variable',
  'pilot',
  'system',
  'event',
  'entity',
  'visitor',
  'time',
  'agents',
  'conversation',
  'intent',
] as const;

export interface TemplateScope {
  /** Flow variables (Flow Manager), without `variable.`. */
  variables?: readonly string[];
  /** Pilot globals, without `pilot.`. */
  pilotVariables?: readonly string[];
  /** Entity names of the pilot (`entity.<name>`). */
  entities?: readonly string[];
  /** Props of the trigger's event (`event.props.<name>`). */
  eventProps?: readonly string[];
}

/** Every `namespace.path` in scope, for the autocomplete list. */
export function scopeVariables(scope: TemplateScope = {}): string[] {
  const names: string[] = [];
  for (const ns of TEMPLATE_NAMESPACES) names.push(...knownFields(ns, scope));
  names.push(...(scope.entities ?? []).map((e) => `entity.${e}`));
  names.push(...(scope.eventProps ?? []).map((p) => `event.props.${p}`));
  return [...new Set(names)];
}

/** An unfinished template before the caret: where its `{{` is and what was typed after it. */
export interface OpenTemplate {
  start: number;
  query: string;
}

/** At most this much text before the caret is searched for `{{` (bounded per keystroke). */
const LOOKBACK = 200;

export function openTemplateAt(text: string, caret: number): OpenTemplate | null {
  const from = Math.max(0, caret - LOOKBACK);
  const before = text.slice(from, caret);
  const open = before.lastIndexOf('{{');
  if (open < 0) return null;
  const typed = before.slice(open + 2);
  // Closed already, or past the name into a fallback: nothing to complete.
  if (typed.includes('}}') || typed.includes('|') || /\s\S/.test(typed.trimStart())) return null;
  const query = typed.trim();
  if (!/^[A-Za-z0-9_.-]*$/.test(query)) return null;
  return { start: from + open, query };
}

/** Up to `limit` names for a query: prefix matches first, then ones containing it. */
export function suggest(names: readonly string[], query: string, limit = 8): string[] {
  const q = query.toLowerCase();
  const prefix = names.filter((n) => n.toLowerCase().startsWith(q));
  const rest = q
    ? names.filter((n) => !n.toLowerCase().startsWith(q) && n.toLowerCase().includes(q))
    : [];
  return [...prefix, ...rest].slice(0, limit);
}

/** The text with `name` completed at the open template, closed with `}}`, and the new caret. */
export function applySuggestion(
  text: string,
  caret: number,
  open: OpenTemplate,
  name: string,
): { text: string; caret: number } {
  const after = text.slice(caret);
  const closed = /^\s*\}\}/.exec(after);
  const head = `${text.slice(0, open.start)}{{${name}}}`;
  const tail = closed ? after.slice(closed[0].length) : after;
  return { text: head + tail, caret: head.length };
}

/** Problems of every template in a text: unknown namespaces, undeclared variables. */
export function templateProblems(
  text: string,
  known: KnownNames,
): { level: 'error' | 'warning'; message: string }[] {
  const out: { level: 'error' | 'warning'; message: string }[] = [];
  for (const path of new Set(templatePaths(text))) {
    const problem = checkReference(path, known);
    if (problem) out.push({ level: problem.level, message: problem.message });
  }
  return out;
}
