/**
 * The launcher's styles (plain CSS text: the first paint needs no framework), adopted as a
 * constructable stylesheet inside the shadow root; the panel's are in panel-styles.ts, loaded
 * with the panel on first open, so a visitor who never opens it never pays for parsing them. Layout lives on
 * `.root`, an element host-page selectors cannot reach, and `all: initial` cuts inheritance, so
 * hostile global CSS (`* { all: unset !important }`, huge fonts) cannot break it. Themable via
 * `--ep-*` custom properties set on `edgepilot-messenger` (they beat the pilot's accent, which
 * beats the defaults; `--_*` are internal) and `::part(launcher|panel|message|bubble|banner)`.
 */
export const launcherCss = `
  :host { all: initial; }
  /* Until the full messenger defines the element, a page's anti-FOUC rule (':not(:defined)
     { display: none }', even !important) would hide the lean launcher: an !important rule of the
     shadow tree beats any of the page's. Only where the lean start found such a rule ('reveal',
     index.ts): a rule hiding the messenger itself still wins. Once defined, as before. */
  :host(:not(:defined)[reveal]) { display: inline !important; opacity: 1 !important; }
  .root {
    all: initial; position: fixed; inset-inline-end: 20px; bottom: 20px; z-index: 2147483000;
    display: flex; flex-direction: column; align-items: flex-end; gap: 10px;
    font: 15px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --_accent: var(--ep-accent, #4338ca); --_on-accent: var(--ep-on-accent, #fff);
    --_bg: var(--ep-bg, #fff); --_fg: var(--ep-fg, #1b1b1f); --_muted: var(--ep-muted, #f0f0f4);
    --_line: var(--ep-line, #c7c7cc); --_warn: var(--ep-warn, #fff4d6); --_on-warn: var(--ep-on-warn, #5c4300);
    color: var(--_fg);
  }
  .root[data-position='left'] { inset-inline: 20px auto; align-items: flex-start; }
  @media (prefers-color-scheme: dark) {
    .root { --_bg: var(--ep-bg, #1c1c22); --_fg: var(--ep-fg, #ececf1); --_muted: var(--ep-muted, #2c2c35);
      --_line: var(--ep-line, #4a4a55); --_warn: var(--ep-warn, #3d3000); --_on-warn: var(--ep-on-warn, #ffe7a3); }
  }
  [hidden] { display: none !important; }
  .box { display: contents; }
  button, input { font: inherit; color: inherit; }
  button { cursor: pointer; }
  .launcher { position: relative; display: inline-flex; align-items: center; justify-content: center;
    width: 56px; height: 56px; border-radius: 50%; border: 0; padding: 0;
    background: var(--_accent); color: var(--_on-accent); box-shadow: 0 4px 14px rgb(0 0 0 / 25%); }
  .launcher svg { width: 26px; height: 26px; fill: currentColor; }
  .launcher[data-unread]::after { content: attr(data-unread); position: absolute; top: -4px; inset-inline-end: -4px; min-width: 20px; height: 20px;
    border-radius: 10px; background: #b91c1c; color: #fff; font-size: 12px; line-height: 20px; text-align: center; }
  .card { background: var(--_bg); color: var(--_fg); border-radius: 14px; box-shadow: 0 10px 40px rgb(0 0 0 / 25%); }
  .bubble, .banner { display: flex; align-items: flex-start; gap: 6px; max-width: 300px; padding: 10px 12px; }
  .bubble > button:first-child, .banner a { flex: 1; text-align: start; background: none; border: 0; padding: 0;
    color: inherit; white-space: pre-wrap; overflow-wrap: anywhere; }
  .banner[data-style='success'] { border-inline-start: 4px solid #15803d; }
  .banner[data-style='warning'] { border-inline-start: 4px solid #b45309; }
  .banner[data-style='info'] { border-inline-start: 4px solid var(--_accent); }
  .x { background: none; border: 0; padding: 0 4px; font-size: 18px; line-height: 1; }
  :focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }
  @media (prefers-reduced-motion: reduce) { * { animation: none !important; transition: none !important; } }
`;
