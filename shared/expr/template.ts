/**
 * Templates: `{{namespace.path}}` or `{{namespace.path | "fallback"}}`, resolved against plain
 * data. The result is plain text; renderers show it as text, never as HTML. Variants encode the
 * inserted values for their destination: JSON string content (http bodies) or URL components.
 */
import { toText } from './coerce.ts';
import { type RenderBudget, renderBudget, sizeWithin, spend } from './size.ts';

const TEMPLATE = /\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}/g;
const WHOLE_TEMPLATE = /^\{\{\s*([A-Za-z_][\w.-]*)\s*(?:\|\s*"((?:[^"\\]|\\.)*)"\s*)?\}\}$/;

/** Reads `a.b.c` from nested plain objects; undefined when any step is missing. */
export function readPath(data: Readonly<Record<string, unknown>>, path: string): unknown {
  return readKeys(data, keysOf(path));
}

/**
 * Paths split once (conditions and assignments read the same few paths on every step). Bounded
 * like the parsed texts below: short paths only (at most SPLIT_PATH_CHARS, so at most ~1 MB in
 * all), the table dropped when full.
 */
export const SPLIT_PATHS = 1_000;
export const SPLIT_PATH_CHARS = 128;
const split = new Map<string, readonly string[]>();

function keysOf(path: string): readonly string[] {
  const known = split.get(path);
  if (known) return known;
  // Every piece between dots, empty ones included (`a..b` reads the key '').
  const keys = path.split('.');
  if (path.length <= SPLIT_PATH_CHARS) {
    if (split.size >= SPLIT_PATHS) split.clear();
    split.set(path, keys);
  }
  return keys;
}

/** `readPath` over keys already split. */
function readKeys(data: Readonly<Record<string, unknown>>, keys: readonly string[]): unknown {
  let current: unknown = data;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    // Own properties only: `constructor`, `__proto__` and friends are not data.
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

const unescapeFallback = (fallback: string) => fallback.replace(/\\(.)/g, '$1');

/**
 * A value as template text (coerce.ts `toText`), or null when it is longer than `limit`: a
 * structured value is measured before it is serialised, so a huge one is never turned into text.
 */
function valueText(value: unknown, limit: number): string | null {
  if (typeof value === 'string') return value.length <= limit ? value : null;
  if (value !== null && typeof value === 'object' && sizeWithin(value, limit) === null) return null;
  return toText(value);
}

/** A `{{…}}` of a text, parsed: the path's keys and the fallback (unescaped), if any. */
interface Slot {
  keys: readonly string[];
  fallback: string | undefined;
}
/** A text as its literal pieces and slots, in order (`Slot` objects between strings). */
type Parts = readonly (string | Slot)[];

/**
 * Texts parsed once (flow texts are rendered on every run: the engine's hot loop spent half its
 * time re-running the regex and splitting paths). Bounded by weight, not only by count: a text
 * made only of `{{…}}` parses into objects worth many times its length, so a hostile flow could
 * otherwise pin a large share of the isolate's 128 MB. Kept: texts up to PARSED_TEXT_CHARS with
 * at most PARSED_SLOTS slots, at most PARSED_TEXTS of them and PARSED_WEIGHT (about bytes) in
 * all; the table is dropped when full. Anything else is parsed on each render, as before.
 */
export const PARSED_TEXTS = 2_000;
export const PARSED_TEXT_CHARS = 2_048;
export const PARSED_SLOTS = 32;
export const PARSED_WEIGHT = 2_000_000;
const parsed = new Map<string, Parts>();
let parsedWeight = 0;

/** About the bytes a parsed text holds: its key and pieces (UTF-16), its parts and slots. */
const weightOf = (text: string, parts: Parts, slots: number) =>
  4 * text.length + 16 * parts.length + 96 * (slots + 1);

/** What the tables hold (for the bounds' test). */
export const parsedCounts = () => ({ texts: parsed.size, weight: parsedWeight, paths: split.size });

function partsOf(text: string): Parts {
  const known = parsed.get(text);
  if (known) return known;
  const parts: (string | Slot)[] = [];
  let slots = 0;
  let at = 0;
  for (const match of text.matchAll(TEMPLATE)) {
    if (match.index > at) parts.push(text.slice(at, match.index));
    const fallback = match[2];
    parts.push({
      keys: keysOf(match[1] ?? ''),
      fallback: fallback === undefined ? undefined : unescapeFallback(fallback),
    });
    slots++;
    at = match.index + match[0].length;
  }
  if (at < text.length) parts.push(text.slice(at));
  if (text.length <= PARSED_TEXT_CHARS && slots <= PARSED_SLOTS) {
    const weight = weightOf(text, parts, slots);
    if (parsed.size >= PARSED_TEXTS || parsedWeight + weight > PARSED_WEIGHT) {
      parsed.clear();
      parsedWeight = 0;
    }
    parsed.set(text, parts);
    parsedWeight += weight;
  }
  return parts;
}

function render(
  text: string,
  data: Readonly<Record<string, unknown>>,
  encode: (value: string) => string,
  budget: RenderBudget,
): string {
  if (!text.includes('{{')) return spend(budget, text.length) ? text : '';
  // Inserted values may take what the budget has left; the whole text is checked at the end.
  let left = budget.left;
  let out = '';
  for (const part of partsOf(text)) {
    if (typeof part === 'string') {
      out += part;
      continue;
    }
    const value = valueText(readKeys(data, part.keys), left);
    if (value === null) return spendAll(budget);
    const shown = value !== '' ? value : (part.fallback ?? '');
    const encoded = shown === '' ? '' : encode(shown);
    left -= encoded.length;
    if (left < 0) return spendAll(budget);
    out += encoded;
  }
  return spend(budget, out.length) ? out : '';
}

/** Marks the budget exceeded; the render's result is then empty. */
function spendAll(budget: RenderBudget): string {
  spend(budget, null);
  return '';
}

const identity = (value: string) => value;
const jsonString = (value: string) => JSON.stringify(value).slice(1, -1);
// `encodeURIComponent` throws on a lone surrogate (visitor text can hold one): replace it first.
const LONE_SURROGATE = /\p{Cs}/gu;
const uriComponent = (value: string) => encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD'));

/**
 * Replaces every `{{…}}` with its value, or its fallback when the value is missing or empty.
 * The result is at most `budget` characters: past that it is '' and `budget.exceeded` is set.
 */
export function renderTemplate(
  text: string,
  data: Readonly<Record<string, unknown>>,
  budget: RenderBudget = renderBudget(),
): string {
  return render(text, data, identity, budget);
}

/** For text that is JSON: inserted values are escaped as JSON string content. */
export function renderJsonText(
  text: string,
  data: Readonly<Record<string, unknown>>,
  budget: RenderBudget = renderBudget(),
): string {
  return render(text, data, jsonString, budget);
}

/**
 * For URLs: values are percent-encoded, except a template at the very start (a whole base URL
 * kept in a variable), so `https://api/x?q={{variable.q}}` cannot be broken out of.
 */
export function renderUrl(
  text: string,
  data: Readonly<Record<string, unknown>>,
  budget: RenderBudget = renderBudget(),
): string {
  const lead = /^\{\{[^}]*\}\}/.exec(text);
  if (!lead) return render(text, data, uriComponent, budget);
  const base = render(lead[0], data, identity, budget);
  const rest = render(text.slice(lead[0].length), data, uriComponent, budget);
  return budget.exceeded ? '' : base + rest;
}

/**
 * Renders a JSON value's strings. A string that is exactly one template yields the raw value
 * (so numbers, booleans and lists keep their type); other strings become rendered text. The
 * whole result counts against `budget` (a raw value by its JSON size); past it the result is
 * null and `budget.exceeded` is set.
 */
export function renderValue(
  value: unknown,
  data: Readonly<Record<string, unknown>>,
  budget: RenderBudget = renderBudget(),
): unknown {
  const rendered = renderPart(value, data, budget);
  return budget.exceeded ? null : rendered;
}

function renderPart(
  value: unknown,
  data: Readonly<Record<string, unknown>>,
  budget: RenderBudget,
): unknown {
  if (budget.exceeded) return null;
  if (typeof value === 'string') {
    if (!value.includes('{{')) return spend(budget, value.length) ? value : null;
    const whole = WHOLE_TEMPLATE.exec(value);
    if (!whole) return renderTemplate(value, data, budget);
    const raw = readPath(data, whole[1] ?? '');
    if (raw !== undefined && raw !== null && raw !== '')
      return spend(budget, sizeWithin(raw, budget.left)) ? raw : null;
    return whole[2] === undefined ? null : unescapeFallback(whole[2]);
  }
  if (Array.isArray(value)) {
    if (!spend(budget, value.length + 1)) return null;
    return value.map((item) => renderPart(item, data, budget));
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (!spend(budget, key.length + 4)) return null;
      out[key] = renderPart(item, data, budget);
    }
    return out;
  }
  spend(budget, sizeWithin(value, budget.left));
  return value;
}

/** The `namespace.path` of every template in a text (for the validator). */
export function templatePaths(text: string): string[] {
  if (!text.includes('{{')) return [];
  return Array.from(text.matchAll(TEMPLATE), (match) => match[1] ?? '');
}
