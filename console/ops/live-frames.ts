/**
 * The live socket's frames (`snapshot`, then `changes`; `removed` when visitors were erased;
 * `lagging` when the pilot's pushes are past their rate and rows come by the queue a second or
 * two late) checked and folded into the list the live view and the inbox show. Pure: the socket
 * itself is in live-socket.ts. Checked by hand, strictly, for the reason console/api/errors.ts
 * gives (a zod import here would put its core in the first-load bundle).
 */
import type { components } from '../api/client.ts';

export type LiveRow = components['schemas']['LiveConversation'];
export type LiveFrame =
  | { type: 'snapshot' | 'changes'; items: LiveRow[] }
  | { type: 'removed'; conversationIds: string[] }
  | { type: 'lagging'; reason: string };

/** How long the view says it lags after the last `lagging` frame (sent at most once a second). */
export const LAGGING_NOTE_MS = 5_000;

/** Rows kept (the server's snapshot holds at most 200); older rows fall off. */
export const MAX_LIVE_ROWS = 300;
/** Frames larger than this are ignored rather than parsed (a bounded reader). */
export const MAX_FRAME_CHARS = 1_000_000;

function isRow(value: unknown): value is LiveRow {
  const row = value as Record<string, unknown> | null;
  return (
    !!row &&
    typeof row === 'object' &&
    typeof row.conversationId === 'string' &&
    typeof row.seq === 'number' &&
    typeof row.updatedAt === 'number' &&
    typeof row.status === 'string' &&
    typeof row.mode === 'string'
  );
}

/** A frame from its text, or null (pong, unknown type, malformed rows, oversized). */
export function parseLiveFrame(text: string): LiveFrame | null {
  if (text.length > MAX_FRAME_CHARS) return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return null;
  }
  const frame = body as { type?: unknown; items?: unknown } | null;
  if (!frame || typeof frame !== 'object') return null;
  if (frame.type === 'removed') {
    const { conversationIds } = frame as { conversationIds?: unknown };
    if (!Array.isArray(conversationIds) || !conversationIds.every((id) => typeof id === 'string'))
      return null;
    return { type: 'removed', conversationIds };
  }
  if (frame.type === 'lagging') {
    const { reason } = frame as { reason?: unknown };
    return typeof reason === 'string' ? { type: 'lagging', reason } : null;
  }
  if (frame.type !== 'snapshot' && frame.type !== 'changes') return null;
  if (!Array.isArray(frame.items) || !frame.items.every(isRow)) return null;
  return { type: frame.type, items: frame.items.slice(0, MAX_LIVE_ROWS) };
}

/**
 * The list after `frame`: a snapshot replaces it; changes replace rows with a newer `seq`;
 * `removed` drops the erased visitors' rows (an open view must not keep showing them); `lagging`
 * changes no row. Newest activity first, bounded.
 */
export function applyLiveFrame(rows: readonly LiveRow[], frame: LiveFrame): LiveRow[] {
  if (frame.type === 'lagging') return [...rows];
  if (frame.type === 'removed') {
    const gone = new Set(frame.conversationIds);
    return rows.filter((row) => !gone.has(row.conversationId));
  }
  const byId = new Map<string, LiveRow>();
  if (frame.type === 'changes') for (const row of rows) byId.set(row.conversationId, row);
  for (const row of frame.items) {
    const known = byId.get(row.conversationId);
    if (!known || row.seq >= known.seq) byId.set(row.conversationId, row);
  }
  return [...byId.values()].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, MAX_LIVE_ROWS);
}

/** Whether the view should say it lags at `now`, given the last `lagging` frame's time. */
export function isLagging(laggingAt: number | null, now: number): boolean {
  return laggingAt !== null && now - laggingAt < LAGGING_NOTE_MS;
}

/** Live rows that are still active (the server drops closed, run-less ones from its list). */
export function activeRows(rows: readonly LiveRow[]): LiveRow[] {
  return rows.filter((row) => row.status === 'open' || row.runId !== null);
}

/** Reconnect delay after `attempt` failures: exponential to 30 s, with full jitter. */
export function reconnectDelay(attempt: number, random = Math.random): number {
  const ceiling = Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Who waits at each step of `flowId` right now (the live counts on the canvas): active rows
 * of a run of that flow with a current node, longest waiting first.
 */
export function waitingByNode(rows: readonly LiveRow[], flowId: string): Map<string, LiveRow[]> {
  const byNode = new Map<string, LiveRow[]>();
  for (const row of activeRows(rows)) {
    if (row.flowId !== flowId || !row.runId || !row.nodeId) continue;
    const list = byNode.get(row.nodeId) ?? [];
    list.push(row);
    byNode.set(row.nodeId, list);
  }
  for (const list of byNode.values())
    list.sort((a, b) => (a.waitingSince ?? a.updatedAt) - (b.waitingSince ?? b.updatedAt));
  return byNode;
}

/**
 * Whether a frame may change conversation `id`: a row of it changed or was removed (a `lagging`
 * frame says rows come later by the queue, so it may too).
 */
export function frameConcerns(frame: LiveFrame, id: string): boolean {
  if (frame.type === 'lagging') return true;
  if (frame.type === 'removed') return frame.conversationIds.includes(id);
  return frame.items.some((row) => row.conversationId === id);
}
