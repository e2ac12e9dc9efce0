/** The documented shape of `GET /contacts/:id/export` (data portability, GDPR art. 15/20). */
import { z } from '@hono/zod-openapi';

const json = z.unknown();

const exportMessageSchema = z
  .object({
    seq: z.number().int(),
    author: z.enum(['visitor', 'pilot', 'agent', 'system']),
    text: z.string(),
    at: z.number().int(),
  })
  .loose()
  .openapi('ExportMessage', {
    description:
      'A transcript message as the visitor saw it, rich parts (cards, choices, …) included',
  });

const exportConversationSchema = z
  .object({
    id: z.string(),
    pilotId: z.string(),
    visitorId: z.string(),
    userId: z.string().nullable(),
    status: z.string(),
    mode: z.string(),
    pageUrl: z.string().nullable(),
    createdAt: z.number(),
    lastMessageAt: z.number().nullable(),
    messages: z.array(exportMessageSchema),
  })
  .openapi('ExportConversation');

const exportStepSchema = z
  .object({
    seq: z.number().int(),
    nodeId: z.string(),
    nodeType: z.string(),
    status: z.string(),
    port: z.string().nullable(),
    choice: z.string().nullable(),
    error: z.string().nullable(),
    at: z.number(),
  })
  .openapi('ExportStep');

const exportRunSchema = z
  .object({
    id: z.string(),
    conversationId: z.string(),
    flowId: z.string(),
    version: z.number().int(),
    status: z.string(),
    nodeId: z.string().nullable(),
    error: z.string().nullable(),
    triggeredAt: z.number(),
    startedAt: z.number().nullable(),
    endedAt: z.number().nullable(),
    steps: z.array(exportStepSchema),
  })
  .openapi('ExportRun');

export const contactExportSchema = z
  .object({
    format: z.literal('edgepilot.contact-export.v1'),
    exportedAt: z.number(),
    contact: z.object({
      id: z.string(),
      externalId: z.string().nullable(),
      email: z.string().nullable(),
      name: z.string().nullable(),
      companyId: z.string().nullable().openapi({
        description: "The contact's company link (`/companies/{id}`), not the company",
      }),
      data: json.openapi({ description: 'Every stored field (phone, tags, custom fields, …)' }),
      createdAt: z.number(),
      updatedAt: z.number(),
    }),
    conversations: z.array(exportConversationSchema),
    runs: z
      .array(exportRunSchema)
      .openapi({ description: 'Flow runs (enrollments) and their steps' }),
    emails: z.array(
      z.object({
        id: z.string(),
        conversationId: z.string().nullable(),
        to: z.string(),
        subject: z.string(),
        data: json,
        createdAt: z.number(),
      }),
    ),
    records: z.array(
      z.object({
        id: z.string(),
        conversationId: z.string().nullable(),
        kind: z.string(),
        data: json,
        createdAt: z.number(),
      }),
    ),
    truncated: z.boolean().openapi({
      description:
        "True when a list reached its bound, or a conversation's transcript starts after its first message (past 10,000 messages or 4,000,000 characters: the newest are kept; see README, Privacy); nothing is silently cut",
    }),
  })
  .openapi('ContactExport');
export type ContactExport = z.infer<typeof contactExportSchema>;
