/**
 * Execution settings as a filter (SPEC 3.5 "Settings"), evaluated from facts the caller
 * supplies: the clock, this subject's run history for the flow, office hours, agents.
 */

import { type AgentInfo, availableAgents } from '../expr/agents.ts';
import type { OfficeHours } from '../expr/office-hours.ts';
import { isOfficeOpen } from '../expr/office-hours.ts';
import type { Flow } from './schema.ts';
import { resolveSettings } from './settings.ts';

/** Why a flow was not chosen; `code` is stable, `message` is for admins. */
export interface Rejection {
  code: string;
  message: string;
}
export type Check = { ok: true } | ({ ok: false } & Rejection);

export const PASS: Check = { ok: true };
export const reject = (code: string, message: string): Check => ({ ok: false, code, message });

/** Has this visitor (or contact, once identified) run the flow before, and when last. */
export interface RunHistory {
  alreadyRan: boolean;
  /** Epoch ms of the last run start. */
  lastRunAt?: number;
}

export interface SettingsFacts {
  /** Epoch ms. */
  now: number;
  /** Per flow id; absent = never ran. The runtime reads this from its claims store. */
  history?: (flowId: string) => RunHistory | undefined;
  /** Whether the pilot's office is open now; else computed from `officeHours` + `timezone`. */
  officeHoursOpen?: boolean;
  officeHours?: OfficeHours;
  timezone?: string;
  agents?: readonly AgentInfo[];
}

export function checkSettings(flowId: string, flow: Flow, facts: SettingsFacts): Check {
  const settings = resolveSettings(flow.settings);
  const { now } = facts;
  if (settings.start.mode === 'custom' && now < Date.parse(settings.start.at))
    return reject('not_started', `The flow starts at ${settings.start.at}`);
  if (settings.stop.mode === 'custom' && now >= Date.parse(settings.stop.at))
    return reject('stopped', `The flow stopped at ${settings.stop.at}`);

  const history = facts.history?.(flowId);
  if (settings.frequency === 'once' && history?.alreadyRan)
    return reject('frequency_once', 'The flow runs once per visitor and already ran');
  if (
    settings.cooldownSeconds !== undefined &&
    history?.lastRunAt !== undefined &&
    now - history.lastRunAt < settings.cooldownSeconds * 1000
  )
    return reject('cooldown', `The flow ran less than ${settings.cooldownSeconds}s ago`);

  if (settings.timeWindow !== 'any') {
    const open =
      facts.officeHoursOpen ?? isOfficeOpen(facts.officeHours, facts.timezone ?? 'UTC', now);
    if (settings.timeWindow === 'office_hours' && !open)
      return reject('time_window', 'The flow runs during office hours only');
    if (settings.timeWindow === 'outside_office_hours' && open)
      return reject('time_window', 'The flow runs outside office hours only');
  }
  return checkAvailability(settings.availability, facts.agents);
}

function checkAvailability(
  availability: ReturnType<typeof resolveSettings>['availability'],
  agents: readonly AgentInfo[] | undefined,
): Check {
  const { mode, users, teams } = availability;
  if (mode === 'ignore') return PASS;
  const specific = mode === 'specific_available' || mode === 'specific_unavailable';
  const available = specific ? availableAgents(agents, users, teams) : availableAgents(agents);
  const anyone = available.length > 0;
  if ((mode === 'any_available' || mode === 'specific_available') && !anyone)
    return reject('availability', 'No matching agent is available');
  if ((mode === 'all_unavailable' || mode === 'specific_unavailable') && anyone)
    return reject('availability', 'A matching agent is available');
  return PASS;
}
