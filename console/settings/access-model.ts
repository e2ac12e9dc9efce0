/** API key scopes and team membership, as the API keys and Team pages show them. Pure. */
import type { components } from '../api/client.ts';

type Scope = components['schemas']['ApiKey']['scopes'][number];
type User = components['schemas']['User'];

export const SCOPE_CHOICES: readonly { scope: Scope; label: string; hint: string }[] = [
  { scope: 'read', label: 'Read', hint: 'GET requests: lists, logs, insights' },
  { scope: 'write', label: 'Write', hint: 'Every other request: create, change, delete, publish' },
];

/** "read, write" in a stable order; at least one scope must be chosen. */
export function scopesText(scopes: readonly Scope[]): string {
  return SCOPE_CHOICES.filter((c) => scopes.includes(c.scope))
    .map((c) => c.scope)
    .join(', ');
}

/** Toggles `scope` in `scopes`, keeping the stable order. */
export function toggleScope(scopes: readonly Scope[], scope: Scope, on: boolean): Scope[] {
  const next = new Set(scopes);
  if (on) next.add(scope);
  else next.delete(scope);
  return SCOPE_CHOICES.map((c) => c.scope).filter((s) => next.has(s));
}

/** Team members' names (an id whose user is gone or not loaded is shown as the id). */
export function memberNames(members: readonly string[], users: readonly User[]): string {
  if (members.length === 0) return 'Nobody';
  const byId = new Map(users.map((u) => [u.id, u.name]));
  return members.map((id) => byId.get(id) ?? id).join(', ');
}

/** A date like "26 Nov 2026" in the browser's locale and zone. */
export function shortDate(ms: number, locale?: string): string {
  return new Date(ms).toLocaleDateString(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
  });
}
