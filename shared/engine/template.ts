/**
 * Templates: `{{namespace.path}}` or `{{namespace.path | "fallback"}}`, resolved against plain
 * data. The result is plain text; renderers show it as text, never as HTML. Variants encode the
 * inserted values for their destination: JSON string content (http bodies) or URL components.
 */
import { toText } from './coerce.ts';

const TEMPLATE = /\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}/g;
const WHOLE_TEMPLATE = /^\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}$/;

/** Reads `a.b.c` from nested plain objects; undefined when any step is missing. */
export function readPath(data: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = data;
  let start = 0;
  while (start <= path.length) {
    let end = path.indexOf('.', start);
    if (end === -1) end = path.length;
    if (current === null || typeof current !== 'object') return undefined;
    const key = path.slice(start, end);
    // Own properties only: `constructor`, `__proto__` and friends are not data.
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
    start = end + 1;
  }
  return current;
}

const unescapeFallback = (fallback: string) => fallback.replace(/\\(.)/g, '$1');

function render(
  text: string,
  data: Readonly<Record<string, unknown>>,
  encode: (value: string) => string,
): string {
  if (!text.includes('{{')) return text;
  return text.replace(TEMPLATE, (_match, path: string, fallback?: string) => {
    const value = toText(readPath(data, path));
    if (value !== '') return encode(value);
    return fallback === undefined ? '' : encode(unescapeFallback(fallback));
  });
}

const identity = (value: string) => value;
const jsonString = (value: string) => JSON.stringify(value).slice(1, -1);

/** Replaces every `{{…}}` with its value, or its fallback when the value is missing or empty. */
export function renderTemplate(text: string, data: Readonly<Record<string, unknown>>): string {
  return render(text, data, identity);
}

/** For text that is JSON: inserted values are escaped as JSON string content. */
export function renderJsonText(text: string, data: Readonly<Record<string, unknown>>): string {
  return render(text, data, jsonString);
}

/**
 * For URLs: values are percent-encoded, except a template at the very start (a whole base URL
 * kept in a variable), so `https://api/x?q={{variable.q}}` cannot be broken out of.
 */
export function renderUrl(text: string, data: Readonly<Record<string, unknown>>): string {
  const lead = /^\{\{[^}]*\}\}/.exec(text);
  if (!lead) return render(text, data, encodeURIComponent);
  return (
    render(lead[0], data, identity) + render(text.slice(lead[0].length), data, encodeURIComponent)
  );
}

/**
 * Renders a JSON value's strings. A string that is exactly one template yields the raw value
 * (so numbers, booleans and lists keep their type); other strings become rendered text.
 */
export function renderValue(value: unknown, data: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('{{')) return value;
    const whole = WHOLE_TEMPLATE.exec(value);
    if (whole) {
      const raw = readPath(data, whole[1] ?? '');
      if (raw !== undefined && raw !== null && raw !== '') return raw;
      return whole[2] === undefined ? null : unescapeFallback(whole[2]);
    }
    return renderTemplate(value, data);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, data));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = renderValue(item, data);
    return out;
  }
  return value;
}

/** The `namespace.path` of every template in a text (for the validator). */
export function templatePaths(text: string): string[] {
  if (!text.includes('{{')) return [];
  return Array.from(text.matchAll(TEMPLATE), (match) => match[1] ?? '');
}
