/**
 * Erases one conversation everywhere it is held: its Durable Object (all storage, open
 * sockets closed), its D1 rows (list row, records, outbox; its enrollment-log runs and steps are
 * anonymised, so insights keep counting them) and its live-view row. Every step is idempotent, so a retry after a crash anywhere redoes nothing
 * harmful. The object goes first: once it is empty no new events about the old conversation
 * can be produced, and the tombstone written with the D1 deletes (one atomic batch) makes the
 * events consumer drop any still in the queue.
 *
 * What each step erased is handed to `record` (which saves it in the job's row) before the
 * step is reported done, so an erasure killed between two steps still reports every row it
 * erased: a resumed step finds nothing left and adds zero.
 */
import { sha256Hex } from '../auth/hash.ts';
import type { AppEnv } from '../env.ts';
import type { ErasedCounts } from './receipt.ts';
import { noSteps, type StepHook } from './steps.ts';
import type { ConversationRef } from './targets.ts';

/** What an anonymised enrollment-log run names instead of its conversation and subject. */
export const ERASED = 'erased';

/** Saves what a step erased; `done` on the last step of the conversation. */
export type RecordErased = (counts: Partial<ErasedCounts>, done: boolean) => Promise<void>;

export async function eraseConversation(
  env: AppEnv,
  workspaceId: string,
  ref: ConversationRef,
  record: RecordErased,
  onStep: StepHook = noSteps,
): Promise<void> {
  const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(ref.id));
  const object = await stub.erase(workspaceId);
  const rows = object?.rows ?? {};
  await record(
    {
      conversationObjects: object && Object.keys(rows).length > 0 ? 1 : 0,
      objectRows: rows,
    },
    false,
  );
  onStep('conversation.object');
  const erasedAt = Date.now();
  const scoped = [workspaceId, ref.id];
  const results = await env.DB.batch([
    env.DB.prepare(
      `INSERT INTO erased_conversations (conversation_hash, erased_at) VALUES (?, ?)
       ON CONFLICT(conversation_hash) DO UPDATE SET erased_at = excluded.erased_at`,
    ).bind(await sha256Hex(ref.id), erasedAt),
    // The enrollment log keeps its runs and steps for the flow's insights, with nothing left
    // that leads to the person: no conversation, no subject, no error text (which may quote
    // what was sent). Choices stay: they are the flow's own option values.
    env.DB.prepare(
      `UPDATE enrollment_steps SET error = NULL WHERE enrollment_id IN
         (SELECT id FROM enrollments WHERE workspace_id = ? AND conversation_id = ?)`,
    ).bind(...scoped),
    env.DB.prepare(
      `UPDATE enrollments SET conversation_id = ?, subject = ?, error = NULL
       WHERE workspace_id = ? AND conversation_id = ?`,
    ).bind(ERASED, ERASED, ...scoped),
    env.DB.prepare('DELETE FROM records WHERE workspace_id = ? AND conversation_id = ?').bind(
      ...scoped,
    ),
    env.DB.prepare('DELETE FROM outbox WHERE workspace_id = ? AND conversation_id = ?').bind(
      ...scoped,
    ),
    env.DB.prepare('DELETE FROM conversations WHERE workspace_id = ? AND id = ?').bind(...scoped),
  ]);
  const changes = (i: number) => results[i]?.meta.changes ?? 0;
  await record(
    {
      enrollmentSteps: changes(1),
      enrollments: changes(2),
      records: changes(3),
      emails: changes(4),
      conversationRows: changes(5),
    },
    false,
  );
  onStep('conversation.d1');
  const live = await env.PILOT.get(env.PILOT.idFromName(ref.pilotId)).forget([ref.id], []);
  await record({ liveRows: live.liveRows, unansweredQuestions: live.unansweredQuestions }, true);
  onStep('conversation.live');
}
