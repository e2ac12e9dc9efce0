/** Search the flow (id, label, text, variable use); choosing a hit selects and shows the step. */
import { useId, useState } from 'preact/hooks';
import type { Flow } from '../../shared/flow/schema.ts';
import { searchFlow, variableUsage } from './model/search.ts';

export function SearchBox({ flow, onPick }: { flow: Flow; onPick: (nodeId: string) => void }) {
  const [query, setQuery] = useState('');
  const id = useId();
  const q = query.trim();
  const hits = q.startsWith('variable.')
    ? variableUsage(flow, q.slice('variable.'.length))
    : searchFlow(flow, q);
  return (
    <div class="search">
      <label for={id} class="visually-hidden">
        Search steps
      </label>
      <input
        id={id}
        type="search"
        placeholder="Search steps, text, variable.name"
        value={query}
        onInput={(e) => setQuery(e.currentTarget.value)}
      />
      {q && (
        <ul class="search-hits" aria-label="Search results">
          {hits.length === 0 && <li>No match</li>}
          {hits.slice(0, 20).map((h, i) => (
            <li key={i}>
              <button
                type="button"
                onClick={() => {
                  onPick(h.nodeId);
                  setQuery('');
                }}
              >
                {h.nodeId} · {h.field}: {h.excerpt}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
