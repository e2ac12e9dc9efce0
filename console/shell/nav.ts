/**
 * The left navigation, as data: one line per page. A page of the console adds its entry here
 * (and its route in app.tsx); only pages that exist are listed.
 */
export interface NavItem {
  label: string;
  href: string;
  /** Paths that mark this entry as the current page (prefix match). */
  matches: string[];
}

export const navItems: readonly NavItem[] = [
  { label: 'Flows', href: '/admin/flows', matches: ['/admin/flows', '/admin'] },
  { label: 'Inbox', href: '/admin/inbox', matches: ['/admin/inbox'] },
  { label: 'Live view', href: '/admin/live', matches: ['/admin/live'] },
  { label: 'Enrollment logs', href: '/admin/runs', matches: ['/admin/runs'] },
  { label: 'Insights', href: '/admin/insights', matches: ['/admin/insights'] },
  { label: 'Pilots', href: '/admin/pilots', matches: ['/admin/pilots'] },
  { label: 'Intents', href: '/admin/intents', matches: ['/admin/intents'] },
  { label: 'Entities and variables', href: '/admin/entities', matches: ['/admin/entities'] },
  { label: 'Knowledge', href: '/admin/knowledge', matches: ['/admin/knowledge'] },
  { label: 'Team', href: '/admin/team', matches: ['/admin/team'] },
  { label: 'API keys', href: '/admin/api-keys', matches: ['/admin/api-keys'] },
];

/** The entry for `path`: the longest matching prefix wins (`/admin` only matches itself). */
export function currentNavItem(path: string, items: readonly NavItem[] = navItems): NavItem | null {
  let best: { item: NavItem; length: number } | null = null;
  for (const item of items) {
    for (const prefix of item.matches) {
      const hit =
        prefix === '/admin' ? path === prefix : path === prefix || path.startsWith(`${prefix}/`);
      if (hit && (!best || prefix.length > best.length)) best = { item, length: prefix.length };
    }
  }
  return best?.item ?? null;
}
