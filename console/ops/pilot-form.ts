/** The pilot settings form's state ↔ the pilot resource and its PATCH body. Pure. */
import type { components } from '../api/client.ts';

type Pilot = components['schemas']['Pilot'];
export type Weekday = Pilot['officeHours']['weekly'][number]['day'];
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
/** Office-hour slots the form edits at most (the API bounds them too). */
export const MAX_SLOTS = 50;

export interface PilotForm {
  name: string;
  persona: string;
  timezone: string;
  fallbackMessage: string;
  /** One host per line. */
  trustedDomains: string;
  identityEnforced: boolean;
  displayName: string;
  accentColor: string;
  weekly: { day: Weekday; from: string; to: string }[];
  /** One `yyyy-mm-dd` per line. */
  holidays: string;
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

export function formOf(pilot: Pilot): PilotForm {
  return {
    name: pilot.name,
    persona: pilot.persona,
    timezone: pilot.timezone,
    fallbackMessage: pilot.fallbackMessage,
    trustedDomains: pilot.trustedDomains.join('\n'),
    identityEnforced: pilot.identityEnforced,
    displayName: pilot.appearance.displayName ?? '',
    accentColor: pilot.appearance.accentColor ?? '#2563eb',
    weekly: pilot.officeHours.weekly.slice(0, MAX_SLOTS),
    holidays: pilot.officeHours.holidays.join('\n'),
  };
}

/** The PATCH body for the form (every field it edits; the secret is never part of it). */
export function patchOf(form: PilotForm) {
  return {
    name: form.name.trim(),
    persona: form.persona,
    timezone: form.timezone.trim(),
    fallbackMessage: form.fallbackMessage,
    trustedDomains: lines(form.trustedDomains),
    identityEnforced: form.identityEnforced,
    appearance: {
      ...(form.displayName.trim() ? { displayName: form.displayName.trim() } : {}),
      accentColor: form.accentColor,
    },
    officeHours: { weekly: form.weekly.slice(0, MAX_SLOTS), holidays: lines(form.holidays) },
  };
}

/** The script tag a site owner pastes, for this Worker's origin and the pilot's public key. */
export function embedSnippet(origin: string, publicKey: string): string {
  return `<script async src="${origin}/widget.js" data-pilot-key="${publicKey}"></script>`;
}

/** The first server error of a form field: its own path or any path below it. */
export function fieldError(fields: Record<string, string>, path: string): string | undefined {
  const key = Object.keys(fields).find((k) => k === path || k.startsWith(`${path}.`));
  return key ? fields[key] : undefined;
}
