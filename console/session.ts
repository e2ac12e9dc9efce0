/**
 * Who is signed in: the admin API key, held in a signal. It is also kept in this tab's
 * sessionStorage so a reload does not sign the admin out; never in a URL, never in
 * localStorage (which outlives the tab and is shared by every tab). Why sessionStorage is
 * acceptable: the console runs under a CSP that allows only its own scripts, and any script
 * able to read sessionStorage could equally read the key from memory by wrapping `fetch`.
 */
import { computed, signal } from '@preact/signals';
import { type ApiClient, createApiClient } from './api/client.ts';
import { type ApiFailure, unwrap } from './api/errors.ts';

const STORAGE_KEY = 'edgepilot.admin-key';

/** The key of the signed-in admin, or null. */
export const adminKey = signal<string | null>(readStoredKey());

/** Why the admin was signed out without asking (a revoked key), shown on the sign-in page. */
export const signOutReason = signal<string | null>(null);

/**
 * A client for the signed-in key (one per key, so requests share it). Any 401 means the key
 * no longer works (revoked, or the secret rotated): sign out at once rather than leave every
 * page failing.
 */
export const apiClient = computed<ApiClient | null>(() => {
  const key = adminKey.value;
  if (!key) return null;
  const client = createApiClient(key);
  client.use({
    onResponse({ response }) {
      if (response.status === 401 && adminKey.value === key) {
        signOut('The server refused your key (revoked or replaced): sign in again.');
      }
    },
  });
  return client;
});

function readStoredKey(): string | null {
  try {
    return globalThis.sessionStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

/**
 * Checks `key` with a cheap authenticated read (one pilot), then signs in. A refused key
 * returns the failure and leaves the session signed out.
 */
export async function signIn(key: string): Promise<ApiFailure | null> {
  const trimmed = key.trim();
  const client = createApiClient(trimmed);
  const result = await unwrap(client.GET('/pilots', { params: { query: { limit: 1 } } }));
  if (!result.ok) return result.failure;
  try {
    sessionStorage.setItem(STORAGE_KEY, trimmed);
  } catch {
    // Storage disabled: the key stays in memory only; a reload asks again.
  }
  signOutReason.value = null;
  adminKey.value = trimmed;
  return null;
}

/** Forgets the key everywhere it was kept; `reason` is shown when it was not the admin's choice. */
export function signOut(reason: string | null = null): void {
  signOutReason.value = reason;
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing was stored.
  }
  adminKey.value = null;
}
