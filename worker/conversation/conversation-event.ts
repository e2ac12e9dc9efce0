/** The conversation as admins see it (list, live view), read from the object's storage. */
import type { PageInfo } from '../../shared/protocol.ts';
import type { ConversationEvent } from '../queue/events.ts';
import type { PilotFacts } from './engine-data.ts';
import type { ConversationStorage } from './storage.ts';

/** Null until the conversation knows its pilot (first snapshot read). */
export function conversationEvent(
  store: ConversationStorage,
  seq: number,
  now: number,
): ConversationEvent | null {
  const pilot = store.getJson<PilotFacts>('pilot');
  const conversationId = store.getMeta('conversationId');
  if (!pilot || !conversationId) return null;
  const last = store.lastMessage();
  const active = store.activeRun();
  const assignee = store.getMeta('assignee');
  return {
    kind: 'conversation',
    id: `${conversationId}:c:${seq}`,
    seq,
    at: now,
    workspaceId: pilot.workspaceId,
    pilotId: pilot.id,
    conversationId,
    visitorId: store.getMeta('visitorId') ?? '',
    userId: store.getMeta('userId'),
    status: store.getMeta('status') === 'closed' ? 'closed' : 'open',
    mode: store.getMeta('mode') === 'agent' ? 'agent' : 'pilot',
    assignee,
    pageUrl: store.getJson<PageInfo>('page')?.url ?? null,
    lastMessage: last ? last.text.slice(0, 500) : null,
    lastMessageAt: last?.at ?? null,
    createdAt: Number(store.getMeta('opened') ?? now),
    run: active
      ? {
          runId: active.state.runId,
          flowId: active.state.flowId,
          version: active.state.version,
          nodeId: active.state.nodeId,
          waitingSince: active.state.waitingSince ?? null,
        }
      : null,
  };
}
