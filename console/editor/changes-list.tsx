/** A version diff as a list: which steps were added, removed, changed, and each changed field. */
import type { FlowDiff } from './model/diff.ts';

const show = (v: unknown) => {
  if (v === undefined) return '—';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
};

export function ChangesList({ diff }: { diff: FlowDiff }) {
  if (diff.changes.length === 0 && diff.moved.length === 0) return <p>No changes.</p>;
  const fieldChanges = diff.changes.filter(
    (c) => !(c.nodeId && (diff.added.includes(c.nodeId) || diff.removed.includes(c.nodeId))),
  );
  return (
    <div class="changes">
      <p>
        {diff.added.length} added, {diff.removed.length} removed, {diff.changed.length} changed
        {diff.moved.length ? `, ${diff.moved.length} moved` : ''}
      </p>
      <ul>
        {diff.added.map((id) => (
          <li key={`a${id}`} class="change-added">
            Added step {id}
          </li>
        ))}
        {diff.removed.map((id) => (
          <li key={`r${id}`} class="change-removed">
            Removed step {id}
          </li>
        ))}
        {fieldChanges.map((c, i) => (
          <li key={i} class={`change-${c.kind}`}>
            {c.nodeId ? `${c.nodeId} · ${c.field}` : c.path}:{' '}
            {c.kind === 'added'
              ? `set to ${show(c.after)}`
              : c.kind === 'removed'
                ? `removed (was ${show(c.before)})`
                : `${show(c.before)} → ${show(c.after)}`}
          </li>
        ))}
      </ul>
    </div>
  );
}
