/**
 * Visitor storage that honours `data-storage`: with "after-interaction" (the default) nothing
 * is written until the visitor interacts or consents; with "none" nothing is ever read or
 * written; `consent(false)` forgets what was written and stops writing.
 */
import type { WidgetConfig } from '../config.ts';
import type { VisitorStore } from '../transport/connection.ts';

export interface MessengerStorage extends VisitorStore {
  /**
   * The visitor interacted, or the site passed `consent(true)` (`explicit`): writes are allowed
   * from now on. An interaction never overrides a `consent(false)`; only `consent(true)` does.
   */
  allow(explicit?: boolean): void;
  /** Consent withdrawn: forget everything and write nothing more. */
  deny(): void;
}

export function createStorage(config: WidgetConfig): MessengerStorage {
  let allowed = config.storage === 'always';
  let denied = false;
  const prefix = `edgepilot:${config.pilotKey}:`;
  const keys = new Set<string>();
  const attempt = <T>(action: () => T, fallback: T): T => {
    try {
      return action();
    } catch {
      // Storage blocked (privacy mode, sandboxed frame): the visitor stays anonymous.
      return fallback;
    }
  };
  return {
    read: (key) =>
      config.storage === 'none' ? null : attempt(() => localStorage.getItem(prefix + key), null),
    write(key, value) {
      if (!allowed) return;
      keys.add(key);
      attempt(() => localStorage.setItem(prefix + key, value), undefined);
    },
    remove: (key) => attempt(() => localStorage.removeItem(prefix + key), undefined),
    allow(explicit = false) {
      if (explicit) denied = false;
      if (config.storage !== 'none' && !denied) allowed = true;
    },
    deny() {
      allowed = false;
      denied = true;
      for (const key of [...keys, 'visitor', 'read']) this.remove(key);
    },
  };
}
