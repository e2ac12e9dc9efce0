/**
 * How big a value is, and the budget one render may spend: the measure the engine's limits
 * (shared/engine/limits.ts) are written in. Here, below flows and the engine, because templates
 * and conditions stop rendering at MAX_RENDERED_CHARS wherever they are evaluated. Sizes are
 * characters (UTF-16 code units) of a value's JSON text.
 */

/** One rendered template or templated value (a message, a URL, a webhook body, a condition). */
export const MAX_RENDERED_CHARS = 64 * 1024;

/**
 * The length of `value`'s JSON text (close enough: exact for strings without escapes, numbers,
 * lists and plain objects), or null as soon as it passes `limit`. The walk stops there, so it
 * costs at most about `limit` steps however deeply a value shares its parts: a list appended to
 * itself 30 times is 2^30 items of JSON but is refused after `limit` of them.
 */
export function sizeWithin(value: unknown, limit: number): number | null {
  // Most values measured are scalars (every node's rendered text, numbers): no walk.
  if (value === null || typeof value !== 'object') {
    const size = scalarSize(value);
    return size <= limit ? size : null;
  }
  let size = 0;
  const stack: object[] = [value];
  while (stack.length > 0) {
    const item = stack.pop() as object;
    if (Array.isArray(item)) {
      size += 2 + Math.max(0, item.length - 1);
      if (size > limit) return null;
      for (let i = item.length - 1; i >= 0; i--) {
        const entry: unknown = item[i];
        if (entry !== null && typeof entry === 'object') stack.push(entry);
        else size += scalarSize(entry);
      }
    } else {
      size += 2;
      // Plain JSON objects: own enumerable keys are all their keys.
      for (const key in item) {
        const entry: unknown = (item as Record<string, unknown>)[key];
        if (entry === undefined || typeof entry === 'function') continue;
        size += key.length + 4;
        if (entry !== null && typeof entry === 'object') stack.push(entry);
        else size += scalarSize(entry);
        if (size > limit) return null;
      }
    }
    if (size > limit) return null;
  }
  return size;
}

/**
 * Whether `value` nests at most `maxDepth` lists/objects deep and holds at most `maxEntries`
 * values in all. Iterative, and stops at the first excess: a hostile value thousands of levels
 * deep is refused without recursion (a structured clone or a recursive walk of it overflows
 * the stack).
 */
export function shapeWithin(value: unknown, maxDepth: number, maxEntries: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  let entries = 0;
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== 'object') continue;
    if (depth >= maxDepth) return false;
    const children = Array.isArray(item) ? item : Object.values(item);
    entries += children.length;
    if (entries > maxEntries) return false;
    for (const child of children) stack.push([child, depth + 1]);
  }
  return true;
}

function scalarSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length + 2;
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      return value === null ? 4 : 0;
    default:
      return 0;
  }
}

/**
 * What one render may still produce. Renderers subtract what they write and set `exceeded`
 * (writing nothing more) instead of building a text past the limit.
 */
export interface RenderBudget {
  left: number;
  exceeded: boolean;
}

export function renderBudget(limit = MAX_RENDERED_CHARS): RenderBudget {
  return { left: limit, exceeded: false };
}

/** Takes `size` characters from the budget; false (and `exceeded`) when they do not fit. */
export function spend(budget: RenderBudget, size: number | null): boolean {
  if (budget.exceeded) return false;
  if (size === null || size > budget.left) {
    budget.exceeded = true;
    return false;
  }
  budget.left -= size;
  return true;
}
