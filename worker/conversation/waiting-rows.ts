/**
 * Rows waiting for the event flush, as the conversation's storage keeps them: the `outgoing`
 * event rows and the visitor questions flagged `unanswered`. Both live the same way, so one
 * mechanism keeps both: a write-through copy in memory (every turn asks whether anything waits
 * and every flush reads it; the flush's `SELECT` was a quarter of the busy CPU at 100 concurrent
 * conversations), and the newest row sent, whose delete (or flag clear) rides the next turn's
 * commit instead of being a commit of its own after every flush (a tenth of the busy CPU).
 * Memory only: a new instance sends the rows once more, and the consumer's effects are
 * idempotent by event id.
 */

/**
 * Most waiting rows kept in memory: while queue sends fail every turn adds one, so past this the
 * copy is dropped and reads go to the table (which keeps them all) until it is small.
 */
export const MAX_UNSENT_IN_MEMORY = 200;

export class WaitingRows<Row extends { seq: number }> {
  /** Oldest first; undefined: not known, the table answers. */
  private copy: Row[] | undefined;
  /** Rows through this seq reached the queue but are still on disk (0: none). */
  private sent = 0;

  /** `read(after, limit)`: the table's oldest `limit` rows with a seq above `after`. */
  constructor(private readonly read: (after: number, limit: number) => Row[]) {}

  /** The table was made just now: nothing waits, and no read is needed to know it. */
  startEmpty(): void {
    this.copy = [];
  }

  /** After a rollback: the copy may hold rows that were never written. */
  forget(): void {
    this.copy = undefined;
  }

  /** A row written in the caller's commit. */
  add(row: Row): void {
    if (this.copy && this.copy.length >= MAX_UNSENT_IN_MEMORY) this.copy = undefined;
    this.copy?.push(row);
  }

  /**
   * The oldest `limit` rows not sent yet: a new array the caller owns. Never the copy itself: a
   * flush holds its rows across the queue send while later turns append to the copy, and would
   * then take their rows for its own and delete them unsent.
   */
  list(limit: number): Row[] {
    if (this.copy) return this.copy.slice(0, limit);
    const rows = this.read(this.sent, limit);
    // Fewer than asked for: that is all of them, and the copy can take over from here (while
    // it is small enough to keep).
    if (rows.length < limit && rows.length < MAX_UNSENT_IN_MEMORY) this.copy = [...rows];
    return rows;
  }

  /**
   * The rows through `seq` reached the queue: no longer listed, cleared from disk later by the
   * caller's next commit (`takeSent`; no write now: the flush has just awaited the queue, and a
   * write after an `await` is a commit of its own).
   */
  markSent(seq: number): void {
    this.sent = Math.max(this.sent, seq);
    this.drop(seq);
  }

  /** The rows through `seq` are gone from disk. */
  drop(seq: number): void {
    if (this.copy) this.copy = this.copy.filter((row) => row.seq > seq);
  }

  hasSent(): boolean {
    return this.sent > 0;
  }

  /**
   * The newest sent seq (0: none), forgotten at once: the caller clears those rows in the commit
   * it is in. If that rolls back, they are back on disk and listed as waiting (the copy is
   * dropped with the rollback), so they are sent once more, never lost.
   */
  takeSent(): number {
    const seq = this.sent;
    this.sent = 0;
    return seq;
  }
}
