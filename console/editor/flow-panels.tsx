/**
 * Flow Manager (local variables; pilot globals read-only) and Execution Settings panels: the
 * foundation's controlled form components (console/forms/), each change one undo step.
 */
import type { Flow, FlowSettings } from '../../shared/flow/schema.ts';
import { ExecutionSettings, FlowManager } from '../forms/index.ts';
import type { PilotScope } from './use-pilot-scope.ts';

export function FlowPanels(props: {
  which: 'variables' | 'settings';
  flow: Flow;
  pilot: PilotScope;
  readOnly: boolean;
  onChange: (change: (flow: Flow) => Flow, group: string) => void;
  onBlur: () => void;
}) {
  const { flow } = props;
  return (
    <section class="panel" onFocusOut={props.onBlur}>
      <fieldset disabled={props.readOnly} class="panel-fields">
        {props.which === 'variables' ? (
          <FlowManager
            value={flow.variables}
            pilotVariables={props.pilot.globals}
            onChange={(variables) => props.onChange((f) => ({ ...f, variables }), 'variables')}
          />
        ) : (
          <ExecutionSettings
            value={flow.settings}
            users={props.pilot.users}
            teams={props.pilot.teams}
            onChange={(settings: FlowSettings) =>
              props.onChange((f) => ({ ...f, settings }), 'settings')
            }
          />
        )}
      </fieldset>
    </section>
  );
}
