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
  position: 'right' | 'left';
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
    position: pilot.appearance.position ?? 'right',
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
      position: form.position,
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

/** Black or white, whichever reads better on `hex` (WCAG relative luminance). */
export function readableOn(hex: string): '#000000' | '#ffffff' {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) return '#ffffff';
  const [r, g, b] = match.slice(1).map((h) => {
    const c = Number.parseInt(h, 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  // Contrast with white: 1.05 / (L + 0.05); with black: (L + 0.05) / 0.05.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? '#ffffff' : '#000000';
}
