/**
 * I/O effects after the reply. Each intent was recorded in its turn's commit; here it is marked
 * running, executed (outside any turn: other turns go on meanwhile), and its result committed
 * together with the run's next step in a turn of its own, so a crash at any point leaves
 * either a pending intent or a settled result. Also what a settled effect means to the
 * conversation (pure): the frame the widget is sent, the assignee, the event that resumes a run.
 */
import { transcriptText } from '../../shared/engine/transcript.ts';
import type { AgentInfo, EngineEvent, IoEffect } from '../../shared/engine/types.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { ServerFrame } from '../../shared/protocol.ts';
import type { EffectContext } from '../effects/context.ts';
import type { EffectResult } from '../effects/effect-result.ts';
import { type EffectServices, executeEffect, safeToRepeat } from '../effects/execute-effect.ts';
import type { AppEnv } from '../env.ts';
import { mergeContact } from './contact-attributes.ts';
import { flowNeedsAgents } from './engine-data.ts';
import type { PilotResources } from './pilot-resources.ts';
import { advanceRun, failRun, plainStart, startRun } from './runs.ts';
import type { ConversationStorage, LedgerEntry } from './storage.ts';
import { ConversationErased, type Turn, type TurnScope, type Turns } from './turn.ts';

export class EffectQueue {
  private draining = false;

  constructor(
    private readonly env: AppEnv,
    private readonly store: ConversationStorage,
    private readonly resources: PilotResources,
    private readonly turns: Turns,
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
            this.turns.showTyping();
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
        await this.turns.run((scope) => this.complete(scope, entry, settled, agents, snapshot));
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
    scope: TurnScope,
    entry: LedgerEntry,
    result: EffectResult,
    agents: AgentInfo[] | undefined,
    snapshot: PilotSnapshot | null,
  ): void {
    try {
      scope.commit((t) => settleEffect(t, entry, result, agents, snapshot));
    } catch (error) {
      if (error instanceof ConversationErased) throw error;
      console.error(
        JSON.stringify({ event: 'effect_turn_failed', runId: entry.runId, error: String(error) }),
      );
      scope.commit((t) => {
        t.store.setEffectStatus(entry.key, 'done', t.now, result);
        failRun(t, t.store.run(entry.runId));
      });
    }
  }

  private effectContext(entry: LedgerEntry): EffectContext {
    const state = this.store.state;
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
      workspaceId: state.pilot?.workspaceId ?? '',
      pilotId: state.pilot?.id ?? '',
      conversationId: state.conversationId ?? '',
      visitorId: state.visitorId ?? '',
      userId: state.userId,
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
        // Erased while the AI was asked (retired): the old store must not write the erased
        // visitor's question (it would reach the pilot's unanswered list through the outbox).
        if (answer.kind === 'noAnswer' && !this.turns.retired)
          this.resources.noteUnanswered(snapshot.pilot.id, question);
        return answer;
      },
    };
  }
}

/** The effect's result and the run's next step, as one turn's writes. */
function settleEffect(
  t: Turn,
  entry: LedgerEntry,
  result: EffectResult,
  agents: AgentInfo[] | undefined,
  snapshot: PilotSnapshot | null,
): void {
  t.store.setEffectStatus(entry.key, 'done', t.now, result);
  const effect = entry.effect;
  if (result.ok) applyLocal(t, entry, result, snapshot, agents);
  const run = t.store.run(entry.runId);
  if (
    effect.awaitResult &&
    run?.state.status === 'waiting' &&
    run.state.waitingFor === 'effect' &&
    run.state.nodeId === effect.nodeId
  )
    advanceRun(t, run, effectResultEvent(effect, result), agents);
}

/** The part of a successful effect that changes this conversation itself. */
function applyLocal(
  t: Turn,
  entry: LedgerEntry,
  result: EffectResult,
  snapshot: PilotSnapshot | null,
  agents: AgentInfo[] | undefined,
): void {
  const { store, out } = t;
  const effect = entry.effect;
  switch (effect.type) {
    case 'redirect':
    case 'show_banner': {
      const frame = effectFrame(effect);
      if (frame) out.frames.push(frame);
      return;
    }
    case 'close_conversation':
      store.update({ status: 'closed' });
      out.touched = true;
      return;
    case 'assign':
      store.update({ assignee: assigneeOf(effect, result) });
      out.touched = true;
      return;
    case 'handover':
      // A person has the conversation; until one of them replies, the pilot keeps answering (as
      // for a visitor's "talk to a human": presence can say "online" for nobody at the desk, and
      // a handover nobody picks up must not silence the conversation). An agent's reply makes it
      // quiet until release (SPEC 3.6).
      store.update({ mode: 'agent', handoverWaiting: true });
      store.markRunHandedOver(entry.runId);
      out.touched = true;
      return;
    case 'capture_contact': {
      // Later events read `contact.*` from here; bounded like identify's attributes.
      const merged = mergeContact(t.state.contact, { fields: effect.fields });
      if (merged.ok) store.update({ contact: merged.contact });
      out.touched = true;
      return;
    }
    case 'capture_company':
    case 'update_company': {
      const company = (result.data as { company?: unknown } | undefined)?.company;
      if (company && typeof company === 'object')
        store.update({ company: company as Record<string, unknown> });
      out.touched = true;
      return;
    }
    case 'go_to_flow': {
      const target = snapshot?.flows.find((f) => f.flowId === effect.flowId);
      if (target && !store.activeRun()) startRun(t, plainStart(target), agents);
      return;
    }
    default:
      return;
  }
}

/** The frame a redirect or banner effect sends, or null (nothing to send, or an unsafe URL). */
export function effectFrame(effect: IoEffect): ServerFrame | null {
  if (effect.type === 'redirect') {
    // Absolute http(s) URLs, or a path on the visitor's site ("/thanks", not "//host").
    if (!/^(https?:\/\/|\/(?![/\\]))/i.test(effect.url)) return null;
    return { v: 1, type: 'redirect', url: effect.url, newTab: effect.newTab };
  }
  if (effect.type === 'show_banner')
    return {
      v: 1,
      type: 'banner',
      text: effect.text,
      style: effect.style,
      ...(effect.url ? { url: effect.url } : {}),
    };
  return null;
}

/** The stored assignee: round robin reports whom it picked; otherwise the node named them. */
export function assigneeOf(
  effect: Extract<IoEffect, { type: 'assign' }>,
  result: EffectResult,
): string {
  const picked = (result.data as { userId?: unknown } | undefined)?.userId;
  if (typeof picked === 'string') return `user:${picked}`;
  return effect.to.kind === 'user' ? `user:${effect.to.userId}` : `team:${effect.to.teamId}`;
}

/** The engine event that hands an effect's result to the run waiting at its node. */
export function effectResultEvent(effect: IoEffect, result: EffectResult): EngineEvent {
  return {
    type: 'effect_result',
    nodeId: effect.nodeId,
    ok: result.ok,
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
  };
}
