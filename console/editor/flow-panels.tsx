/**
 * Flow Manager (local variables) and Execution Settings panels: controlled editors of the
 * flow's `variables` and `settings`, each edit an undo step.
 */
import type { Flow } from '../../shared/flow/schema.ts';
import { SpecField } from './inspector/spec-field.tsx';
import { problemsOf } from './model/problems.ts';

export function FlowPanels(props: {
  which: 'variables' | 'settings';
  flow: Flow;
  readOnly: boolean;
  onChange: (change: (flow: Flow) => Flow, group: string) => void;
  onBlur: () => void;
}) {
  const { flow } = props;
  const problems = new Map(
    problemsOf(flow)
      .filter((p) => p.target === undefined && p.field?.startsWith(props.which))
      .map((p) => [p.field as string, p.message]),
  );
  const ctx = { problems, onBlur: props.onBlur, readOnly: props.readOnly };
  if (props.which === 'variables')
    return (
      <section class="panel" aria-labelledby="vars-title">
        <h2 id="vars-title">Flow Manager</h2>
        <SpecField
          spec={{
            kind: 'list',
            path: 'variables',
            label: 'Local variables (variable.name)',
            itemLabel: 'Variable',
            max: 200,
            newItem: () => ({ name: `var_${flow.variables.length + 1}`, type: 'text' }),
            item: [
              { kind: 'text', path: 'name', label: 'Name' },
              {
                kind: 'select',
                path: 'type',
                label: 'Type',
                options: ['text', 'number', 'boolean', 'date', 'datetime', 'list'],
              },
              { kind: 'json', path: 'default', label: 'Default', optional: true },
              { kind: 'text', path: 'description', label: 'Description', optional: true },
            ],
          }}
          value={flow}
          base=""
          ctx={ctx}
          onChange={(next, group) =>
            props.onChange((f) => ({ ...f, variables: (next as Flow).variables }), group)
          }
        />
      </section>
    );
  return (
    <section class="panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Execution Settings</h2>
      <SpecField
        spec={{ kind: 'json', path: 'settings', label: 'Settings', optional: true }}
        value={flow}
        base=""
        ctx={ctx}
        onChange={(next, group) =>
          props.onChange((f) => ({ ...f, settings: (next as Flow).settings }), group)
        }
      />
    </section>
  );
}
