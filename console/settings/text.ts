/** Small pure helpers the settings pages share: reading API rows and form text. Pure. */

/** Trimmed non-empty lines of a textarea, at most `max`. */
export function linesOf(text: string, max = 2000): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(0, max);
}

/** `list` without repeats, compared case-insensitively (the first spelling wins). */
export function uniqueLoose(list: readonly string[]): string[] {
  const seen = new Set<string>();
  return list.filter((item) => {
    const key = item.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A 0..1 score as a whole percentage ("87%"); out-of-range values are clamped. */
export function percent(score: number): string {
  const clamped = Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0;
  return `${Math.round(clamped * 100)}%`;
}

/** A string field of an API row (rows of pilot items are open records), or ''. */
export function textField(row: Record<string, unknown>, key: string): string {
  const value = row[key];
  return typeof value === 'string' ? value : '';
}

/** A string-array field of an API row; other entries are dropped. */
export function textList(row: Record<string, unknown>, key: string): string[] {
  const value = row[key];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
