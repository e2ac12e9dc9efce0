/**
 * What the console's pilot settings page sends the appearance preview: only non-secret,
 * display values, checked by hand like every frame the widget reads (a colour reaches CSS only
 * as a plain hex triplet; text is rendered as text).
 */
export const PREVIEW_MESSAGE = 'edgepilot:preview-appearance';
export const MAX_DISPLAY_NAME = 100;

export interface PreviewAppearance {
  displayName: string;
  accentColor: string;
  position: 'right' | 'left';
}

/** The appearance in `data`, or null when it is not exactly a preview message. */
export function parsePreviewMessage(data: unknown): PreviewAppearance | null {
  if (typeof data !== 'object' || data === null) return null;
  const { type, displayName, accentColor, position } = data as Record<string, unknown>;
  if (type !== PREVIEW_MESSAGE) return null;
  if (typeof displayName !== 'string' || displayName.length > MAX_DISPLAY_NAME) return null;
  if (typeof accentColor !== 'string' || !/^#[0-9a-f]{6}$/i.test(accentColor)) return null;
  if (position !== 'right' && position !== 'left') return null;
  return { displayName, accentColor, position };
}
