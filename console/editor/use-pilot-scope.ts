/**
 * What the flow's pilot offers the inspector: its global variables (`pilot.*`, listed read-only
 * in the Flow Manager and offered by template autocomplete), and the users and teams the
 * Execution Settings can name. One page (100) of each: enough for the pickers, and bounded.
 */
import { useEffect, useState } from 'preact/hooks';
import { useApi } from '../api/context.ts';
import { unwrap } from '../api/errors.ts';
import type { Person, PilotGlobal } from '../forms/index.ts';

export interface PilotScope {
  globals: PilotGlobal[];
  users: Person[];
  teams: Person[];
}

const LIMIT = 100;

export function usePilotScope(pilotId: string): PilotScope {
  const api = useApi();
  const [scope, setScope] = useState<PilotScope>({ globals: [], users: [], teams: [] });
  useEffect(() => {
    let live = true;
    void Promise.all([
      unwrap(
        api.GET('/pilots/{pilotId}/variables', {
          params: { path: { pilotId }, query: { limit: LIMIT } },
        }),
      ),
      unwrap(api.GET('/users', { params: { query: { limit: LIMIT } } })),
      unwrap(api.GET('/teams', { params: { query: { limit: LIMIT } } })),
    ]).then(([globals, users, teams]) => {
      if (!live) return;
      setScope({
        globals: globals.ok
          ? globals.data.items.flatMap((v) =>
              typeof v.name === 'string'
                ? [
                    {
                      name: v.name,
                      ...(typeof v.type === 'string' ? { type: v.type } : {}),
                      value: v.value,
                    },
                  ]
                : [],
            )
          : [],
        users: users.ok ? users.data.items.map((u) => ({ id: u.id, name: u.name })) : [],
        teams: teams.ok ? teams.data.items.map((t) => ({ id: t.id, name: t.name })) : [],
      });
    });
    return () => {
      live = false;
    };
  }, [api, pilotId]);
  return scope;
}
