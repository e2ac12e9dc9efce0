// @ts-check
/**
 * The flow files of a directory: one flow per `<name>.json`, in the flow format (SPEC 3.5)
 * plus the `id` of the flow it is bound to (absent until the first push creates it). A local
 * state file remembers the draft revision each flow had when last pulled or pushed, so a push
 * can send `If-Match` and refuse to overwrite edits made elsewhere since.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Local bookkeeping, not a flow; keep it out of git. */
export const STATE_FILE = '.edgepilot-state.json';

/**
 * @typedef {{ file: string, id: string | undefined, definition: Record<string, unknown>, raw: Record<string, unknown> }} FlowFile
 * @typedef {{ file: string, error: string }} BrokenFile
 */

/**
 * Every `*.json` flow file of `dir`, sorted by name; unparsable files are returned as broken.
 * @param {string} dir
 * @returns {Promise<{ flows: FlowFile[], broken: BrokenFile[] }>}
 */
export async function readFlowFiles(dir) {
  /** @type {FlowFile[]} */
  const flows = [];
  /** @type {BrokenFile[]} */
  const broken = [];
  const names = (await readdir(dir).catch(() => []))
    .filter((name) => name.endsWith('.json') && name !== STATE_FILE)
    .sort();
  for (const file of names) {
    const text = await readFile(join(dir, file), 'utf8');
    let raw;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      broken.push({ file, error: `not JSON: ${/** @type {Error} */ (error).message}` });
      continue;
    }
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      broken.push({ file, error: 'expected a JSON object (one flow per file)' });
      continue;
    }
    const { id, $schema: _schema, ...definition } = raw;
    if (id !== undefined && typeof id !== 'string') {
      broken.push({ file, error: '"id" must be the string id of a flow' });
      continue;
    }
    flows.push({ file, id, definition, raw });
  }
  return { flows, broken };
}

/**
 * Writes a flow file: `id` first, then the definition, 2-space JSON and a final newline, so
 * pulls of unchanged flows leave git clean. Returns whether the file changed.
 * @param {string} dir
 * @param {string} file
 * @param {Record<string, unknown>} content
 */
export async function writeFlowFile(dir, file, content) {
  const text = `${JSON.stringify(content, null, 2)}\n`;
  const path = join(dir, file);
  const before = await readFile(path, 'utf8').catch(() => null);
  if (before === text) return false;
  await mkdir(dir, { recursive: true });
  await writeFile(path, text);
  return true;
}

/**
 * `Welcome & pricing!` -> `welcome-pricing`, unique among `taken`.
 * @param {string} name
 * @param {Set<string>} taken file names already used
 */
export function fileNameFor(name, taken) {
  const slug =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'flow';
  let candidate = `${slug}.json`;
  for (let n = 2; taken.has(candidate); n++) candidate = `${slug}-${n}.json`;
  taken.add(candidate);
  return candidate;
}

/**
 * @param {string} dir
 * @returns {Promise<Record<string, number>>} flow id -> draft revision last seen
 */
export async function readState(dir) {
  try {
    const state = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'));
    return state && typeof state.revisions === 'object' ? state.revisions : {};
  } catch {
    return {};
  }
}

/**
 * @param {string} dir
 * @param {Record<string, number>} revisions
 */
export async function writeState(dir, revisions) {
  await mkdir(dir, { recursive: true });
  const sorted = Object.fromEntries(Object.entries(revisions).sort(([a], [b]) => (a < b ? -1 : 1)));
  await writeFile(join(dir, STATE_FILE), `${JSON.stringify({ revisions: sorted }, null, 2)}\n`);
}

/**
 * JSON with sorted keys: two flows are the same when their canonical texts are equal.
 * @param {unknown} value
 * @returns {string}
 */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
