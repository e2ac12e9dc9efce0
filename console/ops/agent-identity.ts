/**
 * Which team member this tab answers as. An admin key is not a person, so the inbox asks: the
 * chosen user is sent with replies (the conversation is assigned to them), sets their presence
 * (which availability settings and round-robin assignment read) and filters "assigned to me".
 * Kept in this tab's sessionStorage (a user id, not a secret).
 */
import { signal } from '@preact/signals';

const KEY = 'edgepilot.agent';

function stored(): string {
  try {
    return globalThis.sessionStorage?.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

/** The chosen user's id, or '' for nobody. */
export const agentId = signal<string>(stored());

export function chooseAgent(id: string): void {
  agentId.value = id;
  try {
    if (id) sessionStorage.setItem(KEY, id);
    else sessionStorage.removeItem(KEY);
  } catch {
    // Not remembered across reloads; still used in this page.
  }
}

/** How the conversation's `assignee` names a user (worker/conversation/runtime.ts). */
export const assigneeOf = (userId: string) => `user:${userId}`;
