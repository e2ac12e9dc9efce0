/**
 * An erasure as a resumable job: its D1 row lists the conversations still to erase and what
 * else names the person. Each conversation is erased, then struck off the list, so a request
 * that dies midway (eviction, deploy, timeout) leaves a `running` job that the next call for
 * the same subject resumes, or the cron once it has stalled (`resumeStalledErasures`); nothing
 * is ever half-erased silently. One request erases at most
 * `CONVERSATIONS_PER_CALL` conversations and answers `in_progress` when more remain.
 */
import { z } from 'zod';
import { sha256Hex } from '../auth/hash.ts';
import type { AppEnv } from '../env.ts';
import { notFound } from '../http/api-error.ts';
import { eraseConversation } from './erase-conversation.ts';
import { addCounts, type ErasedCounts, type ErasureReceipt, zeroCounts } from './receipt.ts';
import { noSteps, type StepHook } from './steps.ts';
import { MAX_PILOTS, planFor, type Subject, type Targets } from './targets.ts';

/** Bounds one request's work (each conversation is a few RPCs and one D1 batch). */
export const CONVERSATIONS_PER_CALL = 25;
/** D1 allows 100 bound parameters per statement. */
const BINDS_PER_STATEMENT = 90;

const refSchema = z.object({ id: z.string(), pilotId: z.string() });
const targetsSchema = z.object({
  contactId: z.string().nullable(),
  email: z.string().nullable(),
  recordContactIds: z.array(z.string()),
  subjects: z.array(z.string()),
});
const progressSchema = z.object({
  startedAt: z.number(),
  erased: z.custom<ErasedCounts>((v) => typeof v === 'object' && v !== null),
});

interface JobRow {
  id: string;
  status: 'running' | 'done';
  pending: string;
  targets: string;
  receipt: string;
  updated_at: number;
}

interface Job {
  id: string;
  subject: Subject;
  workspaceId: string;
  pending: z.infer<typeof refSchema>[];
  targets: Targets;
  progress: z.infer<typeof progressSchema>;
  /** Erased by this call (the row keeps counts only, never ids). */
  erasedNow: string[];
}

const SELECT_JOB = `SELECT id, status, pending, targets, receipt, updated_at FROM erasures
  WHERE workspace_id = ? AND kind = ? AND subject_id = ?`;

/**
 * Erases `subject` in `workspaceId` (or resumes its unfinished erasure); 404 if unknown.
 * `perCall` lowers the per-request bound (tests use it to stop an erasure midway); `onStep`
 * is told each durable step as it completes (tests throw from it to kill the request there).
 */
export async function runErasure(
  env: AppEnv,
  workspaceId: string,
  subject: Subject,
  perCall = CONVERSATIONS_PER_CALL,
  onStep: StepHook = noSteps,
): Promise<ErasureReceipt> {
  const subjectHash = await sha256Hex(subject.id);
  const readJob = () =>
    env.DB.prepare(SELECT_JOB).bind(workspaceId, subject.kind, subjectHash).first<JobRow>();
  const row = await readJob();
  let job = row?.status === 'running' ? parseJob(row, subject, workspaceId) : null;
  if (!job) {
    const plan = await planFor(env, workspaceId, subject);
    if (!plan) {
      if (row) return alreadyErased(row, subject);
      throw notFound(
        subject.kind === 'contact'
          ? 'Contact'
          : subject.kind === 'visitor'
            ? 'Visitor'
            : 'Conversation',
      );
    }
    const refs = plan.conversations;
    job = await startJob(env, workspaceId, subject, subjectHash, refs, plan.targets, row?.id);
    if (!job) {
      // A concurrent call for the same person started the job first: go on with its job (each
      // step is idempotent), or report what it finished.
      const raced = await readJob();
      if (!raced) throw new Error('erasure job could not be started');
      if (raced.status !== 'running') return alreadyErased(raced, subject);
      job = parseJob(raced, subject, workspaceId);
    }
  }
  onStep('job.start');
  return continueJob(env, job, Math.max(1, Math.min(perCall, CONVERSATIONS_PER_CALL)), onStep);
}

/** A running job untouched this long is taken as abandoned (its request died) by the cron. */
export const STALLED_AFTER_MS = 10 * 60_000;
/** Abandoned jobs one cron run finishes (each is one `runErasure` call's bounded work). */
const STALLED_PER_RUN = 5;

/**
 * Finishes erasures whose request died and that nobody asked for again (cron). The row keeps
 * only a hash of the subject, so the subject is read back from the plan the row holds (a
 * contact's id, `visitor:<id>`) and used only when its hash is the row's; a conversation's job
 * needs no subject (it never looks for more conversations). Each row taken, resumed or not, is
 * stamped, so one that cannot be resumed (or fails again) goes to the back instead of holding a
 * place in every run. Returns how many jobs it advanced.
 */
export async function resumeStalledErasures(env: AppEnv, now: number): Promise<number> {
  const { results } = await env.DB.prepare(
    `SELECT id, workspace_id, kind, subject_id, status, pending, targets, receipt, updated_at
       FROM erasures WHERE status = 'running' AND updated_at < ? ORDER BY updated_at LIMIT ?`,
  )
    .bind(now - STALLED_AFTER_MS, STALLED_PER_RUN)
    .all<JobRow & { workspace_id: string; kind: Subject['kind']; subject_id: string }>();
  let resumed = 0;
  for (const row of results) {
    await env.DB.prepare('UPDATE erasures SET updated_at = ? WHERE id = ?').bind(now, row.id).run();
    const subject =
      row.kind === 'conversation'
        ? { kind: row.kind, id: '' }
        : subjectFromPlan(row.kind, row.targets);
    if (!subject) continue;
    if (row.kind !== 'conversation' && (await sha256Hex(subject.id)) !== row.subject_id) continue;
    try {
      const job = parseJob(row, subject, row.workspace_id);
      await continueJob(env, job, CONVERSATIONS_PER_CALL, noSteps);
      resumed++;
    } catch (error) {
      // One job failing again must not keep the others waiting; the next run tries it again.
      console.error('erasure resume failed', row.id, String(error));
    }
  }
  return resumed;
}

function subjectFromPlan(kind: 'contact' | 'visitor', targets: string): Subject | null {
  try {
    const plan = targetsSchema.parse(JSON.parse(targets));
    if (kind === 'contact') return plan.contactId ? { kind, id: plan.contactId } : null;
    const named = plan.subjects.find((s) => s.startsWith('visitor:'));
    return named ? { kind, id: named.slice('visitor:'.length) } : null;
  } catch {
    return null;
  }
}

function parseJob(row: JobRow, subject: Subject, workspaceId: string): Job {
  return {
    id: row.id,
    subject,
    workspaceId,
    pending: z.array(refSchema).parse(JSON.parse(row.pending)),
    targets: targetsSchema.parse(JSON.parse(row.targets)),
    progress: progressSchema.parse(JSON.parse(row.receipt)),
    erasedNow: [],
  };
}

async function startJob(
  env: AppEnv,
  workspaceId: string,
  subject: Subject,
  subjectHash: string,
  pending: Job['pending'],
  targets: Targets,
  existingId: string | undefined,
): Promise<Job | null> {
  const now = Date.now();
  const job: Job = {
    id: existingId ?? `erasure_${crypto.randomUUID().replaceAll('-', '')}`,
    subject,
    workspaceId,
    pending,
    targets,
    progress: { startedAt: now, erased: zeroCounts() },
    erasedNow: [],
  };
  const written = await env.DB.prepare(
    `INSERT INTO erasures (id, workspace_id, kind, subject_id, status, pending, targets, receipt,
       created_at, updated_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)
     ON CONFLICT(id) DO UPDATE SET status = 'running', pending = excluded.pending,
       targets = excluded.targets, receipt = excluded.receipt, updated_at = excluded.updated_at
     ON CONFLICT DO NOTHING`,
  )
    .bind(
      job.id,
      workspaceId,
      subject.kind,
      subjectHash,
      JSON.stringify(pending),
      JSON.stringify(targets),
      JSON.stringify(job.progress),
      now,
      now,
    )
    .run();
  // Nothing written: another call's job for this person holds the (workspace, kind, subject) key.
  return written.meta.changes > 0 ? job : null;
}

async function continueJob(
  env: AppEnv,
  job: Job,
  perCall: number,
  onStep: StepHook,
): Promise<ErasureReceipt> {
  let budget = perCall;
  for (;;) {
    for (; budget > 0 && job.pending.length > 0; budget--) {
      const [ref, ...rest] = job.pending;
      if (!ref) break;
      // Each step's counts are saved as it completes; the last save also strikes the
      // conversation off the list.
      await eraseConversation(
        env,
        job.workspaceId,
        ref,
        async (counts, done) => {
          job.progress = { ...job.progress, erased: addCounts(job.progress.erased, counts) };
          if (done) {
            job.pending = rest;
            job.erasedNow.push(ref.id);
          }
          await saveProgress(env, job);
        },
        onStep,
      );
      onStep('job.progress');
    }
    if (job.pending.length > 0) return receiptOf(job, 'in_progress', null);
    // Before finishing, look again: a person with more conversations than one plan holds, or
    // one who chatted while the erasure ran, still has some. Never report done while any
    // remain. Each pass erases at least one conversation (or stops), so the budget bounds it.
    const again =
      job.subject.kind === 'conversation' ? null : await planFor(env, job.workspaceId, job.subject);
    const left = again?.conversations.filter((ref) => !job.erasedNow.includes(ref.id)) ?? [];
    if (left.length === 0) break;
    job.pending = left;
    await saveProgress(env, job);
    if (budget === 0) return receiptOf(job, 'in_progress', null);
  }
  await eraseTargets(env, job, onStep);
  const finishedAt = Date.now();
  // Done: nothing personal stays in the row (the subject id is an opaque id of ours).
  await env.DB.prepare(
    `UPDATE erasures SET status = 'done', pending = '[]', targets = '{}', receipt = ?, updated_at = ?
     WHERE id = ?`,
  )
    .bind(JSON.stringify(job.progress), finishedAt, job.id)
    .run();
  return receiptOf(job, 'erased', finishedAt);
}

async function saveProgress(env: AppEnv, job: Job): Promise<void> {
  await env.DB.prepare('UPDATE erasures SET pending = ?, receipt = ?, updated_at = ? WHERE id = ?')
    .bind(JSON.stringify(job.pending), JSON.stringify(job.progress), Date.now(), job.id)
    .run();
}

/**
 * What names the person outside their conversations: emails, records, claims, the contact.
 * Each step's counts are saved in the job's row before it is reported done (as for
 * conversations), so a resumed erasure reports them too.
 */
async function eraseTargets(env: AppEnv, job: Job, onStep: StepHook): Promise<void> {
  const save = async (counts: Partial<ErasedCounts>) => {
    job.progress = { ...job.progress, erased: addCounts(job.progress.erased, counts) };
    await saveProgress(env, job);
  };
  const { targets, workspaceId } = job;
  const statements: D1PreparedStatement[] = [];
  if (targets.email)
    statements.push(
      // Case aside: an address is the same person's however a flow or an admin spelled it.
      env.DB.prepare(
        'DELETE FROM outbox WHERE workspace_id = ? AND lower(to_address) = lower(?)',
      ).bind(workspaceId, targets.email),
    );
  const recordStart = statements.length;
  for (let i = 0; i < targets.recordContactIds.length; i += BINDS_PER_STATEMENT) {
    const ids = targets.recordContactIds.slice(i, i + BINDS_PER_STATEMENT);
    statements.push(
      env.DB.prepare(
        `DELETE FROM records WHERE workspace_id = ?
           AND json_extract(data, '$.contactId') IN (${ids.map(() => '?').join(', ')})`,
      ).bind(workspaceId, ...ids),
    );
  }
  const recordEnd = statements.length;
  if (targets.contactId)
    statements.push(
      env.DB.prepare('DELETE FROM contacts WHERE workspace_id = ? AND id = ?').bind(
        workspaceId,
        targets.contactId,
      ),
    );
  const results = statements.length > 0 ? await env.DB.batch(statements) : [];
  const changes = (from: number, to: number) =>
    results.slice(from, to).reduce((sum, r) => sum + (r.meta.changes ?? 0), 0);
  await save({
    emails: targets.email ? changes(0, 1) : 0,
    records: changes(recordStart, recordEnd),
    contacts: targets.contactId ? changes(recordEnd, recordEnd + 1) : 0,
  });
  onStep('targets.d1');
  if (targets.subjects.length > 0) {
    const { results: pilots } = await env.DB.prepare(
      'SELECT id FROM pilots WHERE workspace_id = ? ORDER BY id LIMIT ?',
    )
      .bind(workspaceId, MAX_PILOTS)
      .all<{ id: string }>();
    for (const pilot of pilots) {
      const { claims } = await env.PILOT.get(env.PILOT.idFromName(pilot.id)).forget(
        [],
        targets.subjects,
      );
      if (claims > 0) await save({ claims });
      onStep('targets.claims');
    }
  }
}

function receiptOf(
  job: Job,
  status: ErasureReceipt['status'],
  finishedAt: number | null,
): ErasureReceipt {
  return {
    id: job.id,
    kind: job.subject.kind,
    subjectId: job.subject.id,
    status,
    startedAt: job.progress.startedAt,
    finishedAt,
    conversationIds: job.erasedNow,
    remaining: job.pending.length,
    erased: job.progress.erased,
  };
}

/** A repeated erase of a subject already gone: nothing to do, say so (zero counts). */
function alreadyErased(row: JobRow, subject: Subject): ErasureReceipt {
  const progress = progressSchema.parse(JSON.parse(row.receipt));
  return {
    id: row.id,
    kind: subject.kind,
    subjectId: subject.id,
    status: 'already_erased',
    startedAt: progress.startedAt,
    finishedAt: row.updated_at,
    conversationIds: [],
    remaining: 0,
    erased: zeroCounts(),
  };
}
