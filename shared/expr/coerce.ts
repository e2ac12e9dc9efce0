/**
 * Type coercion for conditions and typed variables (documented in README "Flow format"):
 * - missing = undefined, null, '' (after trim) or []
 * - numbers: numbers, or strings that parse fully as a finite number ("42", " 3.5 ")
 * - booleans: true/false, "true"/"yes"/"1"/"on" and "false"/"no"/"0"/"off", 1/0
 * - dates: epoch ms numbers, or ISO 8601 strings ("2026-12-25", "2026-12-25T10:00:00Z")
 * - lists: arrays; a scalar is a one-item list; comma-separated text stays one item
 * - text: strings as-is, numbers/booleans via String(), others as JSON
 */
export function isMissing(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed === '') return undefined;
    const parsed = Number(trimmed);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

const TRUE_WORDS = new Set(['true', 'yes', '1', 'on', 'y']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'off', 'n']);

export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  return undefined;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Epoch ms of a date value, or undefined. Date-only and offset-less ISO strings are UTC. */
export function toDate(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!ISO_DATE.test(text)) return undefined;
  const withZone = /T|\s/.test(text) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? `${text}Z` : text;
  const parsed = Date.parse(withZone.replace(' ', 'T'));
  return Number.isFinite(parsed) ? parsed : undefined;
}

export function toList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isMissing(value)) return [];
  return [value];
}

export function toText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)?$/i;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };

/** `"30m"`, `"2h"`, `"7d"`, `"1w"`, or a number of seconds -> ms. */
export function toDurationMs(value: unknown): number | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) && value >= 0 ? value * 1e3 : undefined;
  if (typeof value !== 'string') return undefined;
  const match = DURATION.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MS[(match[2] ?? 's').toLowerCase()] ?? 1e3);
}

/** Converts a value to a variable's declared type; values that do not convert are kept as-is. */
export function coerceToType(value: unknown, type: string | undefined): unknown {
  if (value === undefined || value === null) return value;
  switch (type) {
    case 'number':
      return toNumber(value) ?? value;
    case 'boolean':
      return toBoolean(value) ?? value;
    case 'list':
      return toList(value);
    case 'text':
      return typeof value === 'string' ? value : toText(value);
    default:
      return value;
  }
}
