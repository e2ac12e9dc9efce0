/**
 * Agents' presence (`PUT /v1/admin/users/:userId/presence`): one row per user, read back by
 * effects/agents.ts, where `online` makes a user an available agent.
 */
import type { AppEnv } from '../env.ts';

export const PRESENCE_STATUSES = ['online', 'away', 'offline'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

/** Whether `userId` is a user of this workspace. */
export async function userExists(env: AppEnv, workspaceId: string, userId: string) {
  const row = await env.DB.prepare('SELECT id FROM users WHERE id = ? AND workspace_id = ?')
    .bind(userId, workspaceId)
    .first();
  return row !== null;
}

export async function setPresence(
  env: AppEnv,
  workspaceId: string,
  userId: string,
  status: PresenceStatus,
  now: number,
): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO presence (workspace_id, user_id, status, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT(workspace_id, user_id) DO UPDATE SET status = excluded.status, updated_at = excluded.updated_at`,
  )
    .bind(workspaceId, userId, status, now)
    .run();
}
