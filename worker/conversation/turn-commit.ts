/**
 * A turn's writes as one SQLite transaction (`transactionSync`): all of them or none. A turn
 * that throws is rolled back (the storage's memory copies with it), logged, and answered: see
 * failed-turn.ts for what is then recorded so the conversation goes on.
 */
import { ErrorCode } from '../../shared/errors.ts';
import { errorFrame, type ServerFrame } from '../../shared/protocol.ts';
import { recordFailedTurn, TURN_FAILED } from './failed-turn.ts';
import type { Start } from './run-driver.ts';
import { type RunLedger, TurnOutput } from './run-ledger.ts';
import type { ConversationStorage } from './storage.ts';
import type { TurnDelivery } from './turn-delivery.ts';
import type { VisitorFrame } from './turn-preparation.ts';
import type { Reply } from './visitor-turn.ts';

/** Tells the sender its turn's flow was cut short (`code`); the fallback answer follows. */
export function failureFrame(id: string, code: string): ServerFrame {
  return errorFrame(
    ErrorCode.internal,
    `The flow could not finish (${code}); the pilot answered with its fallback message`,
    id,
  );
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

export class TurnCommit {
  private retired = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: ConversationStorage,
    private readonly ledger: RunLedger,
    private readonly delivery: TurnDelivery,
  ) {}

  /**
   * Makes the turn's writes (`work`, synchronous) and its events in one transaction, then
   * sends its output. Throws (with nothing written) when `work` does.
   */
  run(work: (out: TurnOutput) => void): TurnOutput {
    if (this.retired) throw new ConversationErased();
    let out = new TurnOutput();
    try {
      out = this.storage.transactionSync(() => {
        const fresh = new TurnOutput();
        work(fresh);
        this.delivery.record(fresh);
        return fresh;
      });
    } catch (error) {
      this.store.forgetUncommitted();
      throw error;
    }
    this.delivery.send(out);
    return out;
  }

  /**
   * The conversation's storage was erased: from now on every turn of this runtime writes
   * nothing (the object serves the fresh conversation through a new runtime).
   */
  retire(): void {
    this.retired = true;
  }

  /**
   * A visitor turn threw: logged; the frame is recorded as handled with the visitor's words,
   * the failed run and the fallback answer, and the sender gets an error frame. Returns
   * whether that record was stored (else nothing was, and a resend runs the turn again).
   */
  failed(frame: VisitorFrame, start: Start | null, error: unknown, reply: Reply): boolean {
    if (this.retired) return false;
    console.error(
      JSON.stringify({
        event: 'turn_failed',
        conversationId: this.store.getMeta('conversationId'),
        frame: frame.type,
        error: String(error),
      }),
    );
    const now = Date.now();
    let recorded = true;
    try {
      this.run((out) => recordFailedTurn(this.store, this.ledger, frame, start, now, out));
    } catch (again) {
      console.error(JSON.stringify({ event: 'turn_failed_unrecorded', error: String(again) }));
      recorded = false;
    }
    // After the record's messages: the widget then sees the visitor's words as stored, not as
    // refused (an error frame for a frame it still holds gives the text back to the composer).
    reply(failureFrame(frame.id, TURN_FAILED));
    return recorded;
  }
}
