/**
 * The Flow Manager (the seed's "Flow Manager"): the flow's local variables — name, type,
 * default — and, read-only, the pilot's global variables that every flow can read
 * (`pilot.<name>`; edited in the pilot settings). Controlled: `value` in, `onChange` out.
 */
import { Button } from '../ui/button.tsx';
import {
  type FlowVariable,
  formatDefault,
  MAX_VARIABLES,
  newVariable,
  parseDefault,
  patchVariable,
  VARIABLE_TYPES,
  type VariableType,
  variableProblems,
} from './flow-manager-model.ts';

export interface PilotGlobal {
  name: string;
  type?: string;
  value?: unknown;
}

export interface FlowManagerProps {
  value: readonly FlowVariable[];
  onChange: (next: FlowVariable[]) => void;
  pilotVariables: readonly PilotGlobal[];
}

export function FlowManager({ value, onChange, pilotVariables }: FlowManagerProps) {
  const problems = variableProblems(value);
  const set = (i: number, patch: Partial<FlowVariable>) =>
    onChange(value.map((v, j) => (j === i ? patchVariable(v, patch) : v)));
  return (
    <section class="flow-manager" aria-labelledby="flow-manager-title">
      <h2 id="flow-manager-title">Flow variables</h2>
      <p class="field-hint">
        Local to one run; read them as <code>{'{{variable.name}}'}</code>.
      </p>
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Default</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {value.map((variable, i) => {
            const problem = problems.get(i);
            const errorId = `flow-var-${i}-error`;
            const described = problem ? { 'aria-describedby': errorId } : {};
            const row = `Variable ${i + 1}`;
            return (
              <tr key={`${i}`}>
                <td>
                  <input
                    aria-label={`${row} name`}
                    value={variable.name}
                    spellcheck={false}
                    aria-invalid={problem?.startsWith('Name') ? true : undefined}
                    {...described}
                    onInput={(e) => set(i, { name: e.currentTarget.value })}
                  />
                  {problem && (
                    <p id={errorId} class="field-error" role="alert">
                      {problem}
                    </p>
                  )}
                </td>
                <td>
                  <select
                    aria-label={`${row} type`}
                    value={variable.type}
                    onChange={(e) => set(i, { type: e.currentTarget.value as VariableType })}
                  >
                    {VARIABLE_TYPES.map((t) => (
                      <option key={t} value={t}>
                        {t}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  {variable.type === 'boolean' ? (
                    <select
                      aria-label={`${row} default`}
                      value={formatDefault(variable.default)}
                      onChange={(e) =>
                        onChange(
                          value.map((v, j) =>
                            j === i
                              ? withDefault(v, parseDefault('boolean', e.currentTarget.value))
                              : v,
                          ),
                        )
                      }
                    >
                      <option value="">(none)</option>
                      <option value="true">true</option>
                      <option value="false">false</option>
                    </select>
                  ) : (
                    <input
                      aria-label={`${row} default${variable.type === 'list' ? ' (comma-separated)' : ''}`}
                      placeholder={variable.type === 'date' ? 'YYYY-MM-DD' : undefined}
                      value={formatDefault(variable.default)}
                      aria-invalid={problem?.startsWith('Default') ? true : undefined}
                      {...described}
                      onInput={(e) =>
                        onChange(
                          value.map((v, j) =>
                            j === i
                              ? withDefault(v, parseDefault(v.type, e.currentTarget.value))
                              : v,
                          ),
                        )
                      }
                    />
                  )}
                </td>
                <td>
                  <Button
                    variant="ghost"
                    aria-label={`Remove variable ${variable.name || i + 1}`}
                    onClick={() => onChange(value.filter((_, j) => j !== i))}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <Button
        variant="ghost"
        disabled={value.length >= MAX_VARIABLES}
        onClick={() => onChange([...value, newVariable(value)])}
      >
        + Variable
      </Button>

      <h3>Pilot variables (read-only)</h3>
      {pilotVariables.length === 0 ? (
        <p class="field-hint">This pilot has no global variables.</p>
      ) : (
        <table class="table">
          <caption class="visually-hidden">Pilot variables</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {pilotVariables.map((g) => (
              <tr key={g.name}>
                <th scope="row">
                  <code>pilot.{g.name}</code>
                </th>
                <td>{g.type ?? 'text'}</td>
                <td>{g.value === undefined || g.value === null ? '' : JSON.stringify(g.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function withDefault(variable: FlowVariable, value: FlowVariable['default']): FlowVariable {
  const { default: _old, ...rest } = variable;
  return value === undefined ? rest : { ...rest, default: value };
}
