/**
 * Human agents as the engine sees them: the workspace's users, their presence
 * (store/presence.ts) and team memberships. Read from D1 only when a flow
 * needs them (availability settings, check_availability, assign, handover, `agents.*`).
 */
import type { AgentInfo } from '../../shared/engine/types.ts';
import type { AppEnv } from '../env.ts';

export async function loadAgents(env: AppEnv, workspaceId: string): Promise<AgentInfo[]> {
  const [users, teams] = await env.DB.batch([
    env.DB.prepare(
      `SELECT u.id AS id, COALESCE(p.status, 'offline') AS status FROM users u
         LEFT JOIN presence p ON p.workspace_id = u.workspace_id AND p.user_id = u.id
        WHERE u.workspace_id = ?`,
    ).bind(workspaceId),
    env.DB.prepare('SELECT id, data FROM teams WHERE workspace_id = ?').bind(workspaceId),
  ]);
  const memberships = new Map<string, string[]>();
  for (const team of (teams?.results ?? []) as { id: string; data: string }[]) {
    let members: unknown = [];
    try {
      members = (JSON.parse(team.data) as { members?: unknown }).members ?? [];
    } catch {
      members = [];
    }
    if (!Array.isArray(members)) continue;
    for (const member of members) {
      if (typeof member !== 'string') continue;
      memberships.set(member, [...(memberships.get(member) ?? []), team.id]);
    }
  }
  return ((users?.results ?? []) as { id: string; status: string }[]).map((user) => ({
    id: user.id,
    available: user.status === 'online',
    teams: memberships.get(user.id) ?? [],
  }));
}
