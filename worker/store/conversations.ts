/**
 * The conversation list as the admin API reads it: D1's `conversations` table, which the events
 * queue consumer keeps (queue/consumer.ts). One conversation's transcript lives in its Durable
 * Object, not here.
 */
import type { AppEnv } from '../env.ts';
import { type Cursor, keyset, type Page, toPage } from './keyset.ts';

export interface ConversationRow {
  id: string;
  pilot_id: string;
  visitor_id: string;
  user_id: string | null;
  status: 'open' | 'closed';
  mode: 'pilot' | 'agent';
  assignee: string | null;
  page_url: string | null;
  last_message: string | null;
  last_message_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface ConversationFilter {
  pilotId?: string | undefined;
  status?: 'open' | 'closed' | undefined;
  mode?: 'pilot' | 'agent' | undefined;
  assignee?: string | undefined;
}

/** One page of a workspace's conversations, most recently active first. */
export async function listConversations<T>(
  env: AppEnv,
  workspaceId: string,
  filter: ConversationFilter,
  page: { cursor: Cursor | null; limit: number },
  view: (row: ConversationRow) => T,
): Promise<Page<T>> {
  const { limit } = page;
  const set = keyset(page.cursor, limit, 'updated_at', true);
  const filters = ['workspace_id = ?', set.where];
  const binds: (string | number)[] = [workspaceId, ...set.binds];
  // Equality filters; `mode` and `assignee` have their own indexes (migration 0010).
  const equal = [
    ['pilot_id', filter.pilotId],
    ['status', filter.status],
    ['mode', filter.mode],
    ['assignee', filter.assignee],
  ] as const;
  for (const [column, value] of equal) {
    if (!value) continue;
    filters.push(`${column} = ?`);
    binds.push(value);
  }
  const { results } = await env.DB.prepare(
    `SELECT * FROM conversations WHERE ${filters.join(' AND ')}${set.tail}`,
  )
    .bind(...binds)
    .all<ConversationRow>();
  return toPage(results, limit, (row) => ({ k: row.updated_at, id: row.id }), view);
}
