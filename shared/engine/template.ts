/**
 * Templates: `{{namespace.path}}` or `{{namespace.path | "fallback"}}`, resolved against plain
 * data. The result is plain text; renderers show it as text, never as HTML.
 */
const TEMPLATE = /\{\{\s*([A-Za-z_][\w.]*)\s*(?:\|\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}/g;

/** Reads `a.b.c` from nested plain objects; undefined when any step is missing. */
export function readPath(data: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = data;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Replaces every `{{…}}` with its value, or its fallback when the value is missing or empty. */
export function renderTemplate(text: string, data: Readonly<Record<string, unknown>>): string {
  return text.replace(TEMPLATE, (_match, path: string, fallback?: string) => {
    const value = toText(readPath(data, path));
    if (value !== '') return value;
    return fallback === undefined ? '' : fallback.replace(/\\(.)/g, '$1');
  });
}
