/**
 * Messages a transcript draws at first, and how many more each "earlier messages" press adds: a
 * conversation may hold 10,000 messages of 4,000 characters, and the inbox draws it again on
 * every live frame (a hostile review froze the agent's tab for seconds with one).
 */
export const TRANSCRIPT_SHOWN = 200;
export const TRANSCRIPT_STEP = 500;

/** The newest `shown` messages, and how many earlier ones are not drawn. */
export function transcriptWindow<T>(messages: readonly T[], shown: number) {
  const hidden = Math.max(0, messages.length - shown);
  return { hidden, visible: messages.slice(hidden) };
}

/** The most messages the inbox keeps for one conversation: what the API answers at most. */
export const TRANSCRIPT_KEPT = 10_000;

/**
 * The transcript after a read of the messages past `after` (the last `seq` the view has):
 * appended when they follow on, kept when nothing is new. `null` when they do not follow on
 * (more arrived than one answer holds, or the view's copy is stale): read the whole transcript.
 */
export function appendTranscript<T extends { seq: number }>(
  have: readonly T[],
  fresh: readonly T[],
): T[] | null {
  const last = have.at(-1)?.seq ?? 0;
  if (fresh.length === 0) return [...have];
  if (fresh[0]!.seq !== last + 1) return null;
  return [...have, ...fresh].slice(-TRANSCRIPT_KEPT);
}

/**
 * The transcript after a live read: the read's messages when there is no copy or it is a whole
 * read (`after` undefined); `null` (read it whole) when the conversation was started again since
 * the copy (an erasure empties it and a returning visitor starts it over under the same id, so
 * `createdAt` differs) or the new messages do not follow on; else the copy and the new ones.
 */
export function followTranscript<T extends { seq: number }>(
  have: { createdAt: number; messages: readonly T[] } | null,
  read: { createdAt: number; messages: readonly T[] },
  after: number | undefined,
): T[] | null {
  if (after === undefined || !have) return [...read.messages];
  if (read.createdAt !== have.createdAt) return null;
  return appendTranscript(have.messages, read.messages);
}
