/**
 * Questions the pilot could not answer from its knowledge (the fallback or a flow's `noAnswer`
 * path was taken): one table in the PilotObject, the site owner's to-do list of articles to
 * write. The same question asked again (case and spacing aside) counts up instead of adding a
 * row. Bounded: at most MAX_UNANSWERED rows (questions several conversations asked are kept
 * longest; otherwise the least recently asked go first), MAX_QUESTION_CHARS characters per
 * question and MAX_QUESTIONS_PER_CONVERSATION questions from any one conversation.
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
 * Distinct questions one conversation may put on the list: past it, its questions are not
 * counted. A stranger's conversation cannot fill the site owner's list with junk (the list keeps
 * MAX_UNANSWERED rows); a visitor with more unanswered questions than this in one conversation
 * is not the to-do list's typical source either.
 */
export const MAX_QUESTIONS_PER_CONVERSATION = 20;
/**
 * Event ids already counted, kept so a queue message delivered twice (at-least-once delivery; a
 * conversation object that crashed after sending its events and before deleting them sends
 * them again) counts its questions once. The newest this many are remembered; a resend older
 * than that would count again (a to-do list's count one too high, nothing lost).
 */
export const MAX_SEEN_EVENTS = 10_000;
/** The seen ids are trimmed back to MAX_SEEN_EVENTS after this many new ones (and on start). */
export const TRIM_SEEN_EVERY = 1_000;
/**
 * Questions written per statement. A question is at most MAX_QUESTION_CHARS, and JSON writes a
 * character as at most 6 bytes (`\u0001`): the question and its key are under 6 KB together, so
 * a chunk's JSON stays under about 1.3 MB, below a statement's 2 MB value limit, whatever a
 * queue batch holds. Raise it only with that sum in mind (past the limit the whole batch fails).
 */
const NOTE_CHUNK = 200;

interface QuestionAsks {
  key: string;
  question: string;
  count: number;
  first: number;
  last: number;
}

interface AskerAsks {
  key: string;
  conversationId: string;
  times: number;
  last: number;
}

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
    this.noteMany([{ question: text, at, conversationId }]);
  }

  /**
   * Several questions (a queue batch): each added, the list trimmed once. An item with an event
   * `id` already counted is skipped (a redelivery), so the queue's events count exactly once.
   * Set-based: a few statements per NOTE_CHUNK questions (the ids checked, the questions and
   * their askers upserted from one JSON array each), not three per question: a busy pilot's
   * unanswered questions were the largest cost of its visitors' messages (`bench:profile
   * --tail`), and each statement is a call into SQLite.
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
    for (let i = 0; i < items.length; i += NOTE_CHUNK)
      added = this.addChunk(items.slice(i, i + NOTE_CHUNK)) || added;
    if (added) this.trim();
    if (this.seenSinceTrim >= TRIM_SEEN_EVERY) this.trimSeen();
  }

  /** The event ids never counted before, recorded as counted now (one statement). */
  private firstSeen(ids: string[]): Set<string> {
    if (!ids.length) return new Set();
    const fresh = this.sql
      .exec<{ id: string }>(
        `INSERT INTO unanswered_seen (id) SELECT value FROM json_each(?) WHERE true
         ON CONFLICT(id) DO NOTHING RETURNING id`,
        JSON.stringify(ids),
      )
      .toArray()
      .map((row) => row.id);
    this.seenSinceTrim += fresh.length;
    return new Set(fresh);
  }

  /** Keeps the newest MAX_SEEN_EVENTS ids (a range delete on the key: no scan). */
  private trimSeen(): void {
    this.sql.exec(
      'DELETE FROM unanswered_seen WHERE seq <= (SELECT MAX(seq) FROM unanswered_seen) - ?',
      MAX_SEEN_EVENTS,
    );
    this.seenSinceTrim = 0;
  }

  /**
   * At most NOTE_CHUNK questions: the ones not counted before, folded per question (how many
   * asks, the first and the last, the last wording) and per question and asker, then written
   * with one upsert each. The same end state as adding them one by one, in order, but for one
   * case: an asker the cap pushes out and who asks again in the same chunk keeps its earlier
   * asks (one by one, it came back with one), so an erasure takes all of them out.
   */
  private addChunk(
    items: readonly { id?: string; question: string; at: number; conversationId: string | null }[],
  ): boolean {
    const fresh = this.firstSeen(items.flatMap((item) => (item.id === undefined ? [] : [item.id])));
    const byConversation = this.questionsBy(items);
    const questions = new Map<string, QuestionAsks>();
    const askers = new Map<string, AskerAsks>();
    for (const item of items) {
      // Deleted once used: an id twice in one batch counts once too.
      if (item.id !== undefined && !fresh.delete(item.id)) continue;
      // A conversation at its cap adds nothing more (repeats of its own questions included: a
      // count of its rows, not a lookup of each).
      if (
        item.conversationId &&
        (byConversation.get(item.conversationId) ?? 0) >= MAX_QUESTIONS_PER_CONVERSATION
      )
        continue;
      // Well-formed: a lone surrogate (typed by a visitor, or an emoji cut in half at the limit)
      // would go into SQLite through JSON as bytes that read back as something else, and the
      // key would no longer match itself (askers cap, erasure).
      const question = item.question
        .trim()
        .slice(0, MAX_QUESTION_CHARS)
        .replace(/\p{Cs}/gu, '\uFFFD');
      const key = questionKey(question);
      if (!key) continue;
      const asked = questions.get(key);
      if (asked) Object.assign(asked, { question, count: asked.count + 1, last: item.at });
      else questions.set(key, { key, question, count: 1, first: item.at, last: item.at });
      if (!item.conversationId) continue;
      const by = `${key}\n${item.conversationId}`;
      const asker = askers.get(by);
      if (asker) Object.assign(asker, { times: asker.times + 1, last: item.at });
      else {
        askers.set(by, { key, conversationId: item.conversationId, times: 1, last: item.at });
        // Counted as a new row of the conversation even when an earlier batch has it (a repeat
        // then only brings the cap nearer): no lookup per question.
        byConversation.set(item.conversationId, (byConversation.get(item.conversationId) ?? 0) + 1);
      }
    }
    if (!questions.size) return false;
    const counts = this.sql
      .exec<{ key: string; count: number }>(
        `INSERT INTO unanswered (key, question, count, first_at, last_at)
         SELECT json_extract(value, '$.key'), json_extract(value, '$.question'),
           json_extract(value, '$.count'), json_extract(value, '$.first'),
           json_extract(value, '$.last')
         FROM json_each(?) WHERE true
         ON CONFLICT(key) DO UPDATE SET count = count + excluded.count,
           last_at = excluded.last_at, question = excluded.question RETURNING key, count`,
        JSON.stringify([...questions.values()]),
      )
      .toArray();
    if (!askers.size) return true;
    this.sql.exec(
      `INSERT INTO unanswered_askers (key, conversation_id, times, last_at)
       SELECT json_extract(value, '$.key'), json_extract(value, '$.conversationId'),
         json_extract(value, '$.times'), json_extract(value, '$.last')
       FROM json_each(?) WHERE true
       ON CONFLICT(key, conversation_id) DO UPDATE SET times = times + excluded.times,
         last_at = excluded.last_at`,
      JSON.stringify([...askers.values()]),
    );
    // A question has at most as many askers as asks (erasure takes both down, the cap only
    // askers): only a question asked more than the cap can have more askers than it.
    const keys = new Set([...askers.values()].map((asker) => asker.key));
    for (const { key, count } of counts)
      if (count > MAX_ASKERS_PER_QUESTION && keys.has(key))
        this.sql.exec(
          `DELETE FROM unanswered_askers WHERE key = ? AND conversation_id NOT IN (
             SELECT conversation_id FROM unanswered_askers WHERE key = ?
             ORDER BY last_at DESC, conversation_id LIMIT ?)`,
          key,
          key,
          MAX_ASKERS_PER_QUESTION,
        );
    return true;
  }

  /**
   * How many questions each conversation of `items` has on the list (one statement, by the
   * askers' conversation index).
   */
  private questionsBy(items: readonly { conversationId: string | null }[]): Map<string, number> {
    const ids = [
      ...new Set(items.flatMap((item) => (item.conversationId ? [item.conversationId] : []))),
    ];
    if (!ids.length) return new Map();
    const rows = this.sql
      .exec<{ conversation_id: string; n: number }>(
        `SELECT conversation_id, COUNT(*) AS n FROM unanswered_askers
         WHERE conversation_id IN (SELECT value FROM json_each(?)) GROUP BY conversation_id`,
        JSON.stringify(ids),
      )
      .toArray();
    return new Map(rows.map((row) => [row.conversation_id, row.n]));
  }

  /**
   * At most MAX_UNANSWERED questions, and their askers. Questions more than one conversation
   * asked go last (a flood of fresh one-off questions from strangers cannot push out what
   * several visitors wanted to know); among the rest, the least recently asked go first.
   */
  private trim(): void {
    const trimmed = this.sql.exec(
      `DELETE FROM unanswered WHERE key NOT IN (SELECT key FROM unanswered ORDER BY
         (SELECT COUNT(*) > 1 FROM unanswered_askers a WHERE a.key = unanswered.key) DESC,
         last_at DESC, key LIMIT ?)`,
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
