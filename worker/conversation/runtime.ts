/**
 * The conversation's entry points, each one turn (turn.ts): a visitor frame -> prepare (the
 * only awaits) and commit (visitor-turn.ts, runs.ts) -> ack and fan-out -> effects
 * (effect-queue.ts) and events (event-outbox.ts) after the reply; the first hello; the admin
 * actions (reply, release, close, unpublish, retry).
 */
import type { RunState } from '../../shared/engine/types.ts';
import { ErrorCode } from '../../shared/errors.ts';
import { type ChatMessage, errorFrame, type ServerFrame } from '../../shared/protocol.ts';
import type { AppEnv } from '../env.ts';
import { EffectQueue } from './effect-queue.ts';
import { flowNeedsAgents } from './engine-data.ts';
import { conversationEvent, EventOutbox } from './event-outbox.ts';
import { LivePush } from './live-push.ts';
import { PilotResources } from './pilot-resources.ts';
import {
  cancelActiveRun,
  plainStart,
  resumeRun,
  type Start,
  startRun,
  syncPilot,
  TURN_FAILED,
} from './runs.ts';
import { type Bucket, takeToken } from './socket-budget.ts';
import type { SocketAttachment } from './socket-out.ts';
import { ConversationStorage, MAX_TRANSCRIPT_CHARS, MAX_TRANSCRIPT_MESSAGES } from './storage.ts';
import { type TurnScope, Turns } from './turn.ts';
import {
  applyVisitorTurn,
  type PrepareContext,
  prepareTrigger,
  prepareVisitorTurn,
  type Reply,
  recordFailedTurn,
  type VisitorFrame,
  type Words,
  wordsOf,
} from './visitor-turn.ts';

export type Identity = Pick<
  SocketAttachment,
  'visitorId' | 'pilotKey' | 'conversationId' | 'userId'
>;

/**
 * What an enrollment retry did, typed for the route: the failed run continued (`resumed`), a
 * new run of the published flow started, or why nothing was done.
 */
export type RetryResult =
  | { ok: true; runId: string; resumed: boolean }
  | { ok: false; reason: 'run_active' | 'not_published' };

/** Tells the sender its turn's flow was cut short (`code`); the fallback answer follows. */
function failureFrame(id: string, code: string) {
  return errorFrame(
    ErrorCode.internal,
    `The flow could not finish (${code}); the pilot answered with its fallback message`,
    id,
  );
}

/** Messages a beacon's answer carries: enough for the unread badge and the bubble. */
const TAIL = 10;
/**
 * A visitor who wrote this recently is in a conversation: a person reading the live view or the
 * inbox may still answer them (an agent can reply to any conversation, not only handed-over
 * ones), so their page views keep a socket open. Plain visitors (page views, a proactive
 * greeting, nothing typed) stay socketless.
 */
export const CONVERSING_MS = 15 * 60_000;
/**
 * A conversation a person has (`mode: agent`) keeps page views connected this long after the
 * visitor's or the agent's last message, while it is not closed. Longer than CONVERSING_MS: a
 * handed-over visitor waits for a person, whose first reply may take an hour or more (queues,
 * shifts); bounded, so a conversation taken over months ago (or left open and forgotten) no
 * longer opens a socket on every page of every later visit. A reply later than this still
 * shows on the next page view, in its answer's messages (badge and bubble).
 */
export const AGENT_LIVE_MS = 2 * 60 * 60_000;

export class ConversationRuntime {
  readonly store: ConversationStorage;
  private readonly outbox: EventOutbox;
  /** The live view's fast path (retired with the runtime on erasure). */
  private readonly live: LivePush;
  private readonly resources: PilotResources;
  private readonly turns: Turns;
  private readonly effects: EffectQueue;
  private readonly prepare: PrepareContext;
  /**
   * The visitor-frame token bucket lives in memory: an object is only evicted after ~10 s
   * without events, longer than the 4 s an empty bucket takes to refill, so a stored bucket
   * would be full on every restart anyway; keeping it out of storage saves a write per turn.
   */
  private bucket: Bucket | null = null;

  /** `empty`: the object has no tables yet (see ConversationStorage). */
  constructor(ctx: DurableObjectState, env: AppEnv, empty = false) {
    this.store = new ConversationStorage(ctx.storage.sql, empty);
    this.outbox = new EventOutbox(ctx, env, this.store);
    this.resources = new PilotResources(env, this.store);
    this.live = new LivePush(ctx, env, this.store, (now) => this.outbox.nextRowSeq(now));
    this.turns = new Turns(ctx, this.store, this.outbox, this.live);
    this.effects = new EffectQueue(env, this.store, this.resources, this.turns);
    this.prepare = { env, store: this.store, resources: this.resources, turns: this.turns };
  }

  /**
   * Privacy erasure: work of this runtime still on its way (an effect's answer, a turn
   * awaiting the pilot, a scheduled event flush) must not write into the emptied storage or
   * send its remembered row to D1.
   */
  retire(): void {
    this.turns.retire();
    this.outbox.retire();
    this.live.retire();
  }

  /** Records who this conversation belongs to, the first time anyone connects. */
  remember(identity: Identity): void {
    if (!this.store.state.pilotKey)
      this.store.update({
        pilotKey: identity.pilotKey,
        conversationId: identity.conversationId,
        visitorId: identity.visitorId,
      });
    if (identity.userId && this.store.state.userId !== identity.userId)
      this.store.update({ userId: identity.userId });
  }

  /**
   * The newest messages (at most `TAIL`) and whether more may come without the visitor, for a
   * messenger without a socket: `live` makes it open one. The rule: a run waits for an effect
   * (its result speaks next); the conversation is with a person (`mode: agent`, not closed, and
   * the visitor or an agent wrote within AGENT_LIVE_MS); or the visitor wrote within
   * CONVERSING_MS (a person may answer any conversation from the console, and the visitor, now
   * on another page, must see it without a reload). The times are the storage's
   * `lastVisitorAt()` and the typed state's `lastAgentAt` (kept with each message: no query
   * per page view, however many messages a flow sent since).
   */
  tail(now = Date.now()): { lastSeq: number; messages: ChatMessage[]; live: boolean } {
    const last = this.store.lastSeq();
    const run = this.store.activeRun()?.state;
    const messages = this.store.messagesAfter(Math.max(0, last - TAIL), TAIL);
    const state = this.store.state;
    const visitorAt = this.store.lastVisitorAt() ?? Number.NEGATIVE_INFINITY;
    const personAt = Math.max(visitorAt, state.lastAgentAt ?? Number.NEGATIVE_INFINITY);
    const withPerson =
      state.mode === 'agent' && state.status !== 'closed' && now - personAt < AGENT_LIVE_MS;
    return {
      lastSeq: last,
      messages,
      live:
        (run?.status === 'waiting' && run.waitingFor === 'effect') ||
        withPerson ||
        now - visitorAt < CONVERSING_MS,
    };
  }

  /** Runs `work`, returning the banners and redirects its turns delivered (see `Turns`). */
  collecting<T>(work: () => Promise<T>): Promise<{ result: T; frames: ServerFrame[] }> {
    return this.turns.collecting(work);
  }

  /** One page of the messages after `lastSeq`; `pageEnd` is set when more remain. */
  replay(lastSeq: number, page: number) {
    const last = this.store.lastSeq();
    const messages = this.store.messagesAfter(lastSeq, page);
    const end = messages.at(-1)?.seq ?? last;
    return {
      conversationId: this.store.state.conversationId ?? '',
      lastSeq: last,
      messages,
      ...(end < last ? { pageEnd: end } : {}),
    };
  }

  /**
   * A hello's new locale is a storage write: it spends a token of the conversation's bucket.
   * Returns the wait before the hello may be sent again when refused (nothing changed), else null.
   */
  changeLocale(locale: string | undefined, now: number): { retryAfterMs: number } | null {
    if (!locale || this.store.state.locale === locale) return null;
    const taken = takeToken(this.bucket, now);
    this.bucket = taken.bucket;
    if (!taken.allowed) return { retryAfterMs: taken.retryAfterMs };
    this.store.update({ locale });
    return null;
  }

  /** The first hello of a conversation fires `new_conversation`. */
  async hello(): Promise<void> {
    if (this.store.state.openedAt !== null) return;
    const ran = await this.turns.run(async (scope) => {
      if (this.store.state.openedAt !== null) return false;
      const prepared = await prepareTrigger(this.prepare, { type: 'new_conversation' }, null);
      try {
        scope.commit((t) => {
          t.store.update({ openedAt: t.now });
          if (prepared.snapshot) syncPilot(t, prepared.snapshot);
          if (prepared.start) startRun(t, prepared.start, prepared.agents);
          t.out.touched = true;
        });
      } catch (error) {
        // Rolled back; the conversation is still opened so the next hello does not retry it.
        console.error(JSON.stringify({ event: 'hello_failed', error: String(error) }));
        this.store.update({ openedAt: Date.now() });
      }
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
    const committed = await this.turns.run(async (scope) => {
      if (this.store.hasClientFrame(frame.id)) {
        reply({ v: 1, type: 'ack', id: frame.id });
        return false;
      }
      const bucket = takeToken(this.bucket, Date.now());
      if (!bucket.allowed) {
        // Nothing is stored: the client may send the same frame again later.
        const wait = bucket.retryAfterMs;
        reply(errorFrame(ErrorCode.rateLimited, `Too many frames; retry in ${wait} ms`, frame.id));
        refused = { retryAfterMs: wait };
        return false;
      }
      this.bucket = bucket.bucket;
      const words = wordsOf(this.store, frame);
      let start: Start | null = null;
      try {
        const prepared = await prepareVisitorTurn(this.prepare, frame, words);
        start = prepared.start;
        // From here to the reply there is no `await`, and it is one transaction: a turn that
        // throws leaves nothing half-written, not even its frame id.
        const replies: Parameters<Reply>[0][] = [];
        const { out } = scope.commit((t) => {
          applyVisitorTurn(t, frame, words, prepared, (f) => replies.push(f));
          // After the turn's writes: the visitor's message row, if any, already records the id.
          t.store.markClientFrame(frame.id, t.now);
        });
        for (const answer of replies) reply(answer);
        if (out.failure) reply(failureFrame(frame.id, out.failure));
      } catch (error) {
        if (!this.turnFailed(scope, frame, words, start, error, reply)) return false;
      }
      reply({ v: 1, type: 'ack', id: frame.id });
      return true;
    });
    if (committed) await this.afterTurn();
    return refused;
  }

  /**
   * A visitor turn threw: logged; the frame is recorded as handled with the visitor's words,
   * the failed run and the fallback answer, and the sender gets an error frame. Returns
   * whether that record was stored (else nothing was, and a resend runs the turn again).
   */
  private turnFailed(
    scope: TurnScope,
    frame: VisitorFrame,
    words: Words | null,
    start: Start | null,
    error: unknown,
    reply: Reply,
  ): boolean {
    if (this.turns.retired) return false;
    console.error(
      JSON.stringify({
        event: 'turn_failed',
        conversationId: this.store.state.conversationId,
        frame: frame.type,
        error: String(error),
      }),
    );
    let recorded = true;
    try {
      scope.commit((t) => recordFailedTurn(t, frame, words, start));
    } catch (again) {
      console.error(JSON.stringify({ event: 'turn_failed_unrecorded', error: String(again) }));
      recorded = false;
    }
    // After the record's messages: the widget then sees the visitor's words as stored, not as
    // refused (an error frame for a frame it still holds gives the text back to the composer).
    reply(failureFrame(frame.id, TURN_FAILED));
    return recorded;
  }

  // ---- after the reply: effects, then events ----

  private async afterTurn(): Promise<void> {
    // The turn's rows are committed: the outbox's longest wait counts from now, not from the
    // end of its effects (an AI answer or a webhook can take seconds).
    this.outbox.turnCommitted();
    await this.drain();
    this.outbox.schedule();
  }

  /** Runs pending effects in order; each result is committed with the run's next step. */
  drain(): Promise<void> {
    return this.effects.drain();
  }

  /** Sends queued events now (admin actions, the alarm). */
  flushEvents(): Promise<void> {
    return this.outbox.flush();
  }

  /**
   * For a request that is answered before anything else reaches this object (a page view
   * without a socket): its run events are out before the answer, not left to a timer still
   * running after the request that caused them has ended. Its live-view row is NOT awaited:
   * the pilot's object is shared by every visitor of the pilot (issue 15: nothing global on the
   * hot path), so a slow or busy one must never hold a page view's answer. The push runs on in
   * this object (`ctx.waitUntil`; since compatibility date 2026-10-01 a pending RPC and
   * `waitUntil` keep the object from eviction) and the queue still brings the row if it fails.
   */
  async settle(): Promise<void> {
    await this.outbox.flush();
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
    this.effects.recoverInterrupted(now);
    return this.hasBacklog();
  }

  // ---- admin actions ----

  async agentReply(text: string, agentId: string | null): Promise<ChatMessage> {
    const message = await this.turns.write((t) => {
      cancelActiveRun(t, 'agent_reply', true);
      // A person has joined: the pilot goes quiet.
      t.store.update({ mode: 'agent', handoverWaiting: false });
      if (t.state.status === 'closed') t.store.update({ status: 'open' });
      const added = t.store.appendMessage({ author: 'agent', text, at: t.now });
      if (agentId) t.store.update({ assignee: `user:${agentId}` });
      t.out.messages.push(added);
      return added;
    });
    await this.flushEvents();
    return message;
  }

  async release() {
    await this.turns.write((t) => {
      t.store.update({ mode: 'pilot', handoverWaiting: false });
      t.out.touched = true;
    });
    await this.flushEvents();
    return this.describe();
  }

  async closeConversation() {
    await this.turns.write((t) => {
      cancelActiveRun(t, 'closed', false);
      t.store.update({ status: 'closed' });
      const text = 'The conversation was closed.';
      t.out.messages.push(t.store.appendMessage({ author: 'system', text, at: t.now }));
    });
    await this.flushEvents();
    return this.describe();
  }

  async cancelRuns(filter: { flowId?: string; runId?: string }, reason: string) {
    const cancelled = await this.turns.write((t) => {
      const active = t.store.activeRun();
      if (!active) return false;
      if (filter.flowId && active.state.flowId !== filter.flowId) return false;
      if (filter.runId && active.state.runId !== filter.runId) return false;
      cancelActiveRun(t, reason, false);
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
  async retryRun(runId: string, flowId: string): Promise<RetryResult> {
    const failed = this.store.run(runId);
    const node = failed?.failedNode;
    if (failed?.state.status !== 'failed' || !node) return this.retryFlow(flowId);
    const agents = flowNeedsAgents(failed.flow) ? await this.resources.agents() : undefined;
    const resumed = await this.turns.write((t) => {
      if (t.store.activeRun()) return false;
      const current = t.store.run(runId);
      if (current?.state.status !== 'failed') return false;
      resumeRun(t, current, node, agents);
      return true;
    });
    if (!resumed) return { ok: false, reason: 'run_active' };
    await this.afterTurn();
    return { ok: true, runId, resumed: true };
  }

  private async retryFlow(flowId: string): Promise<RetryResult> {
    const snapshot = await this.resources.snapshot();
    const target = snapshot?.flows.find((f) => f.flowId === flowId);
    if (!snapshot || !target) return { ok: false, reason: 'not_published' };
    const runId = await this.turns.write((t) => {
      if (t.store.activeRun()) return null;
      syncPilot(t, snapshot);
      startRun(t, plainStart(target), undefined);
      return t.store.activeRun()?.state.runId ?? 'completed';
    });
    if (runId === null) return { ok: false, reason: 'run_active' };
    await this.afterTurn();
    return { ok: true, runId, resumed: false };
  }

  // ---- reads ----

  /** For logs: which conversation this object serves (null before anyone connected). */
  conversationId(): string | null {
    return this.store.state.conversationId;
  }

  activeRunState(): RunState | null {
    return this.store.activeRun()?.state ?? null;
  }

  /**
   * The newest MAX_TRANSCRIPT_MESSAGES messages (after `after`), oldest first: the admin view,
   * the export.
   */
  transcript(after = 0) {
    return this.store.newestMessages(MAX_TRANSCRIPT_MESSAGES, MAX_TRANSCRIPT_CHARS, after);
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
}
