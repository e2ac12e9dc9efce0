/**
 * Visitor storage that honours `data-storage`: with "after-interaction" (the default) nothing
 * is written until the visitor interacts or consents; with "none" nothing is ever written.
 */
import type { WidgetConfig } from '../config.ts';

export function createStorage(config: WidgetConfig) {
  let allowed = config.storage === 'always';
  const prefix = `edgepilot:${config.pilotKey}:`;
  return {
    read(key: string): string | null {
      if (config.storage === 'none') return null;
      try {
        return localStorage.getItem(prefix + key);
      } catch {
        return null;
      }
    },
    write(key: string, value: string): void {
      if (!allowed) return;
      try {
        localStorage.setItem(prefix + key, value);
      } catch {
        // Storage full or blocked: the visitor simply stays anonymous across reloads.
      }
    },
    /** The visitor interacted (or consented): writes are allowed from now on. */
    allow(): void {
      if (config.storage !== 'none') allowed = true;
    },
  };
}
