/**
 * Short notices ("Flow deleted") in a polite live region, and errors in an assertive one, so
 * a screen reader hears what happened without focus moving. Bounded: the newest few stay.
 */
import { signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
}

const MAX_TOASTS = 4;
const SHOW_MS = 6000;
let counter = 0;

export const toasts = signal<readonly Toast[]>([]);

/** Shows `text` for a few seconds. */
export function toast(text: string, kind: Toast['kind'] = 'info'): void {
  const id = ++counter;
  toasts.value = [...toasts.value, { id, kind, text }].slice(-MAX_TOASTS);
  setTimeout(() => dismiss(id), SHOW_MS);
}

export function dismiss(id: number): void {
  toasts.value = toasts.value.filter((t) => t.id !== id);
}

/** Both live regions; render once, in the shell. They exist empty so announcements work. */
export function Toasts() {
  const list = toasts.value;
  return (
    <div class="toasts">
      <div role="status" aria-live="polite">
        {list
          .filter((t) => t.kind === 'info')
          .map((t) => (
            <p key={t.id} class="toast toast-info">
              {t.text}
            </p>
          ))}
      </div>
      <div role="alert" aria-live="assertive">
        {list
          .filter((t) => t.kind === 'error')
          .map((t) => (
            <p key={t.id} class="toast toast-error">
              {t.text}
            </p>
          ))}
      </div>
    </div>
  );
}

/** An inline message block: errors are announced at once, notes politely. */
export function Alert({
  kind = 'error',
  children,
}: {
  kind?: 'error' | 'note';
  children: ComponentChildren;
}) {
  return (
    <div class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
