/**
 * `capture_contact`, `capture_company` and `update_company`: the form values a visitor sent
 * (already checked by the engine) saved to D1, idempotent per step like the other CRM writes.
 *
 * Identity (SPEC 3.1, issue 12): the conversation's contact is the verified one (the userId the
 * visitor token proves) or the anonymous visitor's own row. An email typed into a form is a
 * claim, not a proof: if another owning contact (verified, or made by an admin) already holds
 * it, that contact is never linked, read or changed — the visitor's own row keeps the claim as
 * `fields.claimedEmail` and the visitor sees the same outcome either way (the form does not
 * reveal whether an email is known). An anonymous row's email holds nothing back from anyone.
 */
import type { IoEffect } from '../../shared/engine/types.ts';
import { sha256Hex } from '../auth/hash.ts';
import { MAX_CONTACT_FIELDS } from '../conversation/contact-attributes.ts';
import {
  COMPANIES,
  companyOfContact,
  getDoc,
  insertDoc,
  linkCompany,
  MAX_COMPANY_FIELDS,
  updateDoc,
} from '../store/workspace-docs.ts';
import type { EffectContext } from './context.ts';
import { type ContactDoc, ensureContact, OWNS_EMAIL_SQL, saveContact } from './crm.ts';
import type { EffectResult } from './effect-result.ts';

type Of<T extends IoEffect['type']> = Extract<IoEffect, { type: T }>;

export async function runCaptureContact(
  effect: Of<'capture_contact'>,
  ctx: EffectContext,
): Promise<EffectResult> {
  const { email, name, phone, ...rest } = effect.fields;
  const contact = await ensureContact(ctx);
  const fields: Record<string, unknown> = { ...(contact.data.fields ?? {}), ...rest };
  const data: ContactDoc = {
    ...contact.data,
    ...(name ? { name } : {}),
    ...(phone ? { phone } : {}),
  };
  const claimed = email?.trim().toLowerCase();
  let linked = ctx.userId !== null;
  if (claimed && claimed !== contact.data.email) {
    // Only an owning contact holds an email: an anonymous visitor who typed it first (a claim
    // too) does not keep the person, or another visitor, from it.
    const holder = await ctx.env.DB.prepare(
      `SELECT id FROM contacts WHERE workspace_id = ? AND email = ? AND ${OWNS_EMAIL_SQL}`,
    )
      .bind(ctx.workspaceId, claimed)
      .first<{ id: string }>();
    // Another contact has this email: a claim only, never merged into or linked to it.
    if (holder && holder.id !== contact.id) {
      fields.claimedEmail = claimed;
      linked = false;
    } else data.email = claimed;
  }
  data.fields = fields;
  if (Object.keys(fields).length + 3 > MAX_CONTACT_FIELDS)
    return { ok: false, error: 'too_many_fields' };
  try {
    await saveContact(ctx, contact.id, data);
  } catch (error) {
    // The email was taken between the check and the write: keep it as a claim.
    if (!/UNIQUE/i.test(String(error))) return { ok: false, error: 'capture_failed' };
    const { email: _taken, ...kept } = data;
    await saveContact(ctx, contact.id, { ...kept, fields: { ...fields, claimedEmail: claimed } });
    linked = false;
  }
  return { ok: true, data: { id: contact.id, linked } };
}

/** A company as flows see it: `company.name`, `company.domain`, `company.<field>`. */
function flat(data: Record<string, unknown>): Record<string, unknown> {
  const { fields, ...named } = data;
  return { ...(fields as Record<string, unknown> | undefined), ...named };
}

/**
 * The contact's company with `fields` written (null clears one), created and linked when the
 * contact has none. The new company's id comes from the step's key, so a retry finds it.
 */
async function writeCompany(
  ctx: EffectContext,
  key: string,
  values: Record<string, string | number | null>,
): Promise<EffectResult> {
  const contact = await ensureContact(ctx);
  let companyId = await companyOfContact(ctx.env, ctx.workspaceId, contact.id);
  const existing = companyId ? await getDoc(ctx.env, COMPANIES, ctx.workspaceId, companyId) : null;
  const data: Record<string, unknown> = { ...(existing?.data ?? {}) };
  const fields: Record<string, unknown> = { ...((data.fields as object | undefined) ?? {}) };
  for (const [name, value] of Object.entries(values)) {
    const into = name === 'name' || name === 'domain' ? data : fields;
    if (value === null) delete into[name];
    else into[name] = name === 'domain' ? String(value).toLowerCase() : value;
  }
  if (Object.keys(fields).length > MAX_COMPANY_FIELDS)
    return { ok: false, error: 'too_many_fields' };
  data.fields = fields;
  if (typeof data.name !== 'string' || data.name === '')
    data.name = typeof data.domain === 'string' ? data.domain : 'Unnamed company';
  const now = ctx.now;
  if (existing) {
    await updateDoc(ctx.env, COMPANIES, ctx.workspaceId, { ...existing, data, updatedAt: now });
  } else {
    companyId = `company_${(await sha256Hex(key)).slice(0, 24)}`;
    const found = await getDoc(ctx.env, COMPANIES, ctx.workspaceId, companyId);
    if (!found)
      await insertDoc(ctx.env, COMPANIES, ctx.workspaceId, {
        id: companyId,
        data,
        createdAt: now,
        updatedAt: now,
      });
    await linkCompany(ctx.env, ctx.workspaceId, contact.id, companyId);
  }
  return { ok: true, data: { id: companyId, company: flat(data) } };
}

export function runCaptureCompany(
  effect: Of<'capture_company'>,
  ctx: EffectContext,
): Promise<EffectResult> {
  return writeCompany(ctx, effect.idempotencyKey, effect.fields);
}

export function runUpdateCompany(
  effect: Of<'update_company'>,
  ctx: EffectContext,
): Promise<EffectResult> {
  return writeCompany(ctx, effect.idempotencyKey, effect.fields);
}
