/**
 * Execution Settings: when a flow may start — start/stop dates, frequency and cooldown, time
 * window (the pilot's office hours), and agent availability with users/teams. Controlled: the
 * flow's `settings` in (defaults filled), the full settings out.
 */
import { useId } from 'preact/hooks';
import {
  AVAILABILITY_LABELS,
  AVAILABILITY_MODES,
  COOLDOWN_UNITS,
  type CooldownUnit,
  type FlowSettings,
  fromLocalInput,
  joinCooldown,
  needsPeople,
  resolveSettings,
  settingsProblems,
  splitCooldown,
  TIME_WINDOW_LABELS,
  toLocalInput,
} from './execution-settings-model.ts';

export interface Person {
  id: string;
  name: string;
}

export interface ExecutionSettingsProps {
  value: unknown;
  onChange: (next: FlowSettings) => void;
  users: readonly Person[];
  teams: readonly Person[];
  /** The pilot's timezone, named next to the office-hours choice. */
  timezone?: string;
}

export function ExecutionSettings({
  value,
  onChange,
  users,
  teams,
  timezone,
}: ExecutionSettingsProps) {
  const id = useId();
  const settings = resolveSettings(value);
  const problems = settingsProblems(settings);
  const set = (patch: Partial<FlowSettings>) => onChange({ ...settings, ...patch });
  const cooldown = splitCooldown(settings.cooldownSeconds);
  const error = (key: string) =>
    problems[key] ? (
      <p id={`${id}-${key}`} class="field-error" role="alert">
        {problems[key]}
      </p>
    ) : null;
  const describe = (key: string) => (problems[key] ? { 'aria-describedby': `${id}-${key}` } : {});
  const availability = settings.availability;
  const toggle = (kind: 'users' | 'teams', pid: string, on: boolean) => {
    const list = new Set(availability[kind] ?? []);
    if (on) list.add(pid);
    else list.delete(pid);
    set({ availability: { ...availability, [kind]: [...list] } });
  };
  return (
    <section class="execution-settings" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Execution settings</h2>

      <fieldset>
        <legend>Start</legend>
        <Choice
          name={`${id}-start`}
          value={settings.start.mode}
          options={[
            ['immediately', 'As soon as it is published'],
            ['custom', 'From a date and time'],
          ]}
          onChange={(mode) =>
            set({
              start:
                mode === 'custom'
                  ? { mode, at: fromLocalInput(toLocalInput(new Date().toISOString()))! }
                  : { mode: 'immediately' },
            })
          }
        />
        {settings.start.mode === 'custom' && (
          <label class="inline-field">
            <span>Start at (your local time)</span>
            <input
              type="datetime-local"
              value={toLocalInput(settings.start.at)}
              {...describe('start.at')}
              onInput={(e) => {
                const at = fromLocalInput(e.currentTarget.value);
                if (at) set({ start: { mode: 'custom', at } });
              }}
            />
          </label>
        )}
        {error('start.at')}
      </fieldset>

      <fieldset>
        <legend>Stop</legend>
        <Choice
          name={`${id}-stop`}
          value={settings.stop.mode}
          options={[
            ['never', 'Never'],
            ['custom', 'At a date and time'],
          ]}
          onChange={(mode) =>
            set({
              stop:
                mode === 'custom'
                  ? {
                      mode,
                      at: fromLocalInput(
                        toLocalInput(new Date(Date.now() + 7 * 86_400_000).toISOString()),
                      )!,
                    }
                  : { mode: 'never' },
            })
          }
        />
        {settings.stop.mode === 'custom' && (
          <label class="inline-field">
            <span>Stop at (your local time)</span>
            <input
              type="datetime-local"
              value={toLocalInput(settings.stop.at)}
              aria-invalid={problems['stop.at'] ? true : undefined}
              {...describe('stop.at')}
              onInput={(e) => {
                const at = fromLocalInput(e.currentTarget.value);
                if (at) set({ stop: { mode: 'custom', at } });
              }}
            />
          </label>
        )}
        {error('stop.at')}
      </fieldset>

      <fieldset>
        <legend>Frequency</legend>
        <Choice
          name={`${id}-frequency`}
          value={settings.frequency}
          options={[
            ['once', 'Once per visitor (per contact once identified)'],
            ['every_time', 'Every time the trigger matches'],
          ]}
          onChange={(frequency) => {
            const { cooldownSeconds: _drop, ...rest } = settings;
            // A cooldown only means something with every_time.
            onChange(frequency === 'once' ? { ...rest, frequency } : { ...settings, frequency });
          }}
        />
        {settings.frequency === 'every_time' && (
          <div class="inline-field">
            <label>
              <input
                type="checkbox"
                checked={cooldown !== null}
                onChange={(e) => {
                  if (e.currentTarget.checked) set({ cooldownSeconds: 3600 });
                  else {
                    const { cooldownSeconds: _drop, ...rest } = settings;
                    onChange(rest);
                  }
                }}
              />{' '}
              Wait between two runs for the same visitor
            </label>
            {cooldown && (
              <>
                <input
                  type="number"
                  min={0}
                  aria-label="Cooldown amount"
                  value={cooldown.amount}
                  aria-invalid={problems.cooldownSeconds ? true : undefined}
                  {...describe('cooldownSeconds')}
                  onInput={(e) => {
                    const amount = Number(e.currentTarget.value);
                    if (Number.isFinite(amount))
                      set({ cooldownSeconds: joinCooldown(amount, cooldown.unit) });
                  }}
                />
                <select
                  aria-label="Cooldown unit"
                  value={cooldown.unit}
                  onChange={(e) =>
                    set({
                      cooldownSeconds: joinCooldown(
                        cooldown.amount,
                        e.currentTarget.value as CooldownUnit,
                      ),
                    })
                  }
                >
                  {COOLDOWN_UNITS.map((u) => (
                    <option key={u.unit} value={u.unit}>
                      {u.unit}
                    </option>
                  ))}
                </select>
              </>
            )}
          </div>
        )}
        {error('cooldownSeconds')}
      </fieldset>

      <fieldset>
        <legend>Time window{timezone ? ` (pilot time zone: ${timezone})` : ''}</legend>
        <Choice
          name={`${id}-window`}
          value={settings.timeWindow}
          options={Object.entries(TIME_WINDOW_LABELS) as [FlowSettings['timeWindow'], string][]}
          onChange={(timeWindow) => set({ timeWindow })}
        />
      </fieldset>

      <fieldset>
        <legend>Agent availability</legend>
        <label class="inline-field">
          <span class="visually-hidden">Availability rule</span>
          <select
            value={availability.mode}
            {...describe('availability')}
            onChange={(e) =>
              set({
                availability: {
                  ...availability,
                  mode: e.currentTarget.value as FlowSettings['availability']['mode'],
                },
              })
            }
          >
            {AVAILABILITY_MODES.map((m) => (
              <option key={m} value={m}>
                {AVAILABILITY_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
        {needsPeople(availability.mode) && (
          <div class="people-picker">
            <PeopleList
              title="Users"
              people={users}
              chosen={availability.users ?? []}
              onToggle={(pid, on) => toggle('users', pid, on)}
            />
            <PeopleList
              title="Teams"
              people={teams}
              chosen={availability.teams ?? []}
              onToggle={(pid, on) => toggle('teams', pid, on)}
            />
          </div>
        )}
        {error('availability')}
      </fieldset>
    </section>
  );
}

function Choice<T extends string>({
  name,
  value,
  options,
  onChange,
}: {
  name: string;
  value: T;
  options: readonly (readonly [T, string])[];
  onChange: (value: T) => void;
}) {
  return (
    <div class="choices">
      {options.map(([v, label]) => (
        <label key={v}>
          <input
            type="radio"
            name={name}
            value={v}
            checked={value === v}
            onChange={() => onChange(v)}
          />{' '}
          {label}
        </label>
      ))}
    </div>
  );
}

function PeopleList({
  title,
  people,
  chosen,
  onToggle,
}: {
  title: string;
  people: readonly Person[];
  chosen: readonly string[];
  onToggle: (id: string, on: boolean) => void;
}) {
  return (
    <fieldset class="people-list">
      <legend>{title}</legend>
      {people.length === 0 && <p class="field-hint">None in this workspace.</p>}
      {people.map((p) => (
        <label key={p.id}>
          <input
            type="checkbox"
            checked={chosen.includes(p.id)}
            onChange={(e) => onToggle(p.id, e.currentTarget.checked)}
          />{' '}
          {p.name}
        </label>
      ))}
    </fieldset>
  );
}
