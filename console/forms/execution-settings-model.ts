/**
 * Execution settings' model (SPEC 3.5, the seed's "Execution Settings"): start/stop instants
 * between ISO strings and `datetime-local` inputs, the cooldown as an amount and a unit, and
 * the schema's problems by field.
 */
import {
  AVAILABILITY_MODES,
  type FlowSettings,
  resolveSettings,
  settingsSchema,
} from '../../shared/flow/settings.ts';

export { AVAILABILITY_MODES, type FlowSettings, resolveSettings };

export const AVAILABILITY_LABELS: Record<FlowSettings['availability']['mode'], string> = {
  ignore: 'Run whether or not agents are available',
  any_available: 'Only when any agent is available',
  specific_available: 'Only when one of these users or teams is available',
  all_unavailable: 'Only when no agent is available',
  specific_unavailable: 'Only when none of these users or teams is available',
};

export const TIME_WINDOW_LABELS: Record<FlowSettings['timeWindow'], string> = {
  any: 'Any time',
  office_hours: 'During office hours',
  outside_office_hours: 'Outside office hours',
};

/** Whether the availability mode names users/teams. */
export const needsPeople = (mode: FlowSettings['availability']['mode']) =>
  mode.startsWith('specific_');

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO instant as the browser-local `YYYY-MM-DDTHH:mm` a datetime-local input shows. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (browser time) as an ISO instant with offset (`Z`), or null. */
export function fromLocalInput(local: string): string | null {
  if (!local) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString().replace('.000Z', 'Z');
}

export const COOLDOWN_UNITS = [
  { unit: 'minutes', seconds: 60 },
  { unit: 'hours', seconds: 3600 },
  { unit: 'days', seconds: 86_400 },
] as const;
export type CooldownUnit = (typeof COOLDOWN_UNITS)[number]['unit'];

/** The largest unit that divides the cooldown evenly (90 min → 90 minutes, 2 days → 2 days). */
export function splitCooldown(
  seconds: number | undefined,
): { amount: number; unit: CooldownUnit } | null {
  if (seconds === undefined) return null;
  for (const { unit, seconds: size } of [...COOLDOWN_UNITS].reverse()) {
    if (seconds % size === 0) return { amount: seconds / size, unit };
  }
  return { amount: Math.round(seconds / 60), unit: 'minutes' };
}

export function joinCooldown(amount: number, unit: CooldownUnit): number {
  return Math.round(amount * (COOLDOWN_UNITS.find((u) => u.unit === unit)?.seconds ?? 60));
}

/** The schema's problems keyed by dotted field (`stop.at`, `cooldownSeconds`), plus order. */
export function settingsProblems(settings: FlowSettings): Record<string, string> {
  const out: Record<string, string> = {};
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) out[issue.path.join('.')] ??= issue.message;
  }
  if (
    settings.start.mode === 'custom' &&
    settings.stop.mode === 'custom' &&
    Date.parse(settings.stop.at) <= Date.parse(settings.start.at)
  ) {
    out['stop.at'] ??= 'The stop must come after the start';
  }
  if (needsPeople(settings.availability.mode)) {
    const count =
      (settings.availability.users?.length ?? 0) + (settings.availability.teams?.length ?? 0);
    if (count === 0) out.availability ??= 'Pick at least one user or team';
  }
  return out;
}
