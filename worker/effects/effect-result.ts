/**
 * What an I/O effect reported: a value the effect executors return, the ledger stores and the
 * engine resumes a waiting run with. Below both (the executors and the conversation's storage
 * import it), so no effect module depends on the conversation.
 */
export interface EffectResult {
  ok: boolean;
  data?: unknown;
  error?: string;
}
