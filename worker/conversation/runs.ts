/**
 * A conversation's runs, as plain functions of a turn: starting, advancing, resuming and
 * cancelling a run (the engine context built from the conversation's facts, the pure engine
 * stepped), and the ledger of what a step produced — the run state, the pilot's messages, the
 * intents of I/O effects and the run/step events — all written in the turn's single commit.
 */
import { newRun, step } from '../../shared/engine/engine.ts';
import {
  type AgentInfo,
  type EngineEvent,
  isAbort,
  type RunState,
  type StepLog,
  type StepResult,
} from '../../shared/engine/types.ts';
import type { PublishedFlow } from '../../shared/flow/match.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { RunEvent, StepEvent } from '../queue/events.ts';
import { conversationFacts, engineContext, pilotFactsOf } from './engine-data.ts';
import { type StoredRun, subjectOf } from './storage.ts';
import type { Turn } from './turn.ts';

/** A flow to start, with the trigger data its run sees (`intent.*`, `entity.*`, `event.*`). */
export interface Start {
  flow: PublishedFlow;
  extra: Record<string, unknown>;
  byVisitor: boolean;
}

/** A start that no visitor words caused and that carries no trigger data (retry, go_to_flow). */
export function plainStart(flow: PublishedFlow): Start {
  return { flow, extra: {}, byVisitor: false };
}

/** Said when a run fails before the pilot's settings were ever synced (not expected). */
const DEFAULT_FALLBACK = 'Sorry, something went wrong. Please try again.';
/** The error of a run whose turn threw (see failRun). */
export const TURN_FAILED = 'turn_failed';

export function startRun(t: Turn, start: Start, agents: AgentInfo[] | undefined): void {
  const { flow: chosen, extra } = start;
  const runId = `run_${crypto.randomUUID()}`;
  const ctx = context(t, chosen.flow, agents, extra);
  // The run row exists before its first step, so its trigger time is the run's start.
  t.store.saveRun(newRun(runId, chosen.flowId, chosen.version, ctx), chosen.flow, t.now, extra);
  if (start.byVisitor) t.store.markRunStarted(runId, t.now);
  const result = step(newRun(runId, chosen.flowId, chosen.version, ctx), { type: 'start' }, ctx);
  commitStep(t, chosen.flow, result);
}

export function advanceRun(
  t: Turn,
  run: StoredRun,
  event: EngineEvent,
  agents: AgentInfo[] | undefined,
): RunState {
  const ctx = context(t, run.flow, agents, run.extra);
  const result = step(run.state, event, ctx);
  if (result.state === run.state) return run.state;
  commitStep(t, run.flow, result);
  return result.state;
}

/**
 * Enrollment retry of a failed run: the same run — same id, pinned version, variables and
 * trigger data — executes again from `node`, the node it failed on. The engine sees a run that
 * has not started and a copy of its flow whose start is that node; its effects get new
 * idempotency keys, as an explicit retry should.
 */
export function resumeRun(
  t: Turn,
  failed: StoredRun,
  node: string,
  agents: AgentInfo[] | undefined,
): void {
  const { state, flow } = resumeAt(failed.state, failed.flow, node);
  const ctx = context(t, flow, agents, failed.extra);
  t.store.setFailedNode(failed.state.runId, null);
  // Saved with the run's own definition: later steps resolve nodes in the pinned flow.
  commitStep(t, failed.flow, step(state, { type: 'start' }, ctx));
}

export function cancelActiveRun(t: Turn, reason: string, handedOver: boolean): void {
  const active = t.store.activeRun();
  if (!active) return;
  if (handedOver) t.store.markRunHandedOver(active.state.runId);
  advanceRun(t, active, { type: 'cancel', reason }, undefined);
}

/** Keeps the pilot facts current; an active run whose flow was unpublished is cancelled. */
export function syncPilot(t: Turn, snapshot: PilotSnapshot): void {
  // The same snapshot gives the same facts object (pilotFactsOf): nothing to write or compare.
  const facts = pilotFactsOf(snapshot);
  if (t.state.pilot !== facts) t.store.update({ pilot: facts });
  const active = t.store.activeRun();
  if (
    active &&
    snapshot.publishedAt > active.startedAt &&
    !snapshot.flows.some((f) => f.flowId === active.state.flowId)
  )
    advanceRun(t, active, { type: 'cancel', reason: 'unpublished' }, undefined);
}

function context(
  t: Turn,
  flow: Flow,
  agents: AgentInfo[] | undefined,
  extra: Record<string, unknown>,
) {
  const facts = conversationFacts(t.state, t.store.history());
  return engineContext(flow, t.now, facts, t.state.pilot, agents, extra);
}

// ---- the run ledger ----

/** Saves a run after `step` and records everything it produced. */
export function commitStep(t: Turn, flow: Flow, result: StepResult): void {
  const { store, now, out } = t;
  const { state } = result;
  store.saveRun(state, flow, now);
  if (state.status === 'failed') {
    const node = failedNode(result.log);
    if (node) store.setFailedNode(state.runId, node);
  }
  for (const effect of result.effects) {
    if (effect.type === 'say') {
      out.messages.push(
        store.appendMessage({
          author: 'pilot',
          text: effect.text,
          at: now,
          ...(effect.choices ? { choices: effect.choices } : {}),
          ...(effect.input ? { input: effect.input } : {}),
          ...(effect.image ? { image: effect.image } : {}),
          ...(effect.links?.length ? { links: effect.links } : {}),
          ...(effect.cards?.length ? { cards: effect.cards } : {}),
          ...(effect.post ? { post: effect.post } : {}),
          ...(effect.form?.length ? { form: effect.form } : {}),
          ...(effect.errors ? { errors: effect.errors } : {}),
        }),
      );
    } else if (effect.type === 'email_conversation') {
      // The transcript is what the visitor had seen when the run reached the node: the
      // messages said before it in this turn are stored already, the ones after are not.
      store.recordEffect(state.runId, { ...effect, upToSeq: store.lastSeq() }, now);
    } else {
      store.recordEffect(state.runId, effect, now);
    }
  }
  for (const entry of result.log) {
    const seq = store.nextEventSeq();
    const stepEvent: StepEvent = {
      kind: 'step',
      id: `${state.runId}:${seq}`,
      seq,
      at: entry.at,
      runId: state.runId,
      flowId: state.flowId,
      nodeId: entry.nodeId,
      nodeType: entry.nodeType,
      version: entry.version,
      status: entry.status,
      port: entry.port ?? null,
      choice: entry.choice ?? null,
      ...(entry.rating !== undefined ? { rating: entry.rating } : {}),
      error: entry.error ?? null,
      durationMs: entry.durationMs ?? 0,
    };
    out.events.push(stepEvent);
  }
  out.events.push(runEvent(t, state));
  out.touched = true;
  if (state.status === 'failed' && isAbort(state.error)) abortRun(t, state);
}

/**
 * A run the engine cut short (a size limit, the step limit, an engine bug) or a turn that
 * threw: logged, and the visitor is answered with the pilot's fallback message so the
 * conversation never goes silent. The failed run itself is in the turn's run event.
 */
export function abortRun(t: Turn, run: Partial<RunState>): void {
  const error = run.error ?? 'failed';
  console.warn(
    JSON.stringify({ event: 'run_failed', runId: run.runId, flowId: run.flowId, error }),
  );
  t.out.failure = error;
  const text = t.state.pilot?.fallbackMessage ?? DEFAULT_FALLBACK;
  t.out.messages.push(t.store.appendMessage({ author: 'pilot', text, at: t.now }));
}

function runEvent(t: Turn, state: RunState): RunEvent {
  const seq = t.store.nextEventSeq();
  const facts = t.store.runFacts(state.runId);
  const pilot = t.state.pilot;
  return {
    kind: 'run',
    id: `${state.runId}:${seq}`,
    seq,
    at: t.now,
    workspaceId: pilot?.workspaceId ?? '',
    pilotId: pilot?.id ?? '',
    conversationId: t.state.conversationId ?? '',
    runId: state.runId,
    flowId: state.flowId,
    version: state.version,
    subject: subjectOf(t.state),
    status: state.status,
    nodeId: state.nodeId,
    error: state.error ?? null,
    handedOver: facts?.handedOver ?? false,
    triggeredAt: facts?.startedAt ?? t.now,
    startedAt: facts?.visitorStartedAt ?? null,
  };
}

/**
 * Ends `run` (still waiting when its turn threw) as failed with `turn_failed` and answers with
 * the fallback, so no run is left waiting on a state its failed turn could not write.
 */
export function failRun(t: Turn, run: StoredRun | null): void {
  let failed: RunState | null = null;
  if (run?.state.status === 'waiting') {
    failed = { ...ended(run.state), error: TURN_FAILED };
    commitStep(t, run.flow, { state: failed, effects: [], log: [] });
  }
  abortRun(t, failed ?? { error: TURN_FAILED });
}

/** Records a run of `start` that failed with `turn_failed` before it could start, and answers. */
export function failStart(t: Turn, start: Start | null): void {
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
    commitStep(t, start.flow.flow, { state: failed, effects: [], log: [] });
  }
  abortRun(t, failed ?? { error: TURN_FAILED });
}

/** A waiting run's state as a finished one (no node, nothing awaited). */
function ended(state: RunState): RunState {
  const { waitingFor: _for, waitingSince: _since, attempts: _attempts, ...rest } = state;
  return { ...rest, status: 'failed', nodeId: null };
}

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
