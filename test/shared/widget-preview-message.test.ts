import { describe, expect, it } from 'vitest';
import {
  MAX_DISPLAY_NAME,
  PREVIEW_MESSAGE,
  parsePreviewMessage,
} from '../../widget/preview/preview-message.ts';

describe('the appearance preview frame', () => {
  it('accepts only a preview message with a hex colour and a short name', () => {
    const ok = {
      type: PREVIEW_MESSAGE,
      displayName: 'Shop',
      accentColor: '#B91C1C',
      position: 'left',
    };
    expect(parsePreviewMessage(ok)).toEqual({
      displayName: 'Shop',
      accentColor: '#B91C1C',
      position: 'left',
    });
    for (const bad of [
      { ...ok, type: 'something-else' },
      { ...ok, accentColor: 'red' },
      { ...ok, accentColor: '#fff' },
      { ...ok, accentColor: 'red;}:host{background:url(//evil)}' },
      { ...ok, accentColor: '#b91c1c;x' },
      { ...ok, displayName: 'x'.repeat(MAX_DISPLAY_NAME + 1) },
      { ...ok, displayName: 42 },
      { ...ok, position: 'top' },
      { ...ok, position: undefined },
      null,
      'edgepilot:preview-appearance',
      [ok],
    ])
      expect(parsePreviewMessage(bad), JSON.stringify(bad)).toBeNull();
  });
});
