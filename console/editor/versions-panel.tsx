/** Version history: every published version (number, note, date) with open, compare, restore. */
import { useEffect, useId, useState } from 'preact/hooks';
import { Button } from '../ui/button.tsx';
import type { VersionInfo } from './flow-api.ts';

export type Side = number | 'draft';

export function VersionsPanel(props: {
  versions: VersionInfo[] | null;
  live: number | null;
  onOpen: (version: number) => void;
  onCompare: (from: Side, to: Side) => void;
  onRestore: (version: number) => void;
  onRefresh: () => void;
}) {
  const id = useId();
  const [from, setFrom] = useState<string>('');
  const [to, setTo] = useState<string>('draft');
  useEffect(() => props.onRefresh(), []);
  const versions = props.versions ?? [];
  useEffect(() => {
    // An updater: a pick made before this effect ran must not be replaced (see live-view.tsx).
    const newest = versions[0];
    if (newest) setFrom((current) => current || String(newest.version));
  }, [versions.length]);
  const side = (v: string): Side => (v === 'draft' ? 'draft' : Number(v));
  const choices = [
    { value: 'draft', label: 'Draft' },
    ...versions.map((v) => ({ value: String(v.version), label: `Version ${v.version}` })),
  ];
  return (
    <section class="panel" aria-labelledby="versions-title">
      <h2 id="versions-title">Version history</h2>
      {props.versions === null ? (
        <p role="status">Loading versions…</p>
      ) : versions.length === 0 ? (
        <p>Not published yet: publishing creates version 1.</p>
      ) : (
        <>
          <ul class="versions">
            {versions.map((v) => (
              <li key={v.version}>
                <div>
                  <strong>Version {v.version}</strong>
                  {v.version === props.live && <span class="badge">live</span>}
                  <div class="version-note">{v.note || '(no note)'}</div>
                  <div class="version-date">
                    {new Date(v.publishedAt).toLocaleString()} by {v.publishedBy}
                  </div>
                </div>
                <div class="version-actions">
                  <Button
                    aria-label={`Open version ${v.version}`}
                    onClick={() => props.onOpen(v.version)}
                  >
                    Open
                  </Button>
                  <Button
                    aria-label={`Compare with draft: version ${v.version}`}
                    onClick={() => props.onCompare(v.version, 'draft')}
                  >
                    Compare with draft
                  </Button>
                  <Button
                    aria-label={`Restore version ${v.version}`}
                    onClick={() => props.onRestore(v.version)}
                  >
                    Restore
                  </Button>
                </div>
              </li>
            ))}
          </ul>
          <fieldset class="field-list">
            <legend>Compare two versions</legend>
            <div class="field-row">
              <label for={`${id}-from`}>From</label>
              <select
                id={`${id}-from`}
                value={from}
                onChange={(e) => setFrom(e.currentTarget.value)}
              >
                {choices.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
              <label for={`${id}-to`}>To</label>
              <select id={`${id}-to`} value={to} onChange={(e) => setTo(e.currentTarget.value)}>
                {choices.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
              <Button onClick={() => from && props.onCompare(side(from), side(to))}>Compare</Button>
            </div>
          </fieldset>
        </>
      )}
    </section>
  );
}
