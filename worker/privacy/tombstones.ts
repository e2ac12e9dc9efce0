/**
 * Queue events that predate an erasure of their conversation are dropped before they reach
 * D1 or the live view: a message in flight while an admin erased the conversation would
 * otherwise bring its rows back. Steps carry no conversation id; they go with their run.
 */
import { sha256Hex } from '../auth/hash.ts';
import type { RuntimeEvent } from '../queue/events.ts';

/** D1 allows 100 bound parameters per statement. */
const IDS_PER_QUERY = 90;

export async function dropErased(db: D1Database, events: RuntimeEvent[]): Promise<RuntimeEvent[]> {
  const ids = [...new Set(events.flatMap((e) => (e.kind === 'step' ? [] : [e.conversationId])))];
  const idOf = new Map<string, string>();
  for (const id of ids) idOf.set(await sha256Hex(id), id);
  const hashes = [...idOf.keys()];
  const erasedAt = new Map<string, number>();
  for (let i = 0; i < hashes.length; i += IDS_PER_QUERY) {
    const chunk = hashes.slice(i, i + IDS_PER_QUERY);
    const { results } = await db
      .prepare(
        `SELECT conversation_hash, erased_at FROM erased_conversations
         WHERE conversation_hash IN (${chunk.map(() => '?').join(', ')})`,
      )
      .bind(...chunk)
      .all<{ conversation_hash: string; erased_at: number }>();
    for (const row of results) erasedAt.set(idOf.get(row.conversation_hash) ?? '', row.erased_at);
  }
  if (erasedAt.size === 0) return events;
  const droppedRuns = new Set<string>();
  const kept = events.filter((e) => {
    if (e.kind === 'step') return true;
    const at = erasedAt.get(e.conversationId);
    const drop = at !== undefined && e.at <= at;
    if (drop && e.kind === 'run') droppedRuns.add(e.runId);
    return !drop;
  });
  return kept.filter((e) => e.kind !== 'step' || !droppedRuns.has(e.runId));
}
