/**
 * The conversation's turns: frame -> prepare (the only awaits: snapshot, AI, agents, claims)
 * -> one synchronous commit -> ack and fan-out -> effects and events after the reply.
 * Turns are serialized by a promise chain so a prepare's awaits never interleave with
 * another turn of the same conversation.
 */
import { citationLinks, entitiesToRecord } from '../../shared/ai/runtime-adapters.ts';
import { newRun, step } from '../../shared/engine/engine.ts';
import type { AgentInfo, EngineEvent, RunState } from '../../shared/engine/types.ts';
import { ErrorCode } from '../../shared/errors.ts';
import type { PublishedFlow, TriggerInput } from '../../shared/flow/match.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { ClientFrame, PageInfo, ServerFrame } from '../../shared/protocol.ts';
import { loadPilotAI, type PilotAI } from '../ai/pilot-ai.ts';
import { loadAgents } from '../effects/agents.ts';
import type { EffectContext } from '../effects/context.ts';
import { type EffectServices, executeEffect, safeToRepeat } from '../effects/execute-effect.ts';
import type { AppEnv } from '../env.ts';
import { readSnapshot } from '../store/snapshots.ts';
import { conversationEvent } from './conversation-event.ts';
import {
  type ConversationFacts,
  conversationData,
  engineContext,
  flowNeedsAgents,
  type PilotFacts,
  pilotFactsJson,
  pilotFactsOf,
  settingsNeedAgents,
} from './engine-data.ts';
import { EventOutbox } from './event-outbox.ts';
import { chooseFlow } from './flow-selection.ts';
import { resumeAt } from './retry-run.ts';
import { type RunIdentity, RunLedger, TurnOutput } from './run-ledger.ts';
import {
  ConversationStorage,
  type EffectResult,
  type LedgerEntry,
  type StoredRun,
} from './storage.ts';
import { type Bucket, takeToken } from './token-bucket.ts';

export interface Identity {
  visitorId: string;
  pilotKey: string;
  conversationId: string;
  userId?: string | null;
}

type VisitorFrame = Exclude<ClientFrame, { type: 'hello' }>;
type Reply = (frame: ServerFrame) => void;

/** A flow to start, with the trigger data its run sees (`intent.*`, `entity.*`, `event.*`). */
interface Start {
  flow: PublishedFlow;
  extra: Record<string, unknown>;
  byVisitor: boolean;
}
interface Prepared {
  snapshot: PilotSnapshot | null;
  start: Start | null;
  agents: AgentInfo[] | undefined;
  answer: string | null;
  /** The default answer's sources, shown as links under it. */
  answerLinks?: { label: string; url: string }[];
  /** The default answer found a "talk to a human" request and an agent is available. */
  handover?: boolean;
}
const NOTHING: Prepared = { snapshot: null, start: null, agents: undefined, answer: null };
/** Said when the pilot's default answer hands the conversation to a person. */
const HANDOVER_TEXT = 'Connecting you with a person. Someone will reply here shortly.';

/** How long a KV snapshot / presence / AI model is reused in memory. */
const SNAPSHOT_TTL_MS = 2_000;
const AGENTS_TTL_MS = 2_000;
const AI_TTL_MS = 30_000;

export class ConversationRuntime {
  readonly store: ConversationStorage;
  private readonly ledger: RunLedger;
  private readonly outbox: EventOutbox;
  private chain: Promise<unknown> = Promise.resolve();
  private draining = false;
  /** The typing indicator is on (slow work ahead); the next turn's output turns it off. */
  private typing = false;
  private snapshot: { value: PilotSnapshot | null; at: number } | null = null;
  private agentsCache: { value: AgentInfo[]; at: number } | null = null;
  private ai: { value: PilotAI; at: number } | null = null;
  /**
   * The visitor-frame token bucket lives in memory: an object is only evicted after ~10 s
   * without events, longer than the 4 s an empty bucket takes to refill, so a stored bucket
   * would be full on every restart anyway; keeping it out of storage saves a write per turn.
   */
  private bucket: Bucket | null = null;

  constructor(
    ctx: DurableObjectState,
    private readonly env: AppEnv,
    private readonly broadcast: (frame: ServerFrame) => void,
  ) {
    this.store = new ConversationStorage(ctx.storage.sql);
    this.ledger = new RunLedger(this.store);
    this.outbox = new EventOutbox(ctx, env, this.store);
  }

  /** Runs `work` after every earlier turn of this conversation has finished. */
  private exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Records who this conversation belongs to, the first time anyone connects. */
  remember(identity: Identity): void {
    if (!this.store.getMeta('pilotKey')) {
      this.store.setMeta('pilotKey', identity.pilotKey);
      this.store.setMeta('conversationId', identity.conversationId);
      this.store.setMeta('visitorId', identity.visitorId);
    }
    if (identity.userId && this.store.getMeta('userId') !== identity.userId)
      this.store.setMeta('userId', identity.userId);
  }

  replay(lastSeq: number) {
    return {
      conversationId: this.store.getMeta('conversationId') ?? '',
      lastSeq: this.store.lastSeq(),
      messages: this.store.messagesAfter(lastSeq, 10_000),
    };
  }

  /** The first hello of a conversation fires `new_conversation`. */
  async hello(frame: Extract<ClientFrame, { type: 'hello' }>): Promise<void> {
    if (frame.locale && this.store.getMeta('locale') !== frame.locale)
      this.store.setMeta('locale', frame.locale);
    if (this.store.getMeta('opened')) return;
    const ran = await this.exclusive(async () => {
      if (this.store.getMeta('opened')) return false;
      const prepared = await this.prepareTrigger({ type: 'new_conversation' }, null);
      const now = Date.now();
      const out = new TurnOutput();
      this.store.setMeta('opened', String(now));
      if (prepared.snapshot) this.syncPilot(prepared.snapshot, now, out);
      if (prepared.start) this.startRun(prepared.start, prepared, now, out);
      out.touched = true;
      this.finishTurn(out);
      return true;
    });
    if (ran) await this.afterTurn();
  }

  /**
   * Handles one visitor frame exactly once, however often it arrives. Resolves to the wait
   * before a resend when the token bucket refused the frame (nothing stored), else null.
   */
  async handleFrame(frame: VisitorFrame, reply: Reply): Promise<{ retryAfterMs: number } | null> {
    let refused: { retryAfterMs: number } | null = null;
    const committed = await this.exclusive(async () => {
      if (this.store.hasClientFrame(frame.id)) {
        reply({ v: 1, type: 'ack', id: frame.id });
        return false;
      }
      const bucket = takeToken(this.bucket, Date.now());
      if (!bucket.allowed) {
        // Nothing is stored: the client may send the same frame again later.
        reply({
          v: 1,
          type: 'error',
          code: ErrorCode.rateLimited,
          message: `Too many frames; retry in ${bucket.retryAfterMs} ms`,
          id: frame.id,
        });
        refused = { retryAfterMs: bucket.retryAfterMs };
        return false;
      }
      const prepared = await this.prepare(frame);
      // From here to the reply there is no `await`: one atomic commit for the whole turn.
      const now = Date.now();
      const out = new TurnOutput();
      this.bucket = bucket.bucket;
      this.store.markClientFrame(frame.id, now);
      this.apply(frame, prepared, now, out, reply);
      this.finishTurn(out);
      reply({ v: 1, type: 'ack', id: frame.id });
      return true;
    });
    if (committed) await this.afterTurn();
    return refused;
  }

  // ---- prepare: every await of a turn happens here ----

  private async prepare(frame: VisitorFrame): Promise<Prepared> {
    if (this.mode() === 'agent' && frame.type !== 'identify') return NOTHING;
    switch (frame.type) {
      case 'identify':
        return NOTHING;
      case 'page_view': {
        if (this.store.activeRun() || this.store.getMeta('lastPageUrl') === frame.page.url)
          return this.withSnapshot();
        return this.prepareTrigger({ type: 'page_visited', url: frame.page.url }, frame.page);
      }
      case 'event': {
        if (this.store.activeRun()) return this.withSnapshot();
        const input: TriggerInput = {
          type: 'event',
          name: frame.name,
          ...(frame.props ? { props: frame.props } : {}),
        };
        return this.prepareTrigger(input, null);
      }
      case 'message':
      case 'choice': {
        const active = this.store.activeRun();
        if (active) {
          const agents = flowNeedsAgents(active.flow) ? await this.agents() : undefined;
          return { ...NOTHING, agents };
        }
        const text =
          frame.type === 'message' ? frame.text : (this.choiceOf(frame)?.label ?? frame.value);
        return this.prepareMessage(text);
      }
    }
  }

  private async withSnapshot(): Promise<Prepared> {
    return { ...NOTHING, snapshot: await this.loadSnapshot() };
  }

  /** No run waits: intent detection, else the pilot's knowledge answer, else the fallback. */
  private async prepareMessage(text: string): Promise<Prepared> {
    const snapshot = await this.loadSnapshot();
    if (!snapshot) return NOTHING;
    const ai = await this.pilotAi(snapshot);
    if (ai) this.showTyping();
    const hasIntentFlows = snapshot.flows.some((f) => f.flow.trigger.type === 'intent_detected');
    if (ai && hasIntentFlows) {
      const detected = await ai.detect(text);
      if (detected.intent) {
        // `entity.<name>` (first value) and `entity.<name>_all` (every value found).
        const entities = entitiesToRecord(detected.entities);
        const input: TriggerInput = {
          type: 'intent_detected',
          intent: detected.intent,
          confidence: detected.confidence,
          entities,
        };
        const prepared = await this.prepareTrigger(input, null, snapshot);
        if (prepared.start) {
          prepared.start.byVisitor = true;
          return prepared;
        }
      }
    }
    // The default answer takes the ai_answer path: knowledge, or a person when asked for one.
    const result = ai ? await ai.answer(text, snapshot.pilot.settings.persona) : null;
    if (result?.kind === 'answered') {
      const answerLinks = citationLinks(result.citations);
      return { ...NOTHING, snapshot, answer: result.text, answerLinks };
    }
    if (result?.kind === 'handoverRequested') {
      const agents = await this.agents();
      if (agents.some((agent) => agent.available))
        return { ...NOTHING, snapshot, agents, answer: HANDOVER_TEXT, handover: true };
    }
    return { ...NOTHING, snapshot, answer: pilotFactsOf(snapshot).fallbackMessage };
  }

  private async prepareTrigger(
    input: TriggerInput,
    page: PageInfo | null,
    loaded?: PilotSnapshot | null,
  ): Promise<Prepared> {
    const snapshot = loaded ?? (await this.loadSnapshot());
    if (!snapshot || this.store.activeRun()) return { ...NOTHING, snapshot };
    const pilot = pilotFactsOf(snapshot);
    const flows = snapshot.flows.filter((f) => f.flow.trigger.type === input.type);
    if (flows.length === 0) return { ...NOTHING, snapshot };
    const needsAgents = flows.some((f) => settingsNeedAgents(f.flow) || flowNeedsAgents(f.flow));
    const agents = needsAgents ? await this.agents() : undefined;
    const now = Date.now();
    const facts = this.facts(page);
    const extra = triggerExtra(input);
    const chosen = await chooseFlow({
      flows,
      input,
      now,
      data: conversationData(facts, pilot, extra),
      identified: facts.userId !== null,
      pilot,
      agents,
      history: (flowId) => {
        const last = this.store.getMeta(`lastRun:${flowId}`);
        return last ? { alreadyRan: true, lastRunAt: Number(last) } : undefined;
      },
      claim: (flowId, rule) => {
        const stub = this.env.PILOT.get(this.env.PILOT.idFromName(pilot.id));
        return stub.claimRun(flowId, this.subject(), now, rule);
      },
    });
    return {
      snapshot,
      agents,
      answer: null,
      start: chosen ? { flow: chosen, extra, byVisitor: false } : null,
    };
  }

  // ---- apply: synchronous, one commit ----

  private apply(
    frame: VisitorFrame,
    prepared: Prepared,
    now: number,
    out: TurnOutput,
    reply: Reply,
  ) {
    if (prepared.snapshot) this.syncPilot(prepared.snapshot, now, out);
    switch (frame.type) {
      case 'identify': {
        const contact = this.store.getJson<Record<string, unknown>>('contact') ?? {};
        const { fields, ...named } = frame.contact;
        this.store.setJson('contact', { ...contact, ...fields, ...named });
        out.touched = true;
        return;
      }
      case 'page_view':
        this.store.setJson('page', frame.page);
        this.store.setMeta('lastPageUrl', frame.page.url);
        this.store.setMeta('visits', String(Number(this.store.getMeta('visits') ?? '0') + 1));
        out.touched = true;
        if (prepared.start) this.startRun(prepared.start, prepared, now, out);
        return;
      case 'event':
        if (prepared.start) this.startRun(prepared.start, prepared, now, out);
        return;
      case 'message':
        out.messages.push(
          this.store.appendMessage({
            author: 'visitor',
            text: frame.text,
            at: now,
            clientId: frame.id,
          }),
        );
        this.route({ type: 'input', text: frame.text }, prepared, now, out);
        return;
      case 'choice': {
        const choice = this.choiceOf(frame);
        if (!choice) {
          reply({
            v: 1,
            type: 'error',
            code: ErrorCode.invalidInput,
            message: 'Unknown choice',
            id: frame.id,
          });
          return;
        }
        out.messages.push(
          this.store.appendMessage({
            author: 'visitor',
            text: choice.label,
            at: now,
            clientId: frame.id,
          }),
        );
        this.route({ type: 'input', text: choice.label, value: choice.value }, prepared, now, out);
      }
    }
  }

  /** A visitor's words: the waiting question first, else an intent flow, else an answer. */
  private route(event: EngineEvent, prepared: Prepared, now: number, out: TurnOutput): void {
    if (this.store.getMeta('status') === 'closed') this.store.setMeta('status', 'open');
    if (this.mode() === 'agent') return;
    const active = this.store.activeRun();
    if (active) {
      if (this.ledger.markStarted(active.state.runId, now)) out.touched = true;
      if (active.state.waitingFor === 'effect') return;
      this.advance(active, event, prepared.agents, now, out);
      return;
    }
    if (prepared.start) {
      this.startRun(prepared.start, prepared, now, out);
      return;
    }
    if (prepared.handover) {
      // Like a flow's handover node: the pilot stays quiet until an admin releases it.
      this.store.setMeta('mode', 'agent');
      out.touched = true;
    }
    if (prepared.answer) {
      const links = prepared.answerLinks?.length ? { links: prepared.answerLinks } : {};
      out.messages.push(
        this.store.appendMessage({ author: 'pilot', text: prepared.answer, at: now, ...links }),
      );
    }
  }

  private startRun(start: Start, prepared: Prepared, now: number, out: TurnOutput): void {
    const { flow: chosen, extra } = start;
    const runId = `run_${crypto.randomUUID()}`;
    const ctx = engineContext(chosen.flow, now, this.facts(), this.pilot(), prepared.agents, extra);
    this.store.setMeta(`lastRun:${chosen.flowId}`, String(now));
    this.store.setJson(`extra:${runId}`, extra);
    // The run row exists before its first step, so its trigger time is the run's start.
    this.store.saveRun(newRun(runId, chosen.flowId, chosen.version, ctx), chosen.flow, now);
    if (start.byVisitor) this.ledger.markStarted(runId, now);
    const result = step(newRun(runId, chosen.flowId, chosen.version, ctx), { type: 'start' }, ctx);
    this.ledger.commit(chosen.flow, result, now, this.who(), out);
  }

  private advance(
    run: StoredRun,
    event: EngineEvent,
    agents: AgentInfo[] | undefined,
    now: number,
    out: TurnOutput,
  ): RunState {
    const extra = this.store.getJson<Record<string, unknown>>(`extra:${run.state.runId}`) ?? {};
    const ctx = engineContext(run.flow, now, this.facts(), this.pilot(), agents, extra);
    const result = step(run.state, event, ctx);
    if (result.state === run.state) return run.state;
    this.ledger.commit(run.flow, result, now, this.who(), out);
    return result.state;
  }

  /** Queues the turn's run/step events and notes that the conversation changed. */
  private finishTurn(out: TurnOutput): void {
    // The admin/live row of the conversation is built once per flush, not once per turn.
    if (out.touched || out.messages.length > 0) this.outbox.markChanged();
    if (out.events.length > 0) this.store.enqueueOutgoing({ v: 1, events: out.events });
    for (const message of out.messages) this.broadcast({ v: 1, type: 'message', message });
    for (const frame of out.frames) this.broadcast(frame);
    if (this.typing) {
      this.typing = false;
      // A pilot message hides the widget's indicator; a turn without one hides it here.
      if (!out.messages.some((m) => m.author === 'pilot'))
        this.broadcast({ v: 1, type: 'typing', author: 'pilot', active: false });
    }
  }

  /** AI, knowledge or a webhook ahead: the visitor sees the pilot typing meanwhile. */
  private showTyping(): void {
    if (this.typing) return;
    this.typing = true;
    this.broadcast({ v: 1, type: 'typing', author: 'pilot', active: true });
  }

  // ---- after the reply: effects, then events ----

  private async afterTurn(): Promise<void> {
    await this.drain();
    this.outbox.schedule();
  }

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
            this.showTyping();
          result = await executeEffect(entry.effect, this.effectContext(entry), this.services());
        }
        const run = this.store.run(entry.runId);
        const effect = entry.effect;
        const snapshot = effect.type === 'go_to_flow' ? await this.loadSnapshot() : null;
        // go_to_flow starts the target here: its nodes (assign, handover, …) need agents too.
        const target =
          effect.type === 'go_to_flow'
            ? snapshot?.flows.find((f) => f.flowId === effect.flowId)
            : undefined;
        const needsAgents =
          (run && flowNeedsAgents(run.flow)) || (target && flowNeedsAgents(target.flow));
        const agents = needsAgents ? await this.agents() : undefined;
        const settled = result;
        await this.exclusive(() => this.completeEffect(entry, settled, agents, snapshot));
      }
    } finally {
      this.draining = false;
    }
  }

  private completeEffect(
    entry: LedgerEntry,
    result: EffectResult,
    agents: AgentInfo[] | undefined,
    snapshot: PilotSnapshot | null,
  ): void {
    const now = Date.now();
    const out = new TurnOutput();
    this.store.setEffectStatus(entry.key, 'done', now, result);
    const effect = entry.effect;
    if (result.ok) this.applyLocalEffect(entry, result, snapshot, agents, now, out);
    const run = this.store.run(entry.runId);
    if (
      effect.awaitResult &&
      run?.state.status === 'waiting' &&
      run.state.waitingFor === 'effect' &&
      run.state.nodeId === effect.nodeId
    ) {
      const event: EngineEvent = {
        type: 'effect_result',
        nodeId: effect.nodeId,
        ok: result.ok,
        ...(result.data !== undefined ? { data: result.data } : {}),
        ...(result.error !== undefined ? { error: result.error } : {}),
      };
      this.advance(run, event, agents, now, out);
    }
    this.finishTurn(out);
  }

  private applyLocalEffect(
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
        // Absolute http(s) URLs, or a path on the visitor's site ("/thanks", not "//host").
        if (/^(https?:\/\/|\/(?![/\\]))/i.test(effect.url))
          out.frames.push({ v: 1, type: 'redirect', url: effect.url, newTab: effect.newTab });
        return;
      case 'show_banner':
        out.frames.push({
          v: 1,
          type: 'banner',
          text: effect.text,
          style: effect.style,
          ...(effect.url ? { url: effect.url } : {}),
        });
        return;
      case 'close_conversation':
        this.store.setMeta('status', 'closed');
        out.touched = true;
        return;
      case 'assign': {
        // Round robin reports whom it picked; otherwise the node named the user or team.
        const picked = (result.data as { userId?: unknown } | undefined)?.userId;
        this.store.setMeta(
          'assignee',
          typeof picked === 'string'
            ? `user:${picked}`
            : effect.to.kind === 'user'
              ? `user:${effect.to.userId}`
              : `team:${effect.to.teamId}`,
        );
        out.touched = true;
        return;
      }
      case 'handover':
        // The pilot stays quiet until an admin releases the conversation.
        this.store.setMeta('mode', 'agent');
        this.ledger.markHandedOver(entry.runId);
        out.touched = true;
        return;
      case 'go_to_flow': {
        const target = snapshot?.flows.find((f) => f.flowId === effect.flowId);
        if (target && !this.store.activeRun())
          this.startRun(
            { flow: target, extra: {}, byVisitor: false },
            { ...NOTHING, agents },
            now,
            out,
          );
        return;
      }
      default:
        return;
    }
  }

  /** Sends queued events now (admin actions, the alarm). */
  flushEvents(): Promise<void> {
    return this.outbox.flush();
  }

  hasBacklog(): boolean {
    return this.outbox.pending() || this.store.countEffects('pending') > 0;
  }

  /**
   * After a crash: effects whose outcome is unknown run again when that is safe (idempotent
   * or keyed writes); a non-idempotent webhook is reported as `interrupted` instead, so it
   * never runs twice. Returns whether work is waiting.
   */
  recoverInterrupted(now: number): boolean {
    for (const entry of this.store.interruptedEffects()) {
      if (safeToRepeat(entry.effect)) this.store.setEffectStatus(entry.key, 'pending', now);
      else
        this.store.setEffectStatus(entry.key, 'pending', now, { ok: false, error: 'interrupted' });
    }
    return this.hasBacklog();
  }

  // ---- admin actions ----

  async agentReply(text: string, agentId: string | null, now: number) {
    const message = await this.exclusive(() => {
      const out = new TurnOutput();
      this.cancelActive('agent_reply', now, out, true);
      this.store.setMeta('mode', 'agent');
      if (this.store.getMeta('status') === 'closed') this.store.setMeta('status', 'open');
      const added = this.store.appendMessage({ author: 'agent', text, at: now });
      if (agentId) this.store.setMeta('assignee', `user:${agentId}`);
      out.messages.push(added);
      this.finishTurn(out);
      return added;
    });
    await this.flushEvents();
    return message;
  }

  async release() {
    await this.exclusive(() => {
      const out = new TurnOutput();
      this.store.setMeta('mode', 'pilot');
      out.touched = true;
      this.finishTurn(out);
    });
    await this.flushEvents();
    return this.describe();
  }

  async closeConversation(now: number) {
    await this.exclusive(() => {
      const out = new TurnOutput();
      this.cancelActive('closed', now, out, false);
      this.store.setMeta('status', 'closed');
      out.messages.push(
        this.store.appendMessage({
          author: 'system',
          text: 'The conversation was closed.',
          at: now,
        }),
      );
      this.finishTurn(out);
    });
    await this.flushEvents();
    return this.describe();
  }

  async cancelRuns(filter: { flowId?: string; runId?: string }, reason: string, now: number) {
    const cancelled = await this.exclusive(() => {
      const active = this.store.activeRun();
      if (!active) return false;
      if (filter.flowId && active.state.flowId !== filter.flowId) return false;
      if (filter.runId && active.state.runId !== filter.runId) return false;
      const out = new TurnOutput();
      this.cancelActive(reason, now, out, false);
      this.finishTurn(out);
      return true;
    });
    await this.flushEvents();
    return cancelled;
  }

  /**
   * Enrollment retry. A failed run continues from the node it failed on (same run, version and
   * variables; its effects get new idempotency keys, as an explicit retry should); any other
   * run is replaced by a new run of the flow's published version.
   */
  async retryRun(
    runId: string,
    flowId: string,
    now: number,
  ): Promise<{ runId: string; resumed: boolean } | { error: string }> {
    const failed = this.store.run(runId);
    const node = this.store.getMeta(`failedAt:${runId}`);
    if (failed?.state.status !== 'failed' || !node) {
      const started = await this.retryFlow(flowId, now);
      return 'error' in started ? started : { ...started, resumed: false };
    }
    const agents = flowNeedsAgents(failed.flow) ? await this.agents() : undefined;
    const resumed = await this.exclusive(() => {
      if (this.store.activeRun()) return false;
      const current = this.store.run(runId);
      if (current?.state.status !== 'failed') return false;
      const out = new TurnOutput();
      const { state, flow } = resumeAt(current.state, current.flow, node);
      const extra = this.store.getJson<Record<string, unknown>>(`extra:${runId}`) ?? {};
      const ctx = engineContext(flow, now, this.facts(), this.pilot(), agents, extra);
      this.store.deleteMeta(`failedAt:${runId}`);
      // Saved with the run's own definition: later steps resolve nodes in the pinned flow.
      this.ledger.commit(current.flow, step(state, { type: 'start' }, ctx), now, this.who(), out);
      this.finishTurn(out);
      return true;
    });
    if (!resumed) return { error: 'run_active' };
    await this.afterTurn();
    return { runId, resumed: true };
  }

  async retryFlow(flowId: string, now: number): Promise<{ runId: string } | { error: string }> {
    const snapshot = await this.loadSnapshot();
    const target = snapshot?.flows.find((f) => f.flowId === flowId);
    if (!target) return { error: 'not_published' };
    const runId = await this.exclusive(() => {
      if (this.store.activeRun()) return null;
      const out = new TurnOutput();
      this.syncPilot(snapshot as PilotSnapshot, now, out);
      this.startRun({ flow: target, extra: {}, byVisitor: false }, NOTHING, now, out);
      this.finishTurn(out);
      return this.store.activeRun()?.state.runId ?? 'completed';
    });
    if (runId === null) return { error: 'run_active' };
    await this.afterTurn();
    return { runId };
  }

  private cancelActive(reason: string, now: number, out: TurnOutput, handedOver: boolean): void {
    const active = this.store.activeRun();
    if (!active) return;
    if (handedOver) this.ledger.markHandedOver(active.state.runId);
    this.advance(active, { type: 'cancel', reason }, undefined, now, out);
  }

  // ---- reads ----

  activeRunState(): RunState | null {
    return this.store.activeRun()?.state ?? null;
  }

  transcript() {
    return this.store.messagesAfter(0, 10_000);
  }

  describe() {
    const event = conversationEvent(this.store, 0, Date.now());
    return event
      ? {
          id: event.conversationId,
          pilotId: event.pilotId,
          workspaceId: event.workspaceId,
          visitorId: event.visitorId,
          userId: event.userId,
          status: event.status,
          mode: event.mode,
          assignee: event.assignee,
          pageUrl: event.pageUrl,
          createdAt: event.createdAt,
          lastMessageAt: event.lastMessageAt,
          run: event.run,
        }
      : null;
  }

  // ---- facts and caches ----

  private mode(): 'pilot' | 'agent' {
    return this.store.getMeta('mode') === 'agent' ? 'agent' : 'pilot';
  }

  private subject(): string {
    const userId = this.store.getMeta('userId');
    return userId ? `contact:${userId}` : `visitor:${this.store.getMeta('visitorId') ?? ''}`;
  }

  private pilot(): PilotFacts | null {
    return this.store.getJson<PilotFacts>('pilot');
  }

  private who(): RunIdentity {
    const pilot = this.pilot();
    return {
      workspaceId: pilot?.workspaceId ?? '',
      pilotId: pilot?.id ?? '',
      conversationId: this.store.getMeta('conversationId') ?? '',
      subject: this.subject(),
    };
  }

  private facts(page?: PageInfo | null): ConversationFacts {
    const locale = this.store.getMeta('locale');
    return {
      conversationId: this.store.getMeta('conversationId') ?? '',
      visitorId: this.store.getMeta('visitorId') ?? '',
      userId: this.store.getMeta('userId'),
      page: page ?? this.store.getJson<PageInfo>('page'),
      contact: this.store.getJson<Record<string, unknown>>('contact') ?? {},
      status: this.store.getMeta('status') ?? 'open',
      mode: this.mode(),
      visitCount: Number(this.store.getMeta('visits') ?? '0') + (page ? 1 : 0),
      // `system.conversation_history` (last 10), `last_utterance`, `last_response`.
      history: this.store.messagesAfter(Math.max(0, this.store.lastSeq() - 20)),
      ...(locale ? { locale } : {}),
    };
  }

  /** Keeps the pilot facts current; an active run whose flow was unpublished is cancelled. */
  private syncPilot(snapshot: PilotSnapshot, now: number, out: TurnOutput): void {
    this.store.setMeta('pilot', pilotFactsJson(snapshot));
    const active = this.store.activeRun();
    if (
      active &&
      snapshot.publishedAt > active.startedAt &&
      !snapshot.flows.some((f) => f.flowId === active.state.flowId)
    )
      this.advance(active, { type: 'cancel', reason: 'unpublished' }, undefined, now, out);
  }

  private choiceOf(frame: Extract<ClientFrame, { type: 'choice' }>) {
    const asked = this.store.message(frame.seq);
    return asked?.author === 'pilot'
      ? asked.choices?.find((c) => c.value === frame.value)
      : undefined;
  }

  private effectContext(entry: LedgerEntry): EffectContext {
    const who = this.who();
    const { runId, effect } = entry;
    const node =
      effect.type === 'assign'
        ? this.store.run(runId)?.flow.nodes.find((n) => n.id === effect.nodeId)
        : undefined;
    const roundRobin =
      node?.type === 'assign' && node.to.kind === 'round_robin'
        ? { ...(node.to.teamId ? { teamId: node.to.teamId } : {}) }
        : undefined;
    return {
      ...(roundRobin ? { roundRobin } : {}),
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
      agents: () => this.agents(),
      answer: async (question) => {
        const snapshot = await this.loadSnapshot();
        const ai = snapshot ? await this.pilotAi(snapshot) : null;
        return ai ? ai.answer(question, snapshot?.pilot.settings.persona) : { kind: 'noAnswer' };
      },
    };
  }

  private async loadSnapshot(): Promise<PilotSnapshot | null> {
    const now = Date.now();
    if (this.snapshot && now - this.snapshot.at < SNAPSHOT_TTL_MS) return this.snapshot.value;
    const pilotKey = this.store.getMeta('pilotKey');
    const value = pilotKey ? await readSnapshot(this.env, pilotKey) : null;
    this.snapshot = { value, at: now };
    return value;
  }

  private async agents(): Promise<AgentInfo[]> {
    const now = Date.now();
    if (this.agentsCache && now - this.agentsCache.at < AGENTS_TTL_MS)
      return this.agentsCache.value;
    const workspaceId = this.pilot()?.workspaceId ?? (await this.loadSnapshot())?.pilot.workspaceId;
    const value = workspaceId ? await loadAgents(this.env, workspaceId) : [];
    this.agentsCache = { value, at: now };
    return value;
  }

  private async pilotAi(snapshot: PilotSnapshot): Promise<PilotAI | null> {
    const now = Date.now();
    if (this.ai && now - this.ai.at < AI_TTL_MS) return this.ai.value;
    try {
      const settings = (snapshot.pilot.settings as { ai?: unknown }).ai;
      const value = await loadPilotAI(this.env, snapshot.pilot.id, settings);
      this.ai = { value, at: now };
      return value;
    } catch (error) {
      console.error('pilot AI unavailable', String(error));
      return null;
    }
  }
}

/** What a run started by this trigger sees under `event.*`, `intent.*`, `entity.*`. */
function triggerExtra(input: TriggerInput): Record<string, unknown> {
  if (input.type === 'event')
    return { event: { ...(input.props ?? {}), name: input.name, props: input.props ?? {} } };
  if (input.type === 'intent_detected')
    return {
      intent: { name: input.intent, confidence: input.confidence },
      entity: input.entities ?? {},
    };
  return {};
}
