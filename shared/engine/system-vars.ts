/**
 * The read-only `system.*` namespace (SPEC 3.5): `last_utterance`, `last_response`, `locale`,
 * `conversation_user_id` and `conversation_history` (the last 10 messages). Built by the caller
 * from the stored transcript; the engine keeps it current within one event (run.ts `say`).
 */

/** How many messages `system.conversation_history` holds. */
export const HISTORY_LENGTH = 10;

export interface HistoryMessage {
  author: string;
  text: string;
}

export interface SystemFacts {
  /** The conversation's messages, oldest first (more than 10 is fine: the tail is used). */
  messages: readonly HistoryMessage[];
  conversationUserId?: string;
  locale?: string;
}

/** Who counts as "the response" side for `last_response`. */
const RESPONDERS = new Set(['pilot', 'agent']);

export function systemNamespace(facts: SystemFacts): Record<string, unknown> {
  // System notes ("an agent joined") are not conversation.
  const said = facts.messages.filter((m) => m.author !== 'system');
  const history = said.slice(-HISTORY_LENGTH).map(({ author, text }) => ({ author, text }));
  const lastBy = (match: (author: string) => boolean) =>
    said.findLast((message) => match(message.author))?.text ?? '';
  return {
    last_utterance: lastBy((author) => author === 'visitor'),
    last_response: lastBy((author) => RESPONDERS.has(author)),
    conversation_history: history,
    ...(facts.conversationUserId !== undefined
      ? { conversation_user_id: facts.conversationUserId }
      : {}),
    ...(facts.locale !== undefined ? { locale: facts.locale } : {}),
  };
}

/** `system` after the pilot said `text` (or the visitor wrote it) during this event. */
export function withMessage(
  system: Readonly<Record<string, unknown>> | undefined,
  author: 'pilot' | 'visitor',
  text: string,
): Record<string, unknown> {
  const history = Array.isArray(system?.conversation_history)
    ? (system.conversation_history as HistoryMessage[])
    : [];
  return {
    ...system,
    conversation_history: [...history, { author, text }].slice(-HISTORY_LENGTH),
    ...(author === 'pilot' ? { last_response: text } : { last_utterance: text }),
  };
}
