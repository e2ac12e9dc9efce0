/**
 * Questions the pilot could not answer from its knowledge (the fallback or a flow's `noAnswer`
 * path was taken): one table in the PilotObject, the site owner's to-do list of articles to
 * write. The same question asked again (case and spacing aside) counts up instead of adding a
 * row. Bounded: at most MAX_UNANSWERED rows (the least recently asked go first) and
 * MAX_QUESTION_CHARS characters per question.
 */
import { z } from 'zod';

export const MAX_UNANSWERED = 500;
export const MAX_QUESTION_CHARS = 500;

export const unansweredQuestionSchema = z.object({
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
  }

  note(text: string, at: number): void {
    const question = text.trim().slice(0, MAX_QUESTION_CHARS);
    const key = questionKey(question);
    if (!key) return;
    this.sql.exec(
      `INSERT INTO unanswered (key, question, count, first_at, last_at) VALUES (?, ?, 1, ?, ?)
       ON CONFLICT(key) DO UPDATE SET count = count + 1, last_at = excluded.last_at,
       question = excluded.question`,
      key,
      question,
      at,
      at,
    );
    this.sql.exec(
      'DELETE FROM unanswered WHERE key NOT IN (SELECT key FROM unanswered ORDER BY last_at DESC, key LIMIT ?)',
      MAX_UNANSWERED,
    );
  }

  /** Most asked first, then most recent. */
  list(limit: number): UnansweredQuestion[] {
    return this.sql
      .exec<{ question: string; count: number; first_at: number; last_at: number }>(
        'SELECT question, count, first_at, last_at FROM unanswered ORDER BY count DESC, last_at DESC LIMIT ?',
        Math.min(limit, MAX_UNANSWERED),
      )
      .toArray()
      .map((row) => ({
        question: row.question,
        count: row.count,
        firstAskedAt: row.first_at,
        lastAskedAt: row.last_at,
      }));
  }

  clear(): void {
    this.sql.exec('DELETE FROM unanswered');
  }
}
