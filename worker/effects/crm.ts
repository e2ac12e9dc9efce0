/**
 * CRM writes of flows, all to D1 and all idempotent per step: records are keyed by the step's
 * idempotency key, contacts and tags are upserts, so re-running a step after eviction is
 * harmless. Contacts are the admin API's `/contacts` documents.
 */
import type { IoEffect } from '../../shared/engine/types.ts';
import type { EffectContext } from './context.ts';
import type { EffectResult } from './effect-result.ts';

type Of<T extends IoEffect['type']> = Extract<IoEffect, { type: T }>;

/** The contact row a conversation writes to: the identified contact, else one per visitor. */
export function contactIdOf(ctx: Pick<EffectContext, 'visitorId'>): string {
  return `${VISITOR_CONTACT_PREFIX}${ctx.visitorId}`;
}

const VISITOR_CONTACT_PREFIX = 'ct_';

/**
 * SQL true for a contact whose email is the person's own: a verified one (its `external_id`)
 * or one an admin made. An anonymous visitor's row (`ct_…`, no `external_id`) holds only what
 * they typed, a claim: it never takes an email from anyone (the unique index `contacts_email`
 * covers owning contacts only, migration 0009) and its email never finds anyone else's data.
 */
export const OWNS_EMAIL_SQL = `(external_id IS NOT NULL OR substr(id, 1, 3) <> '${VISITOR_CONTACT_PREFIX}')`;

/** `OWNS_EMAIL_SQL` for a row already read. */
export function ownsEmail(row: { id: string; external_id: string | null }): boolean {
  return row.external_id !== null || !row.id.startsWith(VISITOR_CONTACT_PREFIX);
}

/**
 * The visitor a `contactIdOf` id was made for (null for other contact ids). An anonymous
 * visitor's contact is theirs alone; a verified contact's id is found by its `external_id`.
 */
export function visitorOfContact(contactId: string): string | null {
  return contactId.startsWith(VISITOR_CONTACT_PREFIX)
    ? contactId.slice(VISITOR_CONTACT_PREFIX.length)
    : null;
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

/** Ensures the conversation's contact document exists (admin `/contacts` shape); returns it. */
export async function ensureContact(ctx: EffectContext): Promise<{ id: string; data: ContactDoc }> {
  const db = ctx.env.DB;
  const find = () =>
    ctx.userId
      ? db
          .prepare('SELECT id, data FROM contacts WHERE workspace_id = ? AND external_id = ?')
          .bind(ctx.workspaceId, ctx.userId)
      : db
          .prepare('SELECT id, data FROM contacts WHERE workspace_id = ? AND id = ?')
          .bind(ctx.workspaceId, contactIdOf(ctx));
  let row = await find().first<{ id: string; data: string }>();
  if (!row) {
    const data: ContactDoc = ctx.userId ? { externalId: ctx.userId } : {};
    await db
      .prepare(
        `INSERT INTO contacts (id, workspace_id, external_id, email, name, data, created_at, updated_at)
         VALUES (?, ?, ?, NULL, NULL, ?, ?, ?) ON CONFLICT DO NOTHING`,
      )
      .bind(contactIdOf(ctx), ctx.workspaceId, ctx.userId, JSON.stringify(data), ctx.now, ctx.now)
      .run();
    row = await find().first<{ id: string; data: string }>();
  }
  if (!row) throw new Error('contact could not be created');
  return { id: row.id, data: JSON.parse(row.data) as ContactDoc };
}

export interface ContactDoc {
  externalId?: string;
  email?: string;
  name?: string;
  phone?: string;
  tags?: string[];
  fields?: Record<string, unknown>;
}

export async function saveContact(ctx: EffectContext, id: string, data: ContactDoc): Promise<void> {
  await ctx.env.DB.prepare(
    'UPDATE contacts SET email = ?, name = ?, data = ?, updated_at = ? WHERE id = ? AND workspace_id = ?',
  )
    .bind(data.email ?? null, data.name ?? null, JSON.stringify(data), ctx.now, id, ctx.workspaceId)
    .run();
}

export async function runUpdateContact(
  effect: Of<'update_contact'>,
  ctx: EffectContext,
): Promise<EffectResult> {
  const { email, name, phone, ...rest } = effect.fields;
  const contact = await ensureContact(ctx);
  const data: ContactDoc = {
    ...contact.data,
    ...(email ? { email: email.trim().toLowerCase() } : {}),
    ...(name ? { name } : {}),
    ...(phone ? { phone } : {}),
    fields: { ...(contact.data.fields ?? {}), ...rest },
  };
  try {
    await saveContact(ctx, contact.id, data);
  } catch (error) {
    // The unique email index: another owning contact (verified, or made by an admin) has it.
    return { ok: false, error: /UNIQUE/i.test(String(error)) ? 'email_taken' : 'update_failed' };
  }
  return { ok: true, data: { id: contact.id } };
}

export async function runTags(
  effect: Of<'add_tag' | 'remove_tag'>,
  ctx: EffectContext,
): Promise<EffectResult> {
  const contact = await ensureContact(ctx);
  const tags = effect.tags.map((tag) => tag.trim()).filter((tag) => tag && tag.length <= 100);
  const current = new Set(contact.data.tags ?? []);
  for (const tag of tags) {
    if (effect.type === 'add_tag') current.add(tag);
    else current.delete(tag);
  }
  await saveContact(ctx, contact.id, { ...contact.data, tags: [...current].slice(0, 100) });
  return { ok: true, data: { id: contact.id } };
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
