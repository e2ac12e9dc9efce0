/**
 * Search a flow: a node's id or label, any text it shows or sends (messages, options, email,
 * URLs), and where a variable is used (`plan` finds `{{variable.plan}}`, `saveTo:
 * variable.plan`, condition fields).
 */
import type { Flow, FlowNode } from '../../../shared/flow/schema.ts';

export interface SearchHit {
  nodeId: string;
  /** Path of the matching field below the node (`text`, `input.options.0.label`), or `id`. */
  field: string;
  /** The matching text, clipped. */
  excerpt: string;
}

export const MAX_HITS = 200;

function walk(value: unknown, path: string, visit: (path: string, text: string) => void): void {
  if (typeof value === 'string') visit(path, value);
  else if (Array.isArray(value))
    value.forEach((v, i) => {
      walk(v, path ? `${path}.${i}` : `${i}`, visit);
    });
  else if (value !== null && typeof value === 'object')
    for (const [key, v] of Object.entries(value)) {
      if (key === 'position') continue;
      // Record keys (contact fields, headers) are searchable names too.
      const at = path ? `${path}.${key}` : key;
      walk(v, at, visit);
    }
}

function clip(text: string, index: number): string {
  const from = Math.max(0, index - 30);
  return (from > 0 ? '…' : '') + text.slice(from, from + 80) + (from + 80 < text.length ? '…' : '');
}

export function searchFlow(flow: Flow, query: string): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: SearchHit[] = [];
  for (const node of flow.nodes) {
    if (hits.length >= MAX_HITS) break;
    nodeHits(node, q, hits);
  }
  return hits.slice(0, MAX_HITS);
}

function nodeHits(node: FlowNode, q: string, hits: SearchHit[]) {
  const { id, type: _type, position: _p, ...fields } = node;
  if (id.toLowerCase().includes(q)) hits.push({ nodeId: id, field: 'id', excerpt: id });
  walk(fields, '', (path, text) => {
    const index = text.toLowerCase().indexOf(q);
    if (index >= 0) hits.push({ nodeId: id, field: path, excerpt: clip(text, index) });
  });
}

/** Every field that reads or writes `variable.<name>`. */
export function variableUsage(flow: Flow, name: string): SearchHit[] {
  const pattern = new RegExp(`\\bvariable\\.${name.replace(/[^A-Za-z0-9_]/g, '')}\\b`);
  const hits: SearchHit[] = [];
  for (const node of flow.nodes) {
    walk(node, '', (path, text) => {
      if (hits.length < MAX_HITS && pattern.test(text))
        hits.push({ nodeId: node.id, field: path, excerpt: clip(text, text.search(pattern)) });
    });
  }
  return hits;
}
