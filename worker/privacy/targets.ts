/**
 * Who an erasure or export is about, and where their data lives: the conversations (found in
 * the D1 index and, since the index is fed by a queue that may lag, derived from the ids the
 * session route would give them on every pilot of the workspace), plus what else names them.
 */
import { contactVisitorId, conversationIdFor } from '../auth/visitor-token.ts';
import { contactIdOf, ownsEmail, visitorOfContact } from '../effects/crm.ts';
import { type AppEnv, sessionSecret } from '../env.ts';

/** Bounds one person's footprint per request (more are erased by calling again). */
export const MAX_CONVERSATIONS = 500;
/** Pilots of one workspace whose derived conversation ids are checked. */
export const MAX_PILOTS = 200;

export interface ConversationRef {
  id: string;
  pilotId: string;
}

/** What names the person outside their conversations. */
export interface Targets {
  contactId: string | null;
  /** The person's own address (an owning contact's), whose emails are theirs wherever sent from. */
  email: string | null;
  /** `records.data.contactId` values (`ct_<visitorId>`) and claim subjects of the person. */
  recordContactIds: string[];
  subjects: string[];
}

export interface Plan {
  conversations: ConversationRef[];
  targets: Targets;
}

export type Subject =
  | { kind: 'contact'; id: string }
  | { kind: 'visitor'; id: string }
  | { kind: 'conversation'; id: string };

interface ContactRow {
  id: string;
  external_id: string | null;
  email: string | null;
}

async function pilotIds(env: AppEnv, workspaceId: string): Promise<string[]> {
  const { results } = await env.DB.prepare(
    'SELECT id FROM pilots WHERE workspace_id = ? ORDER BY id LIMIT ?',
  )
    .bind(workspaceId, MAX_PILOTS)
    .all<{ id: string }>();
  return results.map((row) => row.id);
}

/** Conversations of the index matching `column = value` in the workspace. */
async function indexed(
  env: AppEnv,
  workspaceId: string,
  column: 'user_id' | 'visitor_id' | 'id',
  value: string,
): Promise<ConversationRef[]> {
  const { results } = await env.DB.prepare(
    `SELECT id, pilot_id FROM conversations WHERE workspace_id = ? AND ${column} = ? LIMIT ?`,
  )
    .bind(workspaceId, value, MAX_CONVERSATIONS)
    .all<{ id: string; pilot_id: string }>();
  return results.map((row) => ({ id: row.id, pilotId: row.pilot_id }));
}

/** Derived ids whose object exists and belongs to the workspace (the queue may not have run). */
async function derived(
  env: AppEnv,
  workspaceId: string,
  visitorIdOf: (pilotId: string) => Promise<string>,
): Promise<ConversationRef[]> {
  const secret = sessionSecret(env);
  const refs: ConversationRef[] = [];
  for (const pilotId of await pilotIds(env, workspaceId)) {
    const id = await conversationIdFor(pilotId, await visitorIdOf(pilotId), secret);
    const described = await env.CONVERSATION.get(env.CONVERSATION.idFromName(id)).describe();
    if (described?.workspaceId === workspaceId) refs.push({ id, pilotId });
  }
  return refs;
}

function unique(refs: ConversationRef[]): ConversationRef[] {
  const byId = new Map(refs.map((ref) => [ref.id, ref]));
  return [...byId.values()].slice(0, MAX_CONVERSATIONS);
}

/** What to erase or export for `subject`; null when the workspace holds nothing of theirs. */
export async function planFor(
  env: AppEnv,
  workspaceId: string,
  subject: Subject,
): Promise<Plan | null> {
  if (subject.kind === 'contact') return contactPlan(env, workspaceId, subject.id);
  if (subject.kind === 'visitor') {
    const visitorId = subject.id;
    const conversations = await visitorConversations(env, workspaceId, visitorId);
    // The contact a flow wrote for this anonymous visitor (`update_contact`, tags, a form):
    // their email, name and fields. Found even when their conversations are already gone.
    const contact = await env.DB.prepare(
      `SELECT id, external_id, COALESCE(email, json_extract(data, '$.email')) AS email
       FROM contacts WHERE workspace_id = ? AND id = ? AND external_id IS NULL`,
    )
      .bind(workspaceId, contactIdOf({ visitorId }))
      .first<ContactRow>();
    if (conversations.length === 0 && !contact) return null;
    const targets: Targets = {
      contactId: contact?.id ?? null,
      // What an anonymous visitor typed is a claim: it finds nothing beyond their conversations.
      email: null,
      recordContactIds: [contactIdOf({ visitorId })],
      subjects: [`visitor:${visitorId}`],
    };
    return { conversations, targets };
  }
  const conversations = await indexed(env, workspaceId, 'id', subject.id);
  if (conversations.length === 0) {
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(subject.id));
    const described = await stub.describe();
    if (described?.workspaceId !== workspaceId) return null;
    conversations.push({ id: subject.id, pilotId: described.pilotId });
  }
  return {
    conversations,
    targets: { contactId: null, email: null, recordContactIds: [], subjects: [] },
  };
}

/** A visitor's conversations: the index's, and the derived ids the queue may not have indexed. */
async function visitorConversations(env: AppEnv, workspaceId: string, visitorId: string) {
  return unique([
    ...(await indexed(env, workspaceId, 'visitor_id', visitorId)),
    ...(await derived(env, workspaceId, async () => visitorId)),
  ]);
}

async function contactPlan(env: AppEnv, workspaceId: string, contactId: string) {
  const contact = await env.DB.prepare(
    `SELECT id, external_id, COALESCE(email, json_extract(data, '$.email')) AS email
     FROM contacts WHERE workspace_id = ? AND id = ?`,
  )
    .bind(workspaceId, contactId)
    .first<ContactRow>();
  if (!contact) return null;
  const externalId = contact.external_id;
  const visitorId = ownsEmail(contact) ? null : visitorOfContact(contact.id);
  if (visitorId) {
    // An anonymous visitor's contact (a flow wrote it): the person is that visitor, and their
    // conversations are what named them there. Its email is only a claim, so emails to that
    // address from other conversations are not theirs (theirs go with their conversations).
    return {
      conversations: await visitorConversations(env, workspaceId, visitorId),
      targets: {
        contactId: contact.id,
        email: null,
        recordContactIds: [contact.id],
        subjects: [`visitor:${visitorId}`],
      },
    };
  }
  const secret = sessionSecret(env);
  const conversations = externalId
    ? unique([
        ...(await indexed(env, workspaceId, 'user_id', externalId)),
        ...(await derived(env, workspaceId, (pilotId) =>
          contactVisitorId(pilotId, externalId, secret),
        )),
      ])
    : [];
  const visitorIds = externalId
    ? await Promise.all(
        (await pilotIds(env, workspaceId)).map((p) => contactVisitorId(p, externalId, secret)),
      )
    : [];
  const targets: Targets = {
    contactId: contact.id,
    email: contact.email,
    recordContactIds: visitorIds.map((v) => `ct_${v}`),
    subjects: externalId ? [`contact:${externalId}`] : [],
  };
  return { conversations, targets };
}
