/**
 * Copy/paste of steps through the system clipboard as JSON text. Pasted text is untrusted (it
 * may come from anywhere): it is parsed with the flow format's node schema, every node gets a
 * new id, ports between pasted nodes follow the new ids and ports to anything else are dropped.
 */
import { z } from 'zod';
import { type Flow, type FlowNode, nodeSchema } from '../../../shared/flow/schema.ts';
import { nodeIds } from './commands.ts';
import { freshId } from './node-types.ts';
import { remapPorts } from './ports.ts';

const KIND = 'edgepilot/nodes';
/** A paste larger than the format's node limit is refused before parsing nodes. */
export const MAX_PASTE_NODES = 500;
export const MAX_PASTE_CHARS = 1_000_000;

const clipSchema = z.object({
  kind: z.literal(KIND),
  nodes: z.array(nodeSchema).min(1).max(MAX_PASTE_NODES),
});

export function copyText(flow: Flow, ids: readonly string[]): string | null {
  const wanted = new Set(ids);
  const nodes = flow.nodes.filter((n) => wanted.has(n.id));
  return nodes.length ? JSON.stringify({ kind: KIND, nodes }, null, 2) : null;
}

export type PasteResult = { ok: true; flow: Flow; ids: string[] } | { ok: false; message: string };

/** Adds the clipboard's nodes to `flow`, shifted by `offset`, with new ids. */
export function pasteText(flow: Flow, text: string, offset = { x: 40, y: 40 }): PasteResult {
  if (text.length > MAX_PASTE_CHARS) return { ok: false, message: 'The clipboard is too large' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, message: 'The clipboard does not hold copied steps' };
  }
  const parsed = clipSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message:
        `The clipboard's steps are not valid: ${issue?.path.join('.') || '(root)'} ${issue?.message ?? ''}`.trim(),
    };
  }
  const taken = nodeIds(flow);
  const map = new Map<string, string>();
  for (const node of parsed.data.nodes) {
    const id = freshId(node.type, taken);
    taken.add(id);
    map.set(node.id, id);
  }
  const pasted = parsed.data.nodes.map((node) => {
    const moved = {
      ...node,
      id: map.get(node.id) as string,
      position: {
        x: Math.round((node.position?.x ?? 0) + offset.x),
        y: Math.round((node.position?.y ?? 0) + offset.y),
      },
    } as FlowNode;
    return remapPorts(moved, map);
  });
  if (flow.nodes.length + pasted.length > 2000)
    return { ok: false, message: 'A flow holds at most 2,000 steps' };
  return { ok: true, flow: { ...flow, nodes: [...flow.nodes, ...pasted] }, ids: [...map.values()] };
}
