/**
 * The live view's fast path: after a turn has committed and its reply was sent, the
 * conversation's row goes straight to its pilot's object (DO RPC), which fans it out to the
 * console's live sockets. Before, the row only reached it through the event flush and a queue
 * batch, about 2 s later; the queue still carries it (D1 list, and the durable path when a push
 * fails), with a newer `seq` from the same counter, so the live object keeps whichever is newer.
 *
 * Bounded and never in the visitor's way: nothing here is awaited by a turn; at most one push
 * per conversation is in flight, and turns that finish meanwhile are coalesced into one more
 * push of the row as it then is; a failure is logged and dropped (no retry: the next turn or the
 * queue brings the row). While nobody watches the pilot's live view, a conversation pushes at
 * most once per UNWATCHED_RECHECK_MS, so a busy pilot's object is not called on every turn for
 * nothing, and the conversations of one isolate share that window per pilot; a console that
 * connects meanwhile sees such a conversation's next turns through the queue (as before) until
 * the window ends. The push that found nobody still leaves its row in the pilot's live table, so
 * a console that connects next has that visitor in its first (snapshot) frame.
 */
import { withTimeout } from '../../shared/knowledge/timeout.ts';
import type { AppEnv } from '../env.ts';
import { liveRow } from '../live/live-store.ts';
import { conversationEvent } from './event-outbox.ts';
import type { ConversationStorage } from './storage.ts';
import { UnwatchedPilots } from './unwatched-pilots.ts';

/**
 * How long a conversation stops pushing after the pilot's object said nobody watches, or that
 * the pilot is past its push rate (worker/live/live-limits.ts: the queue brings the rows).
 */
export const UNWATCHED_RECHECK_MS = 2_000;
/** Pilots remembered as unwatched per isolate; past it the notes are dropped (they are hints). */
export const MAX_UNWATCHED_PILOTS = 1_000;
/**
 * A push that takes longer is given up (logged): a hung pilot object must not hold this
 * conversation's later pushes (one loop at a time); the queue brings the row anyway.
 */
export const LIVE_PUSH_TIMEOUT_MS = 5_000;

/**
 * Pilot id -> time until which nobody watches its live view, shared by the conversations this
 * isolate runs: one push per window tells all of them, so a busy pilot's unwatched object gets
 * about one call per window instead of one per conversation per window (at 100 concurrent
 * conversations that was ~17% of the CPU per visitor message, bench CPU per message). Only a
 * hint: a console that connects meanwhile gets the rows through the queue until the window
 * ends, as a single conversation's window already allowed.
 */
const unwatchedUntil = new UnwatchedPilots(MAX_UNWATCHED_PILOTS);

export class LivePush {
  /** No push before this time: the last one found no live socket open. */
  private quietUntil = 0;
  /** A turn changed the row since the last push started. */
  private wanted = false;
  /** A push loop is running (it sends again while `wanted`). */
  private running = false;
  /** Erased (ConversationRuntime.retire): the store's memory is a person's erased data. */
  private retired = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: AppEnv,
    private readonly store: ConversationStorage,
    /** The row's sequence, shared with the queue path (EventOutbox.nextRowSeq). */
    private readonly nextSeq: (now: number) => number,
  ) {}

  /**
   * Privacy erasure: no push from now on. A push still queued would build its row from the old
   * store's memory and bring the erased conversation back to the live view.
   */
  retire(): void {
    this.retired = true;
    this.wanted = false;
  }

  /** Asks for a push of the row; called after a turn's writes, never awaited. */
  request(): void {
    const now = Date.now();
    if (now < this.quietUntil) return;
    const pilotId = this.store.state.pilot?.id ?? '';
    const until = unwatchedUntil.get(pilotId);
    if (until !== undefined) {
      if (now < until) return;
      // The window ended: this push asks the pilot's object again, and the other conversations
      // wait for its answer instead of all asking at once (the first turns after every window).
      unwatchedUntil.set(pilotId, now + UNWATCHED_RECHECK_MS);
    }
    this.wanted = true;
    if (this.running) return;
    this.running = true;
    // Never awaited by a turn or a page view's answer (see ConversationRuntime.settle).
    this.ctx.waitUntil(this.loop());
  }

  private async loop(): Promise<void> {
    // Let the turn's synchronous step finish first (its reply and ack are sent, or queued for
    // the socket's batch, before the row is read).
    await Promise.resolve();
    while (this.wanted && !this.retired) {
      this.wanted = false;
      await this.pushOnce();
    }
    // Set in the same synchronous step as the last check: a request arriving after it starts
    // a new loop, none is lost in between.
    this.running = false;
  }

  private async pushOnce(): Promise<void> {
    try {
      const now = Date.now();
      const event = conversationEvent(this.store, this.nextSeq(now), now);
      if (!event) return; // the conversation does not know its pilot yet
      const stub = this.env.PILOT.get(this.env.PILOT.idFromName(event.pilotId));
      const watched = await withTimeout(
        stub.pushLive(liveRow(event)),
        LIVE_PUSH_TIMEOUT_MS,
        'live push',
      );
      this.quietUntil = watched ? 0 : Date.now() + UNWATCHED_RECHECK_MS;
      if (watched) unwatchedUntil.delete(event.pilotId);
      else unwatchedUntil.set(event.pilotId, this.quietUntil);
    } catch (error) {
      console.error(
        JSON.stringify({
          event: 'live_push_failed',
          conversationId: this.store.state.conversationId,
          error: String(error),
        }),
      );
    }
  }
}
