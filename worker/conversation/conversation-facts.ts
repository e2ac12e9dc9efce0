/**
 * Reads of what the conversation knows about itself (meta rows in its own storage): its mode,
 * subject, pilot, run identity and the facts the engine sees. Reads only, never writes, so they
 * may run anywhere in a turn without changing its commit.
 */
import type { ClientFrame, PageInfo } from '../../shared/protocol.ts';
import type { ConversationFacts, PilotFacts } from './engine-data.ts';
import type { RunIdentity } from './run-ledger.ts';
import type { ConversationStorage } from './storage.ts';

/** An admin reply or a handover puts the conversation in `agent` mode: the pilot stays quiet. */
export function conversationMode(store: ConversationStorage): 'pilot' | 'agent' {
  return store.getMeta('mode') === 'agent' ? 'agent' : 'pilot';
}

/**
 * The pilot stays quiet once a person has the conversation: in `agent` mode, except while a
 * visitor's "talk to a human" waits for the first agent reply (`handoverWaiting`), so a
 * request nobody picks up is never a dead end.
 */
export function pilotIsQuiet(store: ConversationStorage): boolean {
  return conversationMode(store) === 'agent' && store.getMeta('handoverWaiting') !== '1';
}

/** Who frequency/cooldown claims are counted for: the contact once known, else the visitor. */
export function subjectOf(store: ConversationStorage): string {
  const userId = store.getMeta('userId');
  return userId ? `contact:${userId}` : `visitor:${store.getMeta('visitorId') ?? ''}`;
}

/** The pilot facts last synced from a snapshot (null before the first sync). */
export function storedPilot(store: ConversationStorage): PilotFacts | null {
  return store.getJson<PilotFacts>('pilot');
}

export function runIdentity(store: ConversationStorage): RunIdentity {
  const pilot = storedPilot(store);
  return {
    workspaceId: pilot?.workspaceId ?? '',
    pilotId: pilot?.id ?? '',
    conversationId: store.getMeta('conversationId') ?? '',
    subject: subjectOf(store),
  };
}

/** The facts the engine sees; `page` is a page view not yet stored (it counts as a visit). */
export function conversationFacts(
  store: ConversationStorage,
  page?: PageInfo | null,
): ConversationFacts {
  const locale = store.getMeta('locale');
  return {
    conversationId: store.getMeta('conversationId') ?? '',
    visitorId: store.getMeta('visitorId') ?? '',
    userId: store.getMeta('userId'),
    page: page ?? store.getJson<PageInfo>('page'),
    contact: store.getJson<Record<string, unknown>>('contact') ?? {},
    company: store.getJson<Record<string, unknown>>('company') ?? {},
    status: store.getMeta('status') ?? 'open',
    mode: conversationMode(store),
    visitCount: Number(store.getMeta('visits') ?? '0') + (page ? 1 : 0),
    // `system.conversation_history` (last 10), `last_utterance`, `last_response`.
    history: store.messagesAfter(Math.max(0, store.lastSeq() - 20)),
    ...(locale ? { locale } : {}),
  };
}

/** The trigger data a run was started with (see trigger-extra.ts). */
export function runExtra(store: ConversationStorage, runId: string): Record<string, unknown> {
  return store.getJson<Record<string, unknown>>(`extra:${runId}`) ?? {};
}

/**
 * The form a `form` frame answers (the pilot message at `seq` must show one) and how the sent
 * values read in the log: `Label: value` per filled field the form asked (others are dropped).
 */
export function formOf(
  store: ConversationStorage,
  frame: Extract<ClientFrame, { type: 'form' }>,
): { text: string; values: Record<string, string> } | undefined {
  const asked = store.message(frame.seq);
  if (asked?.author !== 'pilot' || !asked.form) return undefined;
  const values: Record<string, string> = {};
  const lines: string[] = [];
  for (const field of asked.form) {
    const value = frame.values[field.name]?.trim();
    if (value === undefined) continue;
    values[field.name] = value;
    if (value) lines.push(`${field.label}: ${value}`);
  }
  return { text: lines.join('\n') || '—', values };
}

/** The choice a `choice` frame picked, if the pilot message it answers offered it. */
export function choiceOf(
  store: ConversationStorage,
  frame: Extract<ClientFrame, { type: 'choice' }>,
) {
  const asked = store.message(frame.seq);
  return asked?.author === 'pilot'
    ? asked.choices?.find((c) => c.value === frame.value)
    : undefined;
}
