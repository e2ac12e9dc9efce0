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
