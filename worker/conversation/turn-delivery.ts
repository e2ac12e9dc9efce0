/**
 * The end of a turn: queues its run/step events, notes that the conversation changed and
 * sends its messages and frames to every open tab, after the turn's writes; then asks for the
 * live view's push (live-push.ts, not awaited). Also owns the pilot's typing indicator, which
 * spans the slow work between a frame and its turn's output.
 */
import type { ServerFrame } from '../../shared/protocol.ts';
import type { EventOutbox } from './event-outbox.ts';
import type { LivePush } from './live-push.ts';
import type { TurnOutput } from './run-ledger.ts';
import type { ConversationStorage } from './storage.ts';

export class TurnDelivery {
  /** The typing indicator is on (slow work ahead); the next turn's output turns it off. */
  private typing = false;

  constructor(
    private readonly store: ConversationStorage,
    private readonly outbox: EventOutbox,
    private readonly live: LivePush,
    private readonly broadcast: (frame: ServerFrame) => void,
  ) {}

  /** Queues the turn's run/step events and sends its output (outside a transaction). */
  finish(out: TurnOutput): void {
    this.record(out);
    this.send(out);
  }

  /** The turn's writes: its run/step events; notes that the conversation changed. */
  record(out: TurnOutput): void {
    // The admin/live row of the conversation is built once per flush, not once per turn.
    if (changed(out)) this.outbox.markChanged();
    if (out.events.length > 0) this.store.enqueueOutgoing({ v: 1, events: out.events });
  }

  /** Sends the turn's messages and frames to every open tab, once its writes are committed. */
  send(out: TurnOutput): void {
    for (const message of out.messages) this.broadcast({ v: 1, type: 'message', message });
    for (const frame of out.frames) this.broadcast(frame);
    if (this.typing) {
      this.typing = false;
      // A pilot message hides the widget's indicator; a turn without one hides it here.
      if (!out.messages.some((m) => m.author === 'pilot'))
        this.broadcast({ v: 1, type: 'typing', author: 'pilot', active: false });
    }
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
}

/** The turn changed what the admin list and the live view show of the conversation. */
function changed(out: TurnOutput): boolean {
  return out.touched || out.messages.length > 0;
}
