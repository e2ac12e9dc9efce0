/**
 * The top of a per-pilot settings page (intents, entities and variables, knowledge): the title,
 * a pilot picker that moves to the same page of the chosen pilot, and links to the pilot's
 * other settings pages. Without a pilot in the path, the first pilot is opened.
 */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { useLocation } from 'preact-iso/router';
import { useApi } from '../api/context.ts';
import { failureText } from '../api/errors.ts';
import { usePilots } from '../ops/use-pilots.ts';
import { SelectField } from '../ui/field.tsx';
import { Alert } from '../ui/toast.tsx';

export const PILOT_PAGES = [
  { segment: 'intents', label: 'Intents' },
  { segment: 'entities', label: 'Entities and variables' },
  { segment: 'knowledge', label: 'Knowledge' },
] as const;
export type PilotPage = (typeof PILOT_PAGES)[number]['segment'];

export function PilotScope({
  page,
  pilotId,
  children,
}: {
  page: PilotPage;
  pilotId: string | undefined;
  /** The page's content for the chosen pilot. */
  children: (pilotId: string) => ComponentChildren;
}) {
  const api = useApi();
  const { route } = useLocation();
  const { pilots, failure } = usePilots(api);
  const title = PILOT_PAGES.find((p) => p.segment === page)?.label ?? page;
  const go = (id: string) => route(`/admin/${page}/${encodeURIComponent(id)}`);
  useEffect(() => {
    // Read the address as it is now, not this render's `pilotId`: an effect left pending from the
    // render that drew the list would otherwise replace a pilot the admin picked meanwhile.
    const bare = window.location.pathname.replace(/\/+$/, '') === `/admin/${page}`;
    if (!pilotId && bare && pilots?.[0])
      route(`/admin/${page}/${encodeURIComponent(pilots[0].id)}`, true);
  }, [pilots, pilotId, page, route]);
  const pilot = pilots?.find((p) => p.id === pilotId);
  return (
    <section class="page">
      <header class="page-header">
        <h1>{title}</h1>
        {pilot && (
          <nav aria-label="Pilot settings" class="subnav">
            <a href={`/admin/pilots/${encodeURIComponent(pilot.id)}`}>Pilot settings</a>
            {PILOT_PAGES.filter((p) => p.segment !== page).map((p) => (
              <a key={p.segment} href={`/admin/${p.segment}/${encodeURIComponent(pilot.id)}`}>
                {p.label}
              </a>
            ))}
          </nav>
        )}
      </header>
      {failure && <Alert>Could not load pilots: {failureText(failure)}</Alert>}
      {pilots && pilots.length === 0 && <p>No pilot yet: create one first.</p>}
      {pilots && pilots.length > 0 && (
        <search class="toolbar" aria-label="Choose a pilot">
          <SelectField
            label="Pilot"
            value={pilotId ?? ''}
            onValue={go}
            options={pilots.map((p) => ({ value: p.id, label: p.name }))}
          />
        </search>
      )}
      {pilots && pilotId && !pilot && <Alert>No pilot {pilotId} in this workspace.</Alert>}
      {pilot && children(pilot.id)}
    </section>
  );
}
