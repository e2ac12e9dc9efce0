/**
 * The conversation's turns: frame -> prepare (the only awaits: snapshot, AI, agents, claims;
 * turn-preparation.ts) -> one synchronous commit (visitor-turn.ts, run-driver.ts) -> ack and
 * fan-out (turn-delivery.ts) -> effects (effect-queue.ts) and events after the reply.
 * Turns are serialized by a promise chain so a prepare's awaits never interleave with
 * another turn of the same conversation.
 */
import type { RunState } from '../../shared/engine/types.ts';
import { ErrorCode } from '../../shared/errors.ts';
import type { ChatMessage, ServerFrame } from '../../shared/protocol.ts';
import type { AppEnv } from '../env.ts';
import { conversationEvent } from './conversation-event.ts';
import { EffectQueue } from './effect-queue.ts';
import { flowNeedsAgents } from './engine-data.ts';
import { EventOutbox } from './event-outbox.ts';
import { LivePush } from './live-push.ts';
import { PilotResources } from './pilot-resources.ts';
import { plainStart, RunDriver, type Start } from './run-driver.ts';
import { RunLedger } from './run-ledger.ts';
import { ConversationStorage } from './storage.ts';
import { type Bucket, takeToken } from './token-bucket.ts';
import { failureFrame, TurnCommit } from './turn-commit.ts';
import { TurnDelivery } from './turn-delivery.ts';
import { TurnPreparation, type VisitorFrame } from './turn-preparation.ts';
import { type Reply, VisitorTurn } from './visitor-turn.ts';

export interface Identity {
  visitorId: string;
  pilotKey: string;
  conversationId: string;
  userId?: string | null;
}

/** Messages a beacon's answer carries: enough for the unread badge and the bubble. */
const TAIL = 10;

export class ConversationRuntime {
  readonly store: ConversationStorage;
  private readonly ledger: RunLedger;
  private readonly outbox: EventOutbox;
  private readonly resources: PilotResources;
  private readonly delivery: TurnDelivery;
  private readonly live: LivePush;
  private readonly runs: RunDriver;
  private readonly preparation: TurnPreparation;
  private readonly visitorTurn: VisitorTurn;
  private readonly effects: EffectQueue;
  private readonly commit: TurnCommit;
  private chain: Promise<unknown> = Promise.resolve();
  /**
   * The visitor-frame token bucket lives in memory: an object is only evicted after ~10 s
   * without events, longer than the 4 s an empty bucket takes to refill, so a stored bucket
   * would be full on every restart anyway; keeping it out of storage saves a write per turn.
   */
  private bucket: Bucket | null = null;

  constructor(ctx: DurableObjectState, env: AppEnv, broadcast: (frame: ServerFrame) => void) {
    this.store = new ConversationStorage(ctx.storage.sql);
    this.ledger = new RunLedger(this.store);
    this.outbox = new EventOutbox(ctx, env, this.store);
    this.resources = new PilotResources(env, this.store);
    const live = new LivePush(ctx, env, this.store, (now) => this.outbox.nextRowSeq(now));
    this.live = live;
    this.delivery = new TurnDelivery(this.store, this.outbox, live, broadcast);
    this.runs = new RunDriver(this.store, this.ledger);
    this.preparation = new TurnPreparation(env, this.store, this.resources, () =>
      this.delivery.showTyping(),
    );
    this.visitorTurn = new VisitorTurn(this.store, this.ledger, this.runs);
    this.commit = new TurnCommit(ctx.storage, this.store, this.ledger, this.delivery);
    this.effects = new EffectQueue(
      env,
      this.store,
      this.ledger,
      this.runs,
      this.resources,
      this.delivery,
      (work) => this.exclusive(work),
      this.commit,
    );
  }

  /** Runs `work` after every earlier turn of this conversation has finished. */
  private exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Privacy erasure: work of this runtime still on its way (an effect's answer, a turn
   * awaiting the pilot, a scheduled event flush) must not write into the emptied storage or
   * send its remembered row to D1; see TurnCommit.retire and EventOutbox.retire.
   */
  retire(): void {
    this.commit.retire();
    this.outbox.retire();
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

  /**
   * The newest messages (at most `TAIL`) and whether more may come without the visitor (a run
   * waiting for an effect, an agent on the conversation), for a messenger without a socket.
   */
  tail(): { lastSeq: number; messages: ChatMessage[]; live: boolean } {
    const last = this.store.lastSeq();
    const run = this.store.activeRun()?.state;
    return {
      lastSeq: last,
      messages: this.store.messagesAfter(Math.max(0, last - TAIL), TAIL),
      // An agent is on the conversation: their next reply must arrive without a reload.
      live:
        (run?.status === 'waiting' && run.waitingFor === 'effect') ||
        this.store.getMeta('mode') === 'agent',
    };
  }

  /** One page of the messages after `lastSeq`; `pageEnd` is set when more remain. */
  replay(lastSeq: number, page: number) {
    const last = this.store.lastSeq();
    const messages = this.store.messagesAfter(lastSeq, page);
    const end = messages.at(-1)?.seq ?? last;
    return {
      conversationId: this.store.getMeta('conversationId') ?? '',
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
    if (!locale || this.store.getMeta('locale') === locale) return null;
    const taken = takeToken(this.bucket, now);
    this.bucket = taken.bucket;
    if (!taken.allowed) return { retryAfterMs: taken.retryAfterMs };
    this.store.setMeta('locale', locale);
    return null;
  }

  /** The first hello of a conversation fires `new_conversation`. */
  async hello(): Promise<void> {
    if (this.store.getMeta('opened')) return;
    const ran = await this.exclusive(async () => {
      if (this.store.getMeta('opened')) return false;
      const prepared = await this.preparation.trigger({ type: 'new_conversation' }, null);
      const now = Date.now();
      try {
        this.commit.run((out) => {
          this.store.setMeta('opened', String(now));
          if (prepared.snapshot) this.runs.syncPilot(prepared.snapshot, now, out);
          if (prepared.start) this.runs.start(prepared.start, prepared.agents, now, out);
          out.touched = true;
        });
      } catch (error) {
        // Rolled back; the conversation is still opened so the next hello does not retry it.
        console.error(JSON.stringify({ event: 'hello_failed', error: String(error) }));
        this.store.setMeta('opened', String(now));
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
      this.bucket = bucket.bucket;
      let start: Start | null = null;
      try {
        const prepared = await this.preparation.prepare(frame);
        start = prepared.start;
        // From here to the reply there is no `await`, and it is one transaction: a turn that
        // throws leaves nothing half-written, not even its frame id.
        const now = Date.now();
        const replies: ServerFrame[] = [];
        const out = this.commit.run((out) => {
          this.store.markClientFrame(frame.id, now);
          this.visitorTurn.apply(frame, prepared, now, out, (f) => replies.push(f));
        });
        for (const answer of replies) reply(answer);
        if (out.failure) reply(failureFrame(frame.id, out.failure));
      } catch (error) {
        if (!this.commit.failed(frame, start, error, reply)) return false;
      }
      reply({ v: 1, type: 'ack', id: frame.id });
      return true;
    });
    if (committed) await this.afterTurn();
    return refused;
  }

  // ---- after the reply: effects, then events ----

  private async afterTurn(): Promise<void> {
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
   * without a socket): its live-view row and its run events are out before the answer, not
   * left to a push and a timer still running after the request that caused them has ended.
   */
  async settle(): Promise<void> {
    await this.live.settled();
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

  async agentReply(text: string, agentId: string | null, now: number) {
    const message = await this.exclusive(() => {
      // Assigned by the synchronous commit below (it throws otherwise).
      let added!: ChatMessage;
      this.commit.run((out) => {
        this.runs.cancelActive('agent_reply', now, out, true);
        this.store.setMeta('mode', 'agent');
        this.store.deleteMeta('handoverWaiting'); // a person has joined: the pilot goes quiet
        if (this.store.getMeta('status') === 'closed') this.store.setMeta('status', 'open');
        added = this.store.appendMessage({ author: 'agent', text, at: now });
        if (agentId) this.store.setMeta('assignee', `user:${agentId}`);
        out.messages.push(added);
      });
      return added;
    });
    await this.flushEvents();
    return message;
  }

  async release() {
    await this.exclusive(() =>
      this.commit.run((out) => {
        this.store.setMeta('mode', 'pilot');
        this.store.deleteMeta('handoverWaiting');
        out.touched = true;
      }),
    );
    await this.flushEvents();
    return this.describe();
  }

  async closeConversation(now: number) {
    await this.exclusive(() =>
      this.commit.run((out) => {
        this.runs.cancelActive('closed', now, out, false);
        this.store.setMeta('status', 'closed');
        out.messages.push(
          this.store.appendMessage({
            author: 'system',
            text: 'The conversation was closed.',
            at: now,
          }),
        );
      }),
    );
    await this.flushEvents();
    return this.describe();
  }

  async cancelRuns(filter: { flowId?: string; runId?: string }, reason: string, now: number) {
    const cancelled = await this.exclusive(() => {
      const active = this.store.activeRun();
      if (!active) return false;
      if (filter.flowId && active.state.flowId !== filter.flowId) return false;
      if (filter.runId && active.state.runId !== filter.runId) return false;
      this.commit.run((out) => this.runs.cancelActive(reason, now, out, false));
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
    const agents = flowNeedsAgents(failed.flow) ? await this.resources.agents() : undefined;
    const resumed = await this.exclusive(() => {
      if (this.store.activeRun()) return false;
      const current = this.store.run(runId);
      if (current?.state.status !== 'failed') return false;
      this.commit.run((out) => this.runs.resume(current, node, agents, now, out));
      return true;
    });
    if (!resumed) return { error: 'run_active' };
    await this.afterTurn();
    return { runId, resumed: true };
  }

  async retryFlow(flowId: string, now: number): Promise<{ runId: string } | { error: string }> {
    const snapshot = await this.resources.snapshot();
    const target = snapshot?.flows.find((f) => f.flowId === flowId);
    if (!snapshot || !target) return { error: 'not_published' };
    const runId = await this.exclusive(() => {
      if (this.store.activeRun()) return null;
      this.commit.run((out) => {
        this.runs.syncPilot(snapshot, now, out);
        this.runs.start(plainStart(target), undefined, now, out);
      });
      return this.store.activeRun()?.state.runId ?? 'completed';
    });
    if (runId === null) return { error: 'run_active' };
    await this.afterTurn();
    return { runId };
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
}
