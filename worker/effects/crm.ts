/**
 * CRM writes of flows, all to D1 and all idempotent per step: records are keyed by the step's
 * idempotency key, contacts and tags are upserts, so re-running a step after eviction is
 * harmless.
 */
import type { IoEffect } from '../../shared/engine/types.ts';
import type { EffectResult } from '../conversation/storage.ts';
import type { EffectContext } from './context.ts';

type Of<T extends IoEffect['type']> = Extract<IoEffect, { type: T }>;

/** The contact row a conversation writes to: the identified contact, else one per visitor. */
export function contactIdOf(ctx: Pick<EffectContext, 'visitorId'>): string {
  return `ct_${ctx.visitorId}`;
}

export async function runCreateRecord(
  effect: Of<'create_record'>,
  ctx: EffectContext,
): Promise<EffectResult> {
  const id = `rec_${effect.idempotencyKey}`;
  const data = { ...effect.fields, contactId: contactIdOf(ctx), runId: ctx.runId };
  await ctx.env.DB.prepare(
    `INSERT INTO records (id, workspace_id, pilot_id, conversation_id, kind, data, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
  )
    .bind(
      id,
      ctx.workspaceId,
      ctx.pilotId,
      ctx.conversationId,
      effect.kind,
      JSON.stringify(data),
      ctx.now,
    )
    .run();
  return { ok: true, data: { id } };
}

/** Ensures the conversation's contact row exists; returns its id. */
async function ensureContact(ctx: EffectContext): Promise<string> {
  const id = contactIdOf(ctx);
  if (ctx.userId) {
    const existing = await ctx.env.DB.prepare(
      'SELECT id FROM contacts WHERE workspace_id = ? AND external_id = ?',
    )
      .bind(ctx.workspaceId, ctx.userId)
      .first<{ id: string }>();
    if (existing) return existing.id;
  }
  await ctx.env.DB.prepare(
    `INSERT INTO contacts (id, workspace_id, external_id, email, name, data, created_at, updated_at)
     VALUES (?, ?, ?, NULL, NULL, '{}', ?, ?) ON CONFLICT DO NOTHING`,
  )
    .bind(id, ctx.workspaceId, ctx.userId, ctx.now, ctx.now)
    .run();
  return id;
}

export async function runUpdateContact(
  effect: Of<'update_contact'>,
  ctx: EffectContext,
): Promise<EffectResult> {
  const { email, name, ...rest } = effect.fields;
  const id = await ensureContact(ctx);
  try {
    await ctx.env.DB.prepare(
      `UPDATE contacts SET email = COALESCE(?, email), name = COALESCE(?, name),
         data = json_patch(data, ?), updated_at = ? WHERE id = ?`,
    )
      .bind(email || null, name || null, JSON.stringify(rest), ctx.now, id)
      .run();
  } catch (error) {
    // The unique email index: another contact already has this email.
    return { ok: false, error: /UNIQUE/i.test(String(error)) ? 'email_taken' : 'update_failed' };
  }
  return { ok: true, data: { id } };
}

export async function runTags(effect: Of<'add_tag' | 'remove_tag'>, ctx: EffectContext) {
  const id = await ensureContact(ctx);
  const tags = effect.tags
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0 && tag.length <= 100);
  if (tags.length === 0) return { ok: true, data: { id } };
  const statements = tags.map((tag) =>
    effect.type === 'add_tag'
      ? ctx.env.DB.prepare(
          'INSERT INTO contact_tags (workspace_id, contact_id, tag, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
        ).bind(ctx.workspaceId, id, tag, ctx.now)
      : ctx.env.DB.prepare(
          'DELETE FROM contact_tags WHERE workspace_id = ? AND contact_id = ? AND tag = ?',
        ).bind(ctx.workspaceId, id, tag),
  );
  await ctx.env.DB.batch(statements);
  return { ok: true, data: { id } };
}

/** `assign` to a user or team of the workspace (round robin was resolved by the engine). */
export async function runAssign(effect: Of<'assign'>, ctx: EffectContext): Promise<EffectResult> {
  const to = effect.to;
  const table = to.kind === 'user' ? 'users' : 'teams';
  const id = to.kind === 'user' ? to.userId : to.teamId;
  const row = await ctx.env.DB.prepare(`SELECT id FROM ${table} WHERE id = ? AND workspace_id = ?`)
    .bind(id, ctx.workspaceId)
    .first();
  if (!row) return { ok: false, error: `unknown_${to.kind}` };
  return { ok: true, data: to.kind === 'user' ? { userId: id } : { teamId: id } };
}
