/**
 * A visitor turn that threw. Never a flow's doing (the engine returns failures as values): a
 * bug or a storage limit. The turn's own writes were rolled back; this records, in a
 * transaction of its own, what keeps the conversation working: the frame as handled (a resend
 * is acknowledged, not run again), what the visitor said, the run it fed as failed with
 * `turn_failed` (no run is left waiting on a half-written state), and the pilot's fallback.
 */
import type { RunState } from '../../shared/engine/types.ts';
import { choiceOf, formOf, runIdentity } from './conversation-facts.ts';
import type { Start } from './run-driver.ts';
import type { RunLedger, TurnOutput } from './run-ledger.ts';
import type { ConversationStorage, StoredRun } from './storage.ts';
import type { VisitorFrame } from './turn-preparation.ts';

export const TURN_FAILED = 'turn_failed';

export function recordFailedTurn(
  store: ConversationStorage,
  ledger: RunLedger,
  frame: VisitorFrame,
  start: Start | null,
  now: number,
  out: TurnOutput,
): void {
  store.markClientFrame(frame.id, now);
  const said =
    frame.type === 'message'
      ? frame.text
      : frame.type === 'choice'
        ? choiceOf(store, frame)?.label
        : frame.type === 'form'
          ? formOf(store, frame)?.text
          : undefined;
  if (said !== undefined)
    out.messages.push(
      store.appendMessage({ author: 'visitor', text: said, at: now, clientId: frame.id }),
    );
  const active = said !== undefined ? store.activeRun() : null;
  if (active) {
    failRun(store, ledger, active, now, out);
    return;
  }
  let failed: RunState | null = null;
  if (start) {
    failed = {
      runId: `run_${crypto.randomUUID()}`,
      flowId: start.flow.flowId,
      version: start.flow.version,
      status: 'failed',
      nodeId: null,
      steps: 0,
      variables: {},
      error: TURN_FAILED,
    };
    const who = runIdentity(store);
    ledger.commit(start.flow.flow, { state: failed, effects: [], log: [] }, now, who, out);
  }
  ledger.aborted(failed ?? { error: TURN_FAILED }, now, out);
}

/**
 * Ends `run` (still waiting when its turn threw) as failed with `turn_failed` and answers with
 * the fallback, so no run is left waiting on a state its failed turn could not write.
 */
export function failRun(
  store: ConversationStorage,
  ledger: RunLedger,
  run: StoredRun | null,
  now: number,
  out: TurnOutput,
): void {
  let failed: RunState | null = null;
  if (run?.state.status === 'waiting') {
    failed = { ...ended(run.state), error: TURN_FAILED };
    const empty = { state: failed, effects: [], log: [] };
    ledger.commit(run.flow, empty, now, runIdentity(store), out);
  }
  ledger.aborted(failed ?? { error: TURN_FAILED }, now, out);
}

/** A waiting run's state as a finished one (no node, nothing awaited). */
function ended(state: RunState): RunState {
  const { waitingFor: _for, waitingSince: _since, attempts: _attempts, ...rest } = state;
  return { ...rest, status: 'failed', nodeId: null };
}
