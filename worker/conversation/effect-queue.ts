/**
 * I/O effects after the reply. Each intent was recorded in its turn's commit; here it is marked
 * running, executed, and its result committed together with the run's next step in a turn of
 * its own, so a crash at any point leaves either a pending intent or a settled result.
 */
import { transcriptText } from '../../shared/engine/transcript.ts';
import type { AgentInfo } from '../../shared/engine/types.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { EffectContext } from '../effects/context.ts';
import type { EffectResult } from '../effects/effect-result.ts';
import { type EffectServices, executeEffect, safeToRepeat } from '../effects/execute-effect.ts';
import type { AppEnv } from '../env.ts';
import { mergeContact } from './contact-attributes.ts';
import { runIdentity } from './conversation-facts.ts';
import { assigneeOf, effectFrame, effectResultEvent } from './effect-outcome.ts';
import { flowNeedsAgents } from './engine-data.ts';
import { failRun } from './failed-turn.ts';
import type { PilotResources } from './pilot-resources.ts';
import { plainStart, type RunDriver } from './run-driver.ts';
import type { RunLedger, TurnOutput } from './run-ledger.ts';
import type { ConversationStorage, LedgerEntry } from './storage.ts';
import { ConversationErased, type TurnCommit } from './turn-commit.ts';
import type { TurnDelivery } from './turn-delivery.ts';

/** Runs work after every earlier turn of the conversation has finished. */
type Exclusive = <T>(work: () => Promise<T> | T) => Promise<T>;

export class EffectQueue {
  private draining = false;

  constructor(
    private readonly env: AppEnv,
    private readonly store: ConversationStorage,
    private readonly ledger: RunLedger,
    private readonly runs: RunDriver,
    private readonly resources: PilotResources,
    private readonly delivery: TurnDelivery,
    private readonly exclusive: Exclusive,
    private readonly commit: TurnCommit,
  ) {}

  /** Runs pending effects in order; each result is committed with the run's next step. */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let guard = 0; guard < 200; guard++) {
        const entry = this.store.nextPendingEffect();
        if (!entry) break;
        let result = entry.result;
        if (!result) {
          this.store.setEffectStatus(entry.key, 'running', Date.now());
          if (entry.effect.type === 'http_request' || entry.effect.type === 'ai_answer')
            this.delivery.showTyping();
          result = await executeEffect(entry.effect, this.effectContext(entry), this.services());
        }
        const run = this.store.run(entry.runId);
        const effect = entry.effect;
        const snapshot = effect.type === 'go_to_flow' ? await this.resources.snapshot() : null;
        // go_to_flow starts the target here: its nodes (assign, handover, …) need agents too.
        const target =
          effect.type === 'go_to_flow'
            ? snapshot?.flows.find((f) => f.flowId === effect.flowId)
            : undefined;
        const needsAgents =
          (run && flowNeedsAgents(run.flow)) || (target && flowNeedsAgents(target.flow));
        const agents = needsAgents ? await this.resources.agents() : undefined;
        const settled = result;
        await this.exclusive(() => this.complete(entry, settled, agents, snapshot));
      }
    } catch (error) {
      // Erased while the effect ran: its answer has no conversation to go to.
      if (!(error instanceof ConversationErased)) throw error;
    } finally {
      this.draining = false;
    }
  }

  /**
   * After a crash: effects whose outcome is unknown run again when that is safe (idempotent
   * or keyed writes); a non-idempotent webhook is reported as `interrupted` instead, so it
   * never runs twice.
   */
  recoverInterrupted(now: number): void {
    for (const entry of this.store.interruptedEffects()) {
      if (safeToRepeat(entry.effect)) this.store.setEffectStatus(entry.key, 'pending', now);
      else
        this.store.setEffectStatus(entry.key, 'pending', now, { ok: false, error: 'interrupted' });
    }
  }

  /**
   * The effect's result and the run's next step, in one transaction. If that throws, it is
   * rolled back and a second one settles the effect and ends the run as failed (with the
   * fallback answer), so the run never waits for a result that was already received.
   */
  private complete(
    entry: LedgerEntry,
    result: EffectResult,
    agents: AgentInfo[] | undefined,
    snapshot: PilotSnapshot | null,
  ): void {
    const now = Date.now();
    try {
      this.commit.run((out) => this.settle(entry, result, agents, snapshot, now, out));
    } catch (error) {
      if (error instanceof ConversationErased) throw error;
      console.error(
        JSON.stringify({ event: 'effect_turn_failed', runId: entry.runId, error: String(error) }),
      );
      this.commit.run((out) => {
        this.store.setEffectStatus(entry.key, 'done', now, result);
        failRun(this.store, this.ledger, this.store.run(entry.runId), now, out);
      });
    }
  }

  private settle(
    entry: LedgerEntry,
    result: EffectResult,
    agents: AgentInfo[] | undefined,
    snapshot: PilotSnapshot | null,
    now: number,
    out: TurnOutput,
  ): void {
    this.store.setEffectStatus(entry.key, 'done', now, result);
    const effect = entry.effect;
    if (result.ok) this.applyLocal(entry, result, snapshot, agents, now, out);
    const run = this.store.run(entry.runId);
    if (
      effect.awaitResult &&
      run?.state.status === 'waiting' &&
      run.state.waitingFor === 'effect' &&
      run.state.nodeId === effect.nodeId
    )
      this.runs.advance(run, effectResultEvent(effect, result), agents, now, out);
  }

  /** The part of a successful effect that changes this conversation itself. */
  private applyLocal(
    entry: LedgerEntry,
    result: EffectResult,
    snapshot: PilotSnapshot | null,
    agents: AgentInfo[] | undefined,
    now: number,
    out: TurnOutput,
  ): void {
    const effect = entry.effect;
    switch (effect.type) {
      case 'redirect':
      case 'show_banner': {
        const frame = effectFrame(effect);
        if (frame) out.frames.push(frame);
        return;
      }
      case 'close_conversation':
        this.store.setMeta('status', 'closed');
        out.touched = true;
        return;
      case 'assign':
        this.store.setMeta('assignee', assigneeOf(effect, result));
        out.touched = true;
        return;
      case 'handover':
        // The pilot stays quiet until an admin releases the conversation.
        this.store.setMeta('mode', 'agent');
        this.ledger.markHandedOver(entry.runId);
        out.touched = true;
        return;
      case 'capture_contact': {
        // Later events read `contact.*` from here; bounded like identify's attributes.
        const current = this.store.getJson<Record<string, unknown>>('contact') ?? {};
        const merged = mergeContact(current, { fields: effect.fields });
        if (merged.ok) this.store.setJson('contact', merged.contact);
        out.touched = true;
        return;
      }
      case 'capture_company':
      case 'update_company': {
        const company = (result.data as { company?: unknown } | undefined)?.company;
        if (company && typeof company === 'object') this.store.setJson('company', company);
        out.touched = true;
        return;
      }
      case 'go_to_flow': {
        const target = snapshot?.flows.find((f) => f.flowId === effect.flowId);
        if (target && !this.store.activeRun())
          this.runs.start(plainStart(target), agents, now, out);
        return;
      }
      default:
        return;
    }
  }

  private effectContext(entry: LedgerEntry): EffectContext {
    const who = runIdentity(this.store);
    const { runId, effect } = entry;
    const node =
      effect.type === 'assign'
        ? this.store.run(runId)?.flow.nodes.find((n) => n.id === effect.nodeId)
        : undefined;
    const roundRobin =
      node?.type === 'assign' && node.to.kind === 'round_robin'
        ? { ...(node.to.teamId ? { teamId: node.to.teamId } : {}) }
        : undefined;
    const transcript =
      effect.type === 'email_conversation'
        ? () => {
            // The newest 500 messages up to the node (the text is bounded again by its length).
            const last = effect.upToSeq ?? this.store.lastSeq();
            const from = Math.max(0, last - 500);
            return transcriptText(this.store.messagesAfter(from, last - from));
          }
        : undefined;
    return {
      ...(roundRobin ? { roundRobin } : {}),
      ...(transcript ? { transcript } : {}),
      env: this.env,
      workspaceId: who.workspaceId,
      pilotId: who.pilotId,
      conversationId: who.conversationId,
      visitorId: this.store.getMeta('visitorId') ?? '',
      userId: this.store.getMeta('userId'),
      runId,
      now: Date.now(),
    };
  }

  private services(): EffectServices {
    return {
      agents: () => this.resources.agents(),
      answer: async (question) => {
        const snapshot = await this.resources.snapshot();
        const ai = snapshot ? await this.resources.ai(snapshot) : null;
        if (!snapshot || !ai) return { kind: 'noAnswer' };
        const answer = await ai.answer(question, snapshot.pilot.settings.persona);
        if (answer.kind === 'noAnswer') this.resources.noteUnanswered(snapshot.pilot.id, question);
        return answer;
      },
    };
  }
}
