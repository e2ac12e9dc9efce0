/** The workspace's users and teams (first pages of 100, bounded), for the Team page. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { ApiClient, components } from '../api/client.ts';
import { type ApiFailure, unwrap } from '../api/errors.ts';

export type User = components['schemas']['User'];
export type Team = components['schemas']['Team'];

export function useTeamData(api: ApiClient) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [teams, setTeams] = useState<Team[] | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  const reload = useCallback(async () => {
    const [u, t] = await Promise.all([
      unwrap(api.GET('/users', { params: { query: { limit: 100 } } })),
      unwrap(api.GET('/teams', { params: { query: { limit: 100 } } })),
    ]);
    if (u.ok) setUsers(u.data.items);
    if (t.ok) setTeams(t.data.items);
    setFailure(!u.ok ? u.failure : !t.ok ? t.failure : null);
  }, [api]);
  useEffect(() => void reload(), [reload]);
  return { users, teams, failure, reload };
}
