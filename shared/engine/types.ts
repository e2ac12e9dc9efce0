/** Types of the pure flow engine: state in, event in -> state out, effects out, step log out. */
import type { Flow } from '../flow/schema.ts';
import type { Choice } from '../protocol.ts';

export type RunStatus = 'waiting' | 'completed' | 'failed' | 'cancelled';

/** Everything a run needs between events. Plain JSON: stored as-is by the ConversationObject. */
export interface RunState {
  runId: string;
  flowId: string;
  version: number;
  status: RunStatus;
  /** The node waiting for input (status "waiting"), else null. */
  nodeId: string | null;
  /** Flow-local variables (`variable.*`). */
  variables: Record<string, unknown>;
  /** Why the run failed, when it did. */
  error?: string;
}

/** What happens to a run: it starts, or the visitor answers the question it waits on. */
export type EngineEvent = { type: 'start' } | { type: 'input'; text: string; value?: string };

/** The world as the engine may see it. The engine never reads a clock or does I/O itself. */
export interface EngineContext {
  flow: Flow;
  /** Epoch ms, supplied by the caller. */
  now: number;
  /** Read-only template/condition data by namespace: contact, visitor, pilot, system, event … */
  data: Readonly<Record<string, unknown>>;
}

/** Something the caller must do for the run. */
export type Effect = {
  type: 'say';
  nodeId: string;
  text: string;
  choices?: Choice[];
  input?: string;
};

export type StepStatus = 'completed' | 'waiting' | 'failed';

/** One executed node, for enrollment logs, insights and replay. */
export interface StepLog {
  nodeId: string;
  nodeType: string;
  at: number;
  version: number;
  status: StepStatus;
  error?: string;
}

export interface StepResult {
  state: RunState;
  effects: Effect[];
  log: StepLog[];
}

/** At most this many nodes execute per incoming event (SPEC 3.6 rule 7). */
export const MAX_STEPS_PER_EVENT = 200;
