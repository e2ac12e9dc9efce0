/**
 * Light, dark or the system's choice. The stylesheet follows `prefers-color-scheme` unless
 * `<html data-theme>` says otherwise; the choice (not a secret) is remembered per browser.
 */
import { signal } from '@preact/signals';

export type ThemeChoice = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'edgepilot.theme';
const CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

function stored(): ThemeChoice {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : 'system';
  } catch {
    return 'system';
  }
}

export const theme = signal<ThemeChoice>(stored());

/** Applies `choice` to the document and remembers it. */
export function setTheme(choice: ThemeChoice): void {
  theme.value = choice;
  applyTheme(choice);
  try {
    localStorage.setItem(STORAGE_KEY, choice);
  } catch {
    // Not remembered; still applied.
  }
}

export function applyTheme(choice: ThemeChoice = theme.value): void {
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
}

/** The next choice of the toggle button: system → light → dark → system. */
export function nextTheme(choice: ThemeChoice): ThemeChoice {
  return CHOICES[(CHOICES.indexOf(choice) + 1) % CHOICES.length]!;
}
