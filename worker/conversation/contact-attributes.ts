/**
 * The attributes `identify` / `update` frames set on the conversation's contact. Each frame is
 * small, but they add up: without a bound a visitor could grow the stored contact with fresh
 * field names frame after frame until every turn (which reads it) crawls and the row no longer
 * fits. Pure: the caller stores the result or refuses the frame.
 */
import type { ClientFrame } from '../../shared/protocol.ts';

/** Most attributes one contact carries (email, name, phone and custom fields together). */
export const MAX_CONTACT_FIELDS = 100;
/** Most characters of the stored contact, as JSON. */
export const MAX_CONTACT_CHARS = 32 * 1024;

type IdentifyContact = Extract<ClientFrame, { type: 'identify' }>['contact'];

export type ContactMerge =
  | { ok: true; contact: Record<string, unknown> }
  | { ok: false; message: string };

/** `current` with the frame's attributes set, or why that would pass the bounds. */
export function mergeContact(
  current: Record<string, unknown>,
  update: IdentifyContact,
): ContactMerge {
  const { fields, ...named } = update;
  const contact = { ...current, ...fields, ...named };
  const count = Object.keys(contact).length;
  if (count > MAX_CONTACT_FIELDS)
    return {
      ok: false,
      message: `contact.fields: a contact has at most ${MAX_CONTACT_FIELDS} attributes (this would make ${count})`,
    };
  const chars = JSON.stringify(contact).length;
  if (chars > MAX_CONTACT_CHARS)
    return {
      ok: false,
      message: `contact: a contact's attributes take at most ${MAX_CONTACT_CHARS} characters (this would make ${chars})`,
    };
  return { ok: true, contact };
}
