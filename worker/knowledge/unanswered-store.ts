/**
 * Questions the pilot could not answer from its knowledge (the fallback or a flow's `noAnswer`
 * path was taken): one table in the PilotObject, the site owner's to-do list of articles to
 * write. The same question asked again (case and spacing aside) counts up instead of adding a
 * row. Bounded: at most MAX_UNANSWERED rows (the least recently asked go first) and
 * MAX_QUESTION_CHARS characters per question.
 *
 * Which conversations asked a question is kept beside it (`unanswered_askers`, with how many
 * times), so a privacy erasure can take a person's questions back out: the count drops by their
 * asks, and a question nobody else asked goes. At most MAX_ASKERS_PER_QUESTION askers are
 * remembered per question (the most recent): a question more people asked than that is a
 * common one, and its wording is no longer any one person's.
 */
import { z } from 'zod';

export const MAX_UNANSWERED = 500;
export const MAX_QUESTION_CHARS = 500;
export const MAX_ASKERS_PER_QUESTION = 50;
/**
 * Event ids already counted, kept so a queue message delivered twice (at-least-once delivery; a
 * conversation object that crashed after sending its events and before deleting them sends
 * them again) counts its questions once. The newest this many are remembered; a resend older
 * than that would count again (a to-do list's count one too high, nothing lost).
 */
export const MAX_SEEN_EVENTS = 10_000;
/** The seen ids are trimmed back to MAX_SEEN_EVENTS after this many new ones (and on start). */
export const TRIM_SEEN_EVERY = 1_000;

export const unansweredQuestionSchema = z.object({
  /** The question's normalised text: stable across repeats, the list's cursor tiebreaker. */
  id: z.string(),
  question: z.string(),
  count: z.number().int(),
  firstAskedAt: z.number(),
  lastAskedAt: z.number(),
});
export type UnansweredQuestion = z.infer<typeof unansweredQuestionSchema>;

/** Case, spacing and trailing punctuation do not make a question new. */
export const questionKey = (text: string): string =>
  text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[\s?!.]+$/u, '')
    .trim();

export class UnansweredStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS unanswered (
      key TEXT PRIMARY KEY, question TEXT NOT NULL, count INTEGER NOT NULL,
      first_at INTEGER NOT NULL, last_at INTEGER NOT NULL)`);
    sql.exec('CREATE INDEX IF NOT EXISTS unanswered_recent ON unanswered(last_at)');
    sql.exec(`CREATE TABLE IF NOT EXISTS unanswered_askers (
      key TEXT NOT NULL, conversation_id TEXT NOT NULL, times INTEGER NOT NULL,
      last_at INTEGER NOT NULL, PRIMARY KEY (key, conversation_id))`);
    sql.exec(
      'CREATE INDEX IF NOT EXISTS unanswered_askers_by_conversation ON unanswered_askers(conversation_id)',
    );
    // `seq`: arrival order, for the trim (an event id carries no person's data).
    sql.exec(
      'CREATE TABLE IF NOT EXISTS unanswered_seen (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)',
    );
  }

  /** New seen ids since the last trim; starts at the bound so each instance trims once. */
  private seenSinceTrim = TRIM_SEEN_EVERY;

  note(text: string, at: number, conversationId: string | null): void {
    if (this.add(text, at, conversationId)) this.trim();
  }

  /**
   * Several questions (a queue batch): each added, the list trimmed once. An item with an event
   * `id` already counted is skipped (a redelivery), so the queue's events count exactly once.
   */
  noteMany(
    items: readonly {
      id?: string;
      question: string;
      at: number;
      conversationId: string | null;
    }[],
  ) {
    let added = false;
    for (const item of items) {
      if (item.id !== undefined && !this.firstSeen(item.id)) continue;
      added = this.add(item.question, item.at, item.conversationId) || added;
    }
    if (added) this.trim();
    if (this.seenSinceTrim >= TRIM_SEEN_EVERY) this.trimSeen();
  }

  /** Records an event id; false when it was counted before. */
  private firstSeen(id: string): boolean {
    const fresh =
      this.sql.exec('INSERT INTO unanswered_seen (id) VALUES (?) ON CONFLICT(id) DO NOTHING', id)
        .rowsWritten > 0;
    if (fresh) this.seenSinceTrim++;
    return fresh;
  }

  /** Keeps the newest MAX_SEEN_EVENTS ids (a range delete on the key: no scan). */
  private trimSeen(): void {
    this.sql.exec(
      'DELETE FROM unanswered_seen WHERE seq <= (SELECT MAX(seq) FROM unanswered_seen) - ?',
      MAX_SEEN_EVENTS,
    );
    this.seenSinceTrim = 0;
  }

  private add(text: string, at: number, conversationId: string | null): boolean {
    const question = text.trim().slice(0, MAX_QUESTION_CHARS);
    const key = questionKey(question);
    if (!key) return false;
    const { count } = this.sql
      .exec<{ count: number }>(
        `INSERT INTO unanswered (key, question, count, first_at, last_at) VALUES (?, ?, 1, ?, ?)
         ON CONFLICT(key) DO UPDATE SET count = count + 1, last_at = excluded.last_at,
         question = excluded.question RETURNING count`,
        key,
        question,
        at,
        at,
      )
      .one();
    if (conversationId) {
      this.sql.exec(
        `INSERT INTO unanswered_askers (key, conversation_id, times, last_at) VALUES (?, ?, 1, ?)
         ON CONFLICT(key, conversation_id) DO UPDATE SET times = times + 1, last_at = excluded.last_at`,
        key,
        conversationId,
        at,
      );
      // A question has at most as many askers as asks (erasure takes both down, the cap only
      // askers): under the cap there is nothing to delete, and most questions are (one
      // statement fewer per question on a busy pilot's queue batches).
      if (count <= MAX_ASKERS_PER_QUESTION) return true;
      this.sql.exec(
        `DELETE FROM unanswered_askers WHERE key = ? AND conversation_id NOT IN (
           SELECT conversation_id FROM unanswered_askers WHERE key = ?
           ORDER BY last_at DESC, conversation_id LIMIT ?)`,
        key,
        key,
        MAX_ASKERS_PER_QUESTION,
      );
    }
    return true;
  }

  /** At most MAX_UNANSWERED questions (the least recently asked go), and their askers. */
  private trim(): void {
    const trimmed = this.sql.exec(
      'DELETE FROM unanswered WHERE key NOT IN (SELECT key FROM unanswered ORDER BY last_at DESC, key LIMIT ?)',
      MAX_UNANSWERED,
    ).rowsWritten;
    if (trimmed > 0)
      this.sql.exec('DELETE FROM unanswered_askers WHERE key NOT IN (SELECT key FROM unanswered)');
  }

  /**
   * Privacy erasure: takes the asks of `conversationIds` out of the list. Returns how many
   * questions were removed or counted down.
   */
  forget(conversationIds: string[]): number {
    let changed = 0;
    for (const conversationId of conversationIds) {
      const asked = this.sql
        .exec<{ key: string; times: number }>(
          'SELECT key, times FROM unanswered_askers WHERE conversation_id = ?',
          conversationId,
        )
        .toArray();
      for (const { key, times } of asked) {
        this.sql.exec('UPDATE unanswered SET count = count - ? WHERE key = ?', times, key);
        this.sql.exec('DELETE FROM unanswered WHERE key = ? AND count <= 0', key);
        changed++;
      }
      this.sql.exec('DELETE FROM unanswered_askers WHERE conversation_id = ?', conversationId);
    }
    return changed;
  }

  /**
   * Most asked first (ties by id), `limit` rows after `after` (the last row of the previous
   * page): a keyset, so a page never repeats or skips a row that did not change meanwhile.
   */
  list(limit: number, after?: { count: number; id: string }): UnansweredQuestion[] {
    const where = after ? 'WHERE count < ? OR (count = ? AND key > ?)' : '';
    const binds = after ? [after.count, after.count, after.id] : [];
    return this.sql
      .exec<{ key: string; question: string; count: number; first_at: number; last_at: number }>(
        `SELECT key, question, count, first_at, last_at FROM unanswered ${where}
         ORDER BY count DESC, key ASC LIMIT ?`,
        ...binds,
        Math.min(limit, MAX_UNANSWERED),
      )
      .toArray()
      .map((row) => ({
        id: row.key,
        question: row.question,
        count: row.count,
        firstAskedAt: row.first_at,
        lastAskedAt: row.last_at,
      }));
  }

  clear(): void {
    this.sql.exec('DELETE FROM unanswered');
    this.sql.exec('DELETE FROM unanswered_askers');
  }
}
