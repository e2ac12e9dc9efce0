/**
 * Configuration read once from the script tag's data-* attributes, parsed and frozen.
 * The API origin is explicit: `data-api`, else the origin the script was loaded from —
 * never the host page's location.
 */
export type StorageMode = 'after-interaction' | 'always' | 'none';

export interface WidgetConfig {
  readonly pilotKey: string;
  readonly api: string;
  readonly locale: string | null;
  readonly storage: StorageMode;
  readonly nonce: string | null;
  /**
   * The console's appearance preview (widget/preview/): no appearance fetch; the preview entry
   * also removes the connection, so it never opens a conversation.
   */
  readonly preview?: true;
}

const STORAGE_MODES: readonly StorageMode[] = ['after-interaction', 'always', 'none'];

/** Parses the loader's attributes; null when the tag is unusable (no pilot key). */
export function readConfig(script: HTMLScriptElement): WidgetConfig | null {
  const pilotKey = script.dataset.pilotKey ?? '';
  if (!/^pk_[A-Za-z0-9_-]{1,64}$/.test(pilotKey)) return null;
  let api: string;
  try {
    api = new URL(script.dataset.api || script.src).origin;
  } catch {
    return null;
  }
  const storage = script.dataset.storage as StorageMode | undefined;
  return Object.freeze({
    pilotKey,
    api,
    locale: script.dataset.locale ?? null,
    storage: storage && STORAGE_MODES.includes(storage) ? storage : 'after-interaction',
    nonce: script.dataset.nonce || script.nonce || null,
  });
}
