/**
 * Retrying a failed run (`POST /enrollments/:id/retry`): the same run — same id, pinned
 * version, variables and trigger data — executes again from the node it failed on. Pure: the
 * engine sees a run that has not started and a copy of its flow whose start is that node.
 */
import type { RunState, StepLog } from '../../shared/engine/types.ts';
import type { Flow } from '../../shared/flow/schema.ts';

/** The node a failed step log names, recorded with the run so a retry knows where to resume. */
export function failedNode(log: readonly StepLog[]): string | null {
  for (let i = log.length - 1; i >= 0; i--) {
    const entry = log[i];
    if (entry?.status === 'failed') return entry.nodeId;
  }
  return null;
}

/** The state and flow to `step(…, { type: 'start' })` so the run continues at `nodeId`. */
export function resumeAt(
  state: RunState,
  flow: Flow,
  nodeId: string,
): { state: RunState; flow: Flow } {
  const {
    error: _error,
    waitingFor: _waitingFor,
    waitingSince: _since,
    attempts: _attempts,
    ...rest
  } = state;
  return {
    state: { ...rest, status: 'waiting', nodeId: null },
    flow: { ...flow, start: nodeId },
  };
}
