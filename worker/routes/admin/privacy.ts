/**
 * Privacy operations (GDPR art. 15, 17, 20; CCPA): erase a contact, an anonymous visitor or
 * one conversation everywhere it is held, and export everything held about a contact. Erasure
 * is a resumable job (worker/privacy/erasure-job.ts): calling again resumes or, once done,
 * answers `already_erased`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AdminEnv, adminRouter, errors, idParam, json } from '../../http/openapi.ts';
import { runErasure } from '../../privacy/erasure-job.ts';
import { exportContact } from '../../privacy/export.ts';
import { contactExportSchema } from '../../privacy/export-schema.ts';
import { erasureReceiptSchema } from '../../privacy/receipt.ts';

export const privacyRoutes = adminRouter();

const receiptResponses = {
  200: json(erasureReceiptSchema, 'Erased (or already erased): what was removed'),
  202: json(erasureReceiptSchema, 'Partly erased: call again to resume (`remaining` > 0)'),
  ...errors(404),
};

/** Runs (or resumes) the erasure of `subject`: 202 while conversations remain, else 200. */
async function erase(
  c: Context<AdminEnv>,
  kind: 'contact' | 'visitor' | 'conversation',
  id: string,
) {
  const receipt = await runErasure(c.env, c.get('principal').workspaceId, { kind, id });
  return c.json(receipt, receipt.status === 'in_progress' ? 202 : 200);
}

const contactParams = z.object({ contactId: idParam('contactId') }).strict();
const visitorParams = z.object({ visitorId: idParam('visitorId') }).strict();
const conversationParams = z.object({ conversationId: idParam('conversationId') }).strict();

privacyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/contacts/{contactId}/erase',
    operationId: 'eraseContact',
    tags: ['Privacy'],
    summary: 'Erase a contact everywhere: their row, conversations, runs, emails, records',
    request: { params: contactParams },
    responses: receiptResponses,
  }),
  (c) => erase(c, 'contact', c.req.valid('param').contactId),
);

privacyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/visitors/{visitorId}/erase',
    operationId: 'eraseVisitor',
    tags: ['Privacy'],
    summary: 'Erase an anonymous visitor (by the visitor id the admin API shows) everywhere',
    request: { params: visitorParams },
    responses: receiptResponses,
  }),
  (c) => erase(c, 'visitor', c.req.valid('param').visitorId),
);

privacyRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/conversations/{conversationId}',
    operationId: 'deleteConversation',
    tags: ['Privacy'],
    summary: 'Delete one conversation everywhere (the same erasure as a person’s)',
    request: { params: conversationParams },
    responses: receiptResponses,
  }),
  (c) => erase(c, 'conversation', c.req.valid('param').conversationId),
);

privacyRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/contacts/{contactId}/export',
    operationId: 'exportContact',
    tags: ['Privacy'],
    summary: 'Everything held about a contact, as one JSON document',
    request: { params: contactParams },
    responses: { 200: json(contactExportSchema), ...errors(404) },
  }),
  async (c) => {
    const document = await exportContact(
      c.env,
      c.get('principal').workspaceId,
      c.req.valid('param').contactId,
    );
    return c.json(document, 200);
  },
);
