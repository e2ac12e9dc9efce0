/**
 * A small JSONPath subset for `http_request.saveResponse`: `$`, `.key`, `['key']`, `[index]`
 * (negative indexes count from the end). Enough for response fields; no filters or wildcards.
 */
const TOKEN = /\.([A-Za-z_$][\w$-]*)|\[(-?\d+)\]|\[\s*(['"])(.*?)\3\s*\]/y;

/** Splits a path into keys; null when it is not in the supported subset. */
export function parseJsonPath(path: string): (string | number)[] | null {
  let text = path.trim();
  if (text.startsWith('$')) text = text.slice(1);
  else if (text !== '' && !text.startsWith('.') && !text.startsWith('[')) text = `.${text}`;
  const keys: (string | number)[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match || match.index !== start) return null;
    if (match[1] !== undefined) keys.push(match[1]);
    else if (match[2] !== undefined) keys.push(Number(match[2]));
    else keys.push(match[4] ?? '');
  }
  return keys;
}

/** Reads `path` from a JSON value; undefined when it is missing or the path is unsupported. */
export function readJsonPath(value: unknown, path: string): unknown {
  const keys = parseJsonPath(path);
  if (!keys) return undefined;
  let current: unknown = value;
  for (const key of keys) {
    if (typeof key === 'number') {
      if (!Array.isArray(current)) return undefined;
      current = current[key < 0 ? current.length + key : key];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current))
        return undefined;
      if (!Object.hasOwn(current, key)) return undefined;
      current = (current as Record<string, unknown>)[key];
    }
  }
  return current;
}
