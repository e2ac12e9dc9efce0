/**
 * The outline: the same flow as a list of steps with their connections, for screen-reader and
 * keyboard users. Selecting a step opens it in the inspector, where every field and every
 * connection ("connect to…") can be edited.
 */
import type { Flow } from '../../shared/flow/schema.ts';
import { TRIGGER_ID } from './model/commands.ts';
import { nodeTitle } from './model/node-types.ts';
import { portsOf } from './model/ports.ts';
import { nodeSummary, triggerSummary } from './node-summary.ts';

export function Outline(props: {
  flow: Flow;
  selection: readonly string[];
  problems: ReadonlyMap<string, 'error' | 'warning'>;
  onSelect: (id: string) => void;
}) {
  const { flow } = props;
  const selected = new Set(props.selection);
  return (
    <nav class="outline" aria-label="Flow outline">
      <ul>
        <li>
          <button
            type="button"
            aria-pressed={selected.has(TRIGGER_ID)}
            onClick={() => props.onSelect(TRIGGER_ID)}
          >
            Trigger: {triggerSummary(flow.trigger)}
          </button>
          <span class="outline-port">start → {flow.start}</span>
        </li>
        {flow.nodes.map((node) => {
          const problem = props.problems.get(node.id);
          return (
            <li key={node.id}>
              <button
                type="button"
                aria-pressed={selected.has(node.id)}
                onClick={() => props.onSelect(node.id)}
              >
                {node.label || node.id} — {nodeTitle(node.type)}
                {problem ? ` (has ${problem}s)` : ''}
              </button>
              {nodeSummary(node) && <span class="outline-text">{nodeSummary(node)}</span>}
              <ul>
                {portsOf(node).map((p) => (
                  <li key={p.port} class="outline-port">
                    {p.label} → {p.target ?? '(ends)'}
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
