/**
 * Reading and writing a field of a node by its dotted path (`input.options.0.label`), the same
 * paths the validator reports, so inspector fields and problems line up. Writes copy along the
 * path (the old node stays intact for undo); `undefined` removes the key.
 */
export function getIn(value: unknown, path: string): unknown {
  if (!path) return value;
  let at: unknown = value;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

export function setIn<T>(value: T, path: string, next: unknown): T {
  if (!path) return next as T;
  const [key, ...rest] = path.split('.') as [string, ...string[]];
  const container: unknown = value ?? (/^\d+$/.test(key) ? [] : {});
  const child = (container as Record<string, unknown>)[key];
  const updated = rest.length
    ? setIn(child ?? (/^\d+$/.test(rest[0] ?? '') ? [] : {}), rest.join('.'), next)
    : next;
  if (Array.isArray(container)) {
    const copy = [...container];
    if (updated === undefined) copy.splice(Number(key), 1);
    else copy[Number(key)] = updated;
    return copy as T;
  }
  const copy = { ...(container as Record<string, unknown>) };
  if (updated === undefined) delete copy[key];
  else copy[key] = updated;
  return copy as T;
}
