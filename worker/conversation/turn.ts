/**
 * The one way a conversation changes: a turn. `Turns.run(work)` runs `work` after every earlier
 * turn of the conversation has finished (its awaits — snapshot, AI, claims — never interleave
 * with another turn's); inside, `scope.commit((t) => …)` makes the turn's writes on
 * `{ store, state, now, out }` as one SQLite transaction (`transactionSync`: all or nothing;
 * a throw rolls back the storage's memory copies too), queues the run/step events it produced,
 * then delivers: its messages and frames to every open tab, the typing indicator off, the live
 * view's push requested. Visitor frames, effect results, admin replies, retries and unpublish
 * all go through here.
 */
import type { ChatMessage, ServerFrame } from '../../shared/protocol.ts';
import type { RuntimeEvent } from '../queue/events.ts';
import type { EventOutbox } from './event-outbox.ts';
import type { LivePush } from './live-push.ts';
import { isPaging, sendText } from './socket-out.ts';
import type { ConversationState, ConversationStorage } from './storage.ts';

/** What a turn sends after its commit. */
export class TurnOutput {
  readonly messages: ChatMessage[] = [];
  readonly frames: ServerFrame[] = [];
  readonly events: RuntimeEvent[] = [];
  /** Whether conversation-level facts changed (admin list, live view). */
  touched = false;
  /** Why a run of this turn was cut short (an abort code): the visitor gets an error frame. */
  failure: string | null = null;
}

/** A turn's synchronous write: the storage, the time, and what it will send. */
export interface Turn {
  readonly store: ConversationStorage;
  /** The conversation's facts as they are now (each `store.update` replaces the object). */
  readonly state: ConversationState;
  readonly now: number;
  readonly out: TurnOutput;
}

/** Inside `Turns.run`: the commit of the turn's writes (may run twice: a record after a throw). */
export interface TurnScope {
  commit<R>(write: (t: Turn) => R): { result: R; out: TurnOutput };
}

/**
 * Thrown by a retired commit: the conversation was erased while this work was on its way (a
 * webhook's answer, a turn waiting for the pilot's snapshot). Nothing is written.
 */
export class ConversationErased extends Error {
  constructor() {
    super('conversation erased');
  }
}

/** A page view's answer carries at most this many banners and redirects. */
export const MAX_COLLECTED_FRAMES = 10;

export class Turns {
  private chain: Promise<unknown> = Promise.resolve();
  /** Banners and redirects delivered while a page view without a socket is applied. */
  private readonly collectors = new Set<ServerFrame[]>();
  private retiredFlag = false;
  /** The typing indicator is on (slow work ahead); the next turn's output turns it off. */
  private typing = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly store: ConversationStorage,
    private readonly outbox: EventOutbox,
    private readonly live: LivePush,
  ) {}

  /** Runs `work` after every earlier turn of this conversation has finished. */
  run<T>(work: (scope: TurnScope) => Promise<T> | T): Promise<T> {
    const scope: TurnScope = { commit: (write) => this.commit(write) };
    const go = () => work(scope);
    const next = this.chain.then(go, go);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** A turn with nothing to await: its writes, then its delivery. */
  async write<R>(write: (t: Turn) => R): Promise<R> {
    return this.run((scope) => scope.commit(write).result);
  }

  /**
   * Makes the turn's writes and its events in one transaction, then sends its output. Throws
   * (with nothing written) when `write` does.
   */
  private commit<R>(write: (t: Turn) => R): { result: R; out: TurnOutput } {
    if (this.retiredFlag) throw new ConversationErased();
    const store = this.store;
    const out = new TurnOutput();
    const turn: Turn = {
      store,
      get state() {
        return store.state;
      },
      now: Date.now(),
      out,
    };
    let result: R;
    try {
      result = this.ctx.storage.transactionSync(() => {
        const value = write(turn);
        // The admin/live row of the conversation is built once per flush, not once per turn.
        if (changed(out)) this.outbox.markChanged();
        if (out.events.length > 0) store.enqueueOutgoing({ v: 1, events: out.events });
        // Rows an earlier flush sent are deleted in this commit, not in one of their own.
        store.sweepSent();
        return value;
      });
    } catch (error) {
      store.forgetUncommitted();
      throw error;
    }
    this.deliver(out);
    return { result, out };
  }

  /** Sends the turn's messages and frames to every open tab, once its writes are committed. */
  private deliver(out: TurnOutput): void {
    const frames: ServerFrame[] = out.messages.map((message) => ({
      v: 1,
      type: 'message',
      message,
    }));
    for (const frame of out.frames) frames.push(frame);
    if (this.typing) {
      this.typing = false;
      // A pilot message hides the widget's indicator; a turn without one hides it here.
      if (!out.messages.some((m) => m.author === 'pilot'))
        frames.push({ v: 1, type: 'typing', author: 'pilot', active: false });
    }
    this.broadcast(...frames);
    // Reads the row and calls the pilot's object only after this synchronous step (the reply
    // and the ack are sent first); the turn never waits for it.
    if (changed(out)) this.live.request();
  }

  /** AI, knowledge or a webhook ahead: the visitor sees the pilot typing meanwhile. */
  showTyping(): void {
    if (this.typing) return;
    this.typing = true;
    this.broadcast({ v: 1, type: 'typing', author: 'pilot', active: true });
  }

  /**
   * Runs `work` and returns, with its result, the banners and redirects delivered meanwhile (at
   * most `MAX_COLLECTED_FRAMES`): a messenger without a socket learns them from its answer.
   */
  async collecting<T>(work: () => Promise<T>): Promise<{ result: T; frames: ServerFrame[] }> {
    const frames: ServerFrame[] = [];
    this.collectors.add(frames);
    try {
      return { result: await work(), frames };
    } finally {
      this.collectors.delete(frames);
    }
  }

  /**
   * Sends `frames`, in order, to every open tab: each encoded once for all of them, the sockets
   * listed once for all of them (both were per frame and per socket).
   */
  broadcast(...frames: ServerFrame[]): void {
    if (frames.length === 0) return;
    for (const frame of frames)
      if (frame.type === 'banner' || frame.type === 'redirect')
        for (const collected of this.collectors)
          if (collected.length < MAX_COLLECTED_FRAMES) collected.push(frame);
    const texts = frames.map((frame) => JSON.stringify(frame));
    for (const ws of this.ctx.getWebSockets()) {
      // A socket between replay pages gets this turn's messages with its next page.
      const paging = isPaging(ws);
      for (const [i, frame] of frames.entries())
        if (!(paging && frame.type === 'message')) sendText(ws, texts[i] as string);
    }
  }

  /**
   * The conversation's storage was erased: from now on every turn of this runtime writes
   * nothing (the object serves the fresh conversation through a new runtime).
   */
  retire(): void {
    this.retiredFlag = true;
  }

  get retired(): boolean {
    return this.retiredFlag;
  }
}

/** The turn changed what the admin list and the live view show of the conversation. */
function changed(out: TurnOutput): boolean {
  return out.touched || out.messages.length > 0;
}
