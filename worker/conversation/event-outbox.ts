/**
 * Run, step and conversation events on their way to the EVENTS queue. A turn stores its events
 * in the `outgoing` table inside its own commit (so none is lost on eviction) and only asks for
 * a flush; the flush runs a moment later and sends the turns of that moment as one queue
 * message. Sending per turn cost more than the turn itself on the hot path (a queue
 * send, a consumer batch, D1 and live-view writes for every visitor message). A question the
 * knowledge could not answer is not an `outgoing` row: it is a flag on the visitor's message
 * row, and the flush sends it as an `unanswered` event (a row of its own was the largest write
 * of such a turn after its two messages).
 */
import type { AppEnv } from '../env.ts';
import { MAX_QUESTION_CHARS } from '../knowledge/unanswered-store.ts';
import type {
  ConversationEvent,
  EventsMessage,
  RuntimeEvent,
  UnansweredEvent,
} from '../queue/events.ts';
import type { ConversationStorage, QuestionRow } from './storage.ts';

/**
 * Events are sent once the conversation has been quiet this long (no turn), so one queue
 * message carries a whole exchange: a visitor who writes every few seconds or slower gets a
 * flush a second after each turn, as with a fixed delay; a conversation going at machine
 * speed gets one flush per pause instead of one per second (each flush is a queue send, an
 * admin row, a consumer batch and its D1 and pilot-object writes).
 */
export const FLUSH_QUIET_MS = 1_000;
/** …but never later than this after the first unsent event (a conversation that never pauses). */
export const FLUSH_MAX_WAIT_MS = 5_000;
/** …and at once when this many turns' rows wait (one read of the flush loop). */
export const FLUSH_ROWS = 50;
/**
 * How long sent rows wait on disk for the next turn's commit to delete them; past it, with no
 * turn meanwhile, the outbox deletes them itself (one commit per quiet spell, not per flush).
 * Only a crash inside this window sends them again (the consumer is idempotent by event id).
 */
export const SWEEP_DELAY_MS = 1_000;
/** Queue messages are at most 128 KB; stay well below with JSON overhead. */
export const MESSAGE_BYTES = 96 * 1024;
/**
 * One `sendBatch` takes at most 256 KB and 100 messages in all (Miniflare: 288 KB): a flush of
 * 50 busy turns (up to 200 step events each) is more, so it goes as several batches. A batch
 * over the limit is refused whole, and the retry would send the same rows again: it would never
 * pass and the conversation's events would wait for ever.
 */
export const BATCH_BYTES = 192 * 1024;
export const BATCH_MESSAGES = 100;
const ROWS_PER_READ = FLUSH_ROWS;
/** After a failed send, the alarm retries this much later. */
const RETRY_MS = 5_000;

export class EventOutbox {
  private flushing: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private sweepTimer: ReturnType<typeof setTimeout> | null = null;
  /** Turns that changed the conversation in this object's life, and how many were sent. */
  private generation = 0;
  private sentGeneration = 0;
  /** Sequence of the last conversation row sent (time based, strictly increasing). */
  private rowSeq = 0;
  /** Set by a privacy erasure: this outbox's conversation is gone, nothing more is sent. */
  private retired = false;
  /** When the last turn asked for a flush, and when the oldest unsent one did (null: none). */
  private lastTurnAt = 0;
  private waitingSince: number | null = null;
  /** A send failed: until then the row bound does not flush on every turn (the alarm retries). */
  private backoffUntil = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: AppEnv,
    private readonly store: ConversationStorage,
  ) {
    // The row is derived data kept in memory: after a restart it is sent once more, so turns
    // of a previous instance that had not been flushed yet still reach the admin list.
    if (store.state.pilot !== null) this.generation = 1;
  }

  /**
   * Called after every turn: flushes once the conversation has been quiet FLUSH_QUIET_MS, at
   * most FLUSH_MAX_WAIT_MS after the oldest unsent turn, at once past FLUSH_ROWS rows. A timer,
   * not the alarm: setting an alarm is a storage write (a commit) per turn; one timer per
   * object, re-armed when it fires early (never per turn). The rows are already durable; if
   * the object is evicted first, its constructor finds the backlog and sets the alarm.
   */
  schedule(): void {
    const now = Date.now();
    this.lastTurnAt = now;
    if (this.retired || !this.pending()) {
      this.waitingSince = null;
      return;
    }
    this.waitingSince ??= now;
    const full =
      now >= this.backoffUntil &&
      this.store.outgoing(FLUSH_ROWS).length + this.store.unansweredQuestions(FLUSH_ROWS).length >=
        FLUSH_ROWS;
    if (full) this.flushSoon();
    else if (this.timer === null) this.arm(FLUSH_QUIET_MS);
  }

  /**
   * A turn has committed its rows; `schedule` follows once its effects are done. The longest
   * wait counts from here (no read: `schedule` finds out whether anything is to be sent).
   */
  turnCommitted(): void {
    this.waitingSince ??= Date.now();
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      const now = Date.now();
      const due = Math.min(
        this.lastTurnAt + FLUSH_QUIET_MS,
        (this.waitingSince ?? now) + FLUSH_MAX_WAIT_MS,
      );
      if (due > now && !this.retired) this.arm(due - now);
      else this.flushSoon();
    }, ms);
  }

  private flushSoon(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // An object torn down meanwhile cannot flush; its rows wait for the next instance.
    this.flush().catch((error) => console.error('deferred event flush failed', String(error)));
  }

  /**
   * Notes that the conversation's admin/live row changed. The row is built when events are
   * flushed: one per flush however many turns happened, with no storage write of its own.
   */
  markChanged(): void {
    this.generation++;
  }

  /**
   * The conversation was erased: a flush still scheduled would rebuild its admin row from
   * what this instance remembers and bring it back to D1 and the live view.
   */
  retire(): void {
    this.retired = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.sweepTimer !== null) clearTimeout(this.sweepTimer);
    this.timer = null;
    this.sweepTimer = null;
  }

  /**
   * Deletes the sent rows SWEEP_DELAY_MS from now if no turn's commit has by then. One timer
   * at a time; an object torn down first leaves them to its next instance (sent once more).
   */
  private scheduleSweep(): void {
    if (this.sweepTimer !== null || !this.store.hasSentRows()) return;
    this.sweepTimer = setTimeout(() => {
      this.sweepTimer = null;
      if (this.retired || !this.store.hasSentRows()) return;
      try {
        this.ctx.storage.transactionSync(() => this.store.sweepSent());
      } catch (error) {
        // Nothing lost: the rows were sent; a later turn or the next instance deals with them.
        console.error('event sweep failed', String(error));
      }
    }, SWEEP_DELAY_MS);
  }

  /**
   * The next sequence of the conversation's row, for the queue and the live push alike: one
   * counter, so the pilot's live object can tell which of the two is newer. Time based, so no
   * counter is written per turn and a new instance of the object continues above the old one.
   */
  nextRowSeq(now: number): number {
    this.rowSeq = Math.max(this.rowSeq + 1, now);
    return this.rowSeq;
  }

  pending(): boolean {
    return (
      this.generation !== this.sentGeneration ||
      this.store.outgoing(1).length > 0 ||
      this.store.unansweredQuestions(1).length > 0
    );
  }

  /**
   * Sends everything queued; on failure the alarm retries. One send loop at a time: a caller
   * arriving while one runs waits for it, then sends what is still queued.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.retired || !this.pending()) return;
    // Assigned before the loop's first await returns, cleared only by this call: a flush that
    // found nothing can never leave a settled promise behind that blocks every later flush.
    const flushing = this.send();
    this.flushing = flushing;
    try {
      await flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async send(): Promise<void> {
    // Turns from here on wait for a flush of their own.
    this.waitingSince = null;
    try {
      for (;;) {
        const rows = this.store.outgoing(ROWS_PER_READ);
        const questions = this.store.unansweredQuestions(ROWS_PER_READ);
        const turns: StoredTurn[] = rows.map((row) => ({
          bytes: utf8Bytes(row.body),
          // Rows still in memory carry their events: only rows read from disk are parsed.
          events: (row.events ?? (JSON.parse(row.body) as EventsMessage).events) as RuntimeEvent[],
        }));
        // Up to the first question whose event cannot be built yet (the conversation does not
        // know its pilot): it and the ones after it stay flagged, never marked sent unsent.
        let lastQuestion: QuestionRow | undefined;
        for (const row of questions) {
          const event = questionEvent(this.store, row);
          if (!event) break;
          turns.push({ bytes: utf8Bytes(JSON.stringify(event)), events: [event] });
          lastQuestion = row;
        }
        const final =
          rows.length < ROWS_PER_READ &&
          (questions.length < ROWS_PER_READ || lastQuestion !== questions.at(-1));
        // The conversation row goes last, with a sequence newer than every event before it.
        const generation = this.generation;
        const changed = final && generation !== this.sentGeneration;
        if (changed) {
          const now = Date.now();
          const event = conversationEvent(this.store, this.nextRowSeq(now), now);
          if (event) turns.push({ bytes: utf8Bytes(JSON.stringify(event)), events: [event] });
        }
        // Taken before the send: rows stored by turns committing during it are not this batch's.
        const last = rows.at(-1);
        // Batches go in order; a failure resends the whole read from the alarm, and the consumer
        // counts a resent event once (idempotent by event id).
        for (const batch of pack(turns)) await this.env.EVENTS.sendBatch(batch);
        // Erased during the send: the table is gone or belongs to the fresh conversation.
        if (this.retired) return;
        // Deleted by the next turn's commit (or the sweep): no commit of the flush's own.
        if (last) this.store.markSent(last.seq);
        if (lastQuestion) this.store.markQuestionsSent(lastQuestion.seq);
        if (changed) this.sentGeneration = generation;
        if (final) break;
      }
      this.scheduleSweep();
    } catch (error) {
      // An erased object keeps no alarm (`deleteAll` removed it): nothing of it is left to send.
      if (this.retired) return;
      console.error('event flush failed; retrying from the alarm', String(error));
      this.backoffUntil = Date.now() + RETRY_MS;
      await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
    }
  }
}

/** One stored turn's events and the size of its JSON (`{ v: 1, events }`), in UTF-8 bytes. */
export interface StoredTurn {
  bytes: number;
  events: RuntimeEvent[];
}

const encoder = new TextEncoder();
/** UTF-8 size: the queue's limits are bytes, and a character can take three of them. */
export const utf8Bytes = (text: string): number => encoder.encode(text).byteLength;

/**
 * The turn as parts that each fit one queue message: the turn itself, or, when it is larger,
 * its events one by one. An event alone over the message limit can never be sent: it is
 * dropped and logged, so it cannot hold back the conversation's other events for ever.
 */
function parts(turn: StoredTurn): StoredTurn[] {
  if (turn.bytes <= MESSAGE_BYTES) return [turn];
  const out: StoredTurn[] = [];
  for (const event of turn.events) {
    const bytes = utf8Bytes(JSON.stringify(event)) + 1;
    if (bytes <= MESSAGE_BYTES) out.push({ bytes, events: [event] });
    else
      console.error(
        JSON.stringify({
          event: 'event_too_large',
          kind: (event as { kind?: string }).kind,
          bytes,
        }),
      );
  }
  return out;
}

/**
 * Packs stored turns into as few queue messages as fit (each ≤ MESSAGE_BYTES), and those into
 * as few `sendBatch` calls as fit (each ≤ BATCH_BYTES and BATCH_MESSAGES). Order is kept.
 */
export function pack(turns: StoredTurn[]): MessageSendRequest<EventsMessage>[][] {
  const batches: MessageSendRequest<EventsMessage>[][] = [];
  let batch: MessageSendRequest<EventsMessage>[] = [];
  let batchBytes = 0;
  let events: RuntimeEvent[] = [];
  let bytes = 0;
  const endMessage = () => {
    if (events.length === 0) return;
    if (batch.length >= BATCH_MESSAGES || batchBytes + bytes > BATCH_BYTES) {
      batches.push(batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push({ body: { v: 1, events }, contentType: 'json' });
    batchBytes += bytes;
    events = [];
    bytes = 0;
  };
  for (const part of turns.flatMap(parts)) {
    if (bytes + part.bytes > MESSAGE_BYTES) endMessage();
    for (const event of part.events) events.push(event);
    bytes += part.bytes;
  }
  endMessage();
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * A flagged question as the event that adds it to the pilot's unanswered list, with the
 * conversation that asked (so an erasure can take it back out). Its id is the message's (seq and
 * time: an erased conversation starting again numbers from 1), so a question sent again after a
 * restart counts once. Null while the conversation does not know its pilot.
 */
export function questionEvent(
  store: ConversationStorage,
  row: QuestionRow,
): UnansweredEvent | null {
  const { pilot, conversationId } = store.state;
  if (!pilot || !conversationId) return null;
  return {
    kind: 'unanswered',
    id: `unanswered_${conversationId}_${row.seq}_${row.at.toString(36)}`,
    seq: 0,
    at: row.at,
    pilotId: pilot.id,
    conversationId,
    question: row.text.slice(0, MAX_QUESTION_CHARS),
  };
}

/**
 * The conversation as admins see it (list, live view), read from the object's storage. Null
 * until the conversation knows its pilot (first snapshot read).
 */
export function conversationEvent(
  store: ConversationStorage,
  seq: number,
  now: number,
): ConversationEvent | null {
  const { pilot, conversationId, ...state } = store.state;
  if (!pilot || !conversationId) return null;
  const last = store.lastMessage();
  const active = store.activeRun();
  return {
    kind: 'conversation',
    id: `${conversationId}:c:${seq}`,
    seq,
    at: now,
    workspaceId: pilot.workspaceId,
    pilotId: pilot.id,
    conversationId,
    visitorId: state.visitorId ?? '',
    userId: state.userId,
    status: state.status,
    mode: state.mode,
    assignee: state.assignee,
    pageUrl: state.page?.url ?? null,
    lastMessage: last ? last.text.slice(0, 500) : null,
    lastMessageAt: last?.at ?? null,
    createdAt: state.openedAt ?? now,
    run: active
      ? {
          runId: active.state.runId,
          flowId: active.state.flowId,
          version: active.state.version,
          nodeId: active.state.nodeId,
          waitingSince: active.state.waitingSince ?? null,
        }
      : null,
  };
}
