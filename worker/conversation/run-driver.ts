/**
 * Starting, advancing, resuming and cancelling runs inside a turn: builds the engine context
 * from the conversation's facts, steps the pure engine and hands the result to the ledger.
 * Synchronous, so every write lands in the turn's single commit.
 */
import { newRun, step } from '../../shared/engine/engine.ts';
import type { AgentInfo, EngineEvent, RunState } from '../../shared/engine/types.ts';
import type { PublishedFlow } from '../../shared/flow/match.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import { conversationFacts, runExtra, runIdentity, storedPilot } from './conversation-facts.ts';
import { engineContext, pilotFactsJson } from './engine-data.ts';
import { resumeAt } from './retry-run.ts';
import type { RunLedger, TurnOutput } from './run-ledger.ts';
import type { ConversationStorage, StoredRun } from './storage.ts';

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

export class RunDriver {
  constructor(
    private readonly store: ConversationStorage,
    private readonly ledger: RunLedger,
  ) {}

  start(start: Start, agents: AgentInfo[] | undefined, now: number, out: TurnOutput): void {
    const { flow: chosen, extra } = start;
    const runId = `run_${crypto.randomUUID()}`;
    const ctx = this.context(chosen.flow, now, agents, extra);
    this.store.setMeta(`lastRun:${chosen.flowId}`, String(now));
    this.store.setJson(`extra:${runId}`, extra);
    // The run row exists before its first step, so its trigger time is the run's start.
    this.store.saveRun(newRun(runId, chosen.flowId, chosen.version, ctx), chosen.flow, now);
    if (start.byVisitor) this.ledger.markStarted(runId, now);
    const result = step(newRun(runId, chosen.flowId, chosen.version, ctx), { type: 'start' }, ctx);
    this.ledger.commit(chosen.flow, result, now, runIdentity(this.store), out);
  }

  advance(
    run: StoredRun,
    event: EngineEvent,
    agents: AgentInfo[] | undefined,
    now: number,
    out: TurnOutput,
  ): RunState {
    const ctx = this.context(run.flow, now, agents, runExtra(this.store, run.state.runId));
    const result = step(run.state, event, ctx);
    if (result.state === run.state) return run.state;
    this.ledger.commit(run.flow, result, now, runIdentity(this.store), out);
    return result.state;
  }

  /** Continues a failed run from `node` (see retry-run.ts). */
  resume(
    failed: StoredRun,
    node: string,
    agents: AgentInfo[] | undefined,
    now: number,
    out: TurnOutput,
  ): void {
    const { runId } = failed.state;
    const { state, flow } = resumeAt(failed.state, failed.flow, node);
    const ctx = this.context(flow, now, agents, runExtra(this.store, runId));
    this.store.deleteMeta(`failedAt:${runId}`);
    // Saved with the run's own definition: later steps resolve nodes in the pinned flow.
    const result = step(state, { type: 'start' }, ctx);
    this.ledger.commit(failed.flow, result, now, runIdentity(this.store), out);
  }

  cancelActive(reason: string, now: number, out: TurnOutput, handedOver: boolean): void {
    const active = this.store.activeRun();
    if (!active) return;
    if (handedOver) this.ledger.markHandedOver(active.state.runId);
    this.advance(active, { type: 'cancel', reason }, undefined, now, out);
  }

  /** Keeps the pilot facts current; an active run whose flow was unpublished is cancelled. */
  syncPilot(snapshot: PilotSnapshot, now: number, out: TurnOutput): void {
    this.store.setMeta('pilot', pilotFactsJson(snapshot));
    const active = this.store.activeRun();
    if (
      active &&
      snapshot.publishedAt > active.startedAt &&
      !snapshot.flows.some((f) => f.flowId === active.state.flowId)
    )
      this.advance(active, { type: 'cancel', reason: 'unpublished' }, undefined, now, out);
  }

  private context(
    flow: Flow,
    now: number,
    agents: AgentInfo[] | undefined,
    extra: Record<string, unknown>,
  ) {
    return engineContext(
      flow,
      now,
      conversationFacts(this.store),
      storedPilot(this.store),
      agents,
      extra,
    );
  }
}
