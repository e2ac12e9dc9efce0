/** The erasure receipt: what an erase removed, in counts (no personal data). */
import { z } from '@hono/zod-openapi';

export const erasedCountsSchema = z
  .object({
    contacts: z.number().int().openapi({ description: 'Contact rows (D1)' }),
    conversationObjects: z
      .number()
      .int()
      .openapi({ description: 'Conversation Durable Objects whose storage was deleted' }),
    objectRows: z
      .record(z.string(), z.number().int())
      .openapi({ description: 'Rows deleted from those objects, by table (messages, runs, …)' }),
    conversationRows: z.number().int().openapi({ description: 'Conversation list rows (D1)' }),
    enrollments: z.number().int().openapi({
      description:
        'Enrollment-log runs anonymised (D1): they keep counting in insights, naming no one',
    }),
    enrollmentSteps: z
      .number()
      .int()
      .openapi({ description: 'Enrollment-log steps of those runs, anonymised (D1)' }),
    records: z.number().int().openapi({ description: 'Records flows created (D1)' }),
    emails: z.number().int().openapi({ description: 'Outbox emails (D1)' }),
    liveRows: z.number().int().openapi({ description: 'Live-view rows (pilot objects)' }),
    claims: z
      .number()
      .int()
      .openapi({ description: 'Frequency/cooldown claims naming the person (pilot objects)' }),
    unansweredQuestions: z.number().int().openapi({
      description:
        'Unanswered-question entries the person asked, removed or counted down (pilot objects)',
    }),
  })
  .openapi('ErasedCounts');
export type ErasedCounts = z.infer<typeof erasedCountsSchema>;

export const erasureReceiptSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['contact', 'visitor', 'conversation']),
    subjectId: z.string(),
    status: z.enum(['erased', 'in_progress', 'already_erased']).openapi({
      description:
        '`in_progress`: more conversations remain (call again; the job resumes); `already_erased`: nothing was left to erase',
    }),
    startedAt: z.number(),
    finishedAt: z.number().nullable(),
    conversationIds: z.array(z.string()).openapi({
      description: 'Conversations erased by this call (the stored receipt keeps counts only)',
    }),
    remaining: z.number().int(),
    erased: erasedCountsSchema.openapi({
      description: 'Totals over the whole erasure (every call of a resumed job)',
    }),
  })
  .openapi('ErasureReceipt');
export type ErasureReceipt = z.infer<typeof erasureReceiptSchema>;

export function zeroCounts(): ErasedCounts {
  return {
    contacts: 0,
    conversationObjects: 0,
    objectRows: {},
    conversationRows: 0,
    enrollments: 0,
    enrollmentSteps: 0,
    records: 0,
    emails: 0,
    liveRows: 0,
    claims: 0,
    unansweredQuestions: 0,
  };
}

/** `a + b`, field by field. */
export function addCounts(a: ErasedCounts, b: Partial<ErasedCounts>): ErasedCounts {
  const objectRows = { ...a.objectRows };
  for (const [table, n] of Object.entries(b.objectRows ?? {}))
    objectRows[table] = (objectRows[table] ?? 0) + n;
  return {
    contacts: a.contacts + (b.contacts ?? 0),
    conversationObjects: a.conversationObjects + (b.conversationObjects ?? 0),
    objectRows,
    conversationRows: a.conversationRows + (b.conversationRows ?? 0),
    enrollments: a.enrollments + (b.enrollments ?? 0),
    enrollmentSteps: a.enrollmentSteps + (b.enrollmentSteps ?? 0),
    records: a.records + (b.records ?? 0),
    emails: a.emails + (b.emails ?? 0),
    liveRows: a.liveRows + (b.liveRows ?? 0),
    claims: a.claims + (b.claims ?? 0),
    unansweredQuestions: a.unansweredQuestions + (b.unansweredQuestions ?? 0),
  };
}
