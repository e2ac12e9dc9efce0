import { css } from 'lit';

/**
 * The messenger's styles: constructable stylesheets inside the shadow root (`messengerStyles`
 * from the start, `panelStyles` added when the panel is first built, so a visitor who never
 * opens it never pays for parsing them). Layout lives on
 * `.root`, an element host-page selectors cannot reach, and `all: initial` cuts inheritance, so
 * hostile global CSS (`* { all: unset !important }`, huge fonts) cannot break it. Themable via
 * `--ep-*` custom properties set on `edgepilot-messenger` (they beat the pilot's accent, which
 * beats the defaults; `--_*` are internal) and `::part(launcher|panel|message|bubble|banner)`.
 */
export const messengerStyles = css`
  :host { all: initial; }
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

/** Panel, log and composer: adopted on first open. */
export const panelStyles = css`
  .panel { width: min(370px, calc(100vw - 40px)); height: min(560px, calc(100vh - 120px));
    display: flex; flex-direction: column; overflow: hidden; animation: rise 0.18s ease-out; }
  @keyframes rise { from { opacity: 0; transform: translateY(8px); } }
  @media (max-width: 480px) {
    .root:has(.panel:not([hidden])) { inset: 0; }
    /* The full-screen panel has its own close button: the launcher would cover it. */
    .root:has(.panel:not([hidden])) .launcher { display: none; }
    .panel { position: fixed; inset: 0; width: auto; height: auto; border-radius: 0; }
  }
  .head { display: flex; align-items: center; justify-content: space-between; padding: 12px 16px;
    background: var(--_accent); color: var(--_on-accent); font-weight: 600; }
  .status { padding: 6px 16px; font-size: 13px; background: var(--_warn); color: var(--_on-warn); }
  .log { flex: 1; overflow-y: auto; padding: 12px 16px; display: flex; flex-direction: column; gap: 8px; }
  .msg { max-width: 80%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
  .msg[data-author='visitor'] { align-self: flex-end; background: var(--_accent); color: var(--_on-accent); }
  .msg[data-pending] { opacity: 0.7; }
  .msg[data-author='pilot'], .msg[data-author='agent'] { align-self: flex-start; background: var(--_muted); }
  .msg[data-author='system'] { align-self: center; font-size: 13px; }
  .choices { display: flex; flex-wrap: wrap; gap: 6px; margin: 6px 0 0; padding: 0; border: 0; }
  .choices button, .choices label { border: 1px solid currentColor; background: var(--_bg); color: var(--_fg);
    border-radius: 16px; padding: 4px 12px; }
  summary { cursor: pointer; }
  .choices button:disabled { opacity: 0.6; cursor: default; }
  .msg img { display: block; max-width: 100%; max-height: 240px; margin-top: 6px; border-radius: 8px; }
  .links { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
  .links a { border: 1px solid currentColor; border-radius: 16px; padding: 4px 12px; color: inherit; text-decoration: none; }
  .cards { list-style: none; margin: 6px 0 0; padding: 0; display: grid; gap: 6px; white-space: normal; }
  .cards li { background: var(--_bg); border-radius: 8px; padding: 8px; }
  .cards a { color: inherit; font-weight: 600; } .cards p { margin: 4px 0 0; font-size: 13px; }
  .typing { align-self: flex-start; font-size: 13px; }
  .typing i { display: inline-block; width: 6px; height: 6px; margin-inline-end: 3px; border-radius: 50%;
    background: currentColor; animation: blink 1s infinite; }
  .typing i:nth-child(2) { animation-delay: 0.2s; } .typing i:nth-child(3) { animation-delay: 0.4s; }
  @keyframes blink { 50% { opacity: 0.2; } }
  form { display: flex; flex-wrap: wrap; gap: 8px; padding: 10px; border-top: 1px solid var(--_line); }
  form input { flex: 1; min-width: 0; padding: 8px 10px; border: 1px solid var(--_line); border-radius: 8px;
    background: var(--_bg); }
  form input[aria-invalid='true'] { border-color: #b91c1c; }
  form button { padding: 8px 14px; border: 0; border-radius: 8px; background: var(--_accent); color: var(--_on-accent); }
  .ff label { flex-basis: 100%; display: grid; gap: 4px; }
  .err { flex-basis: 100%; margin: 0; font-size: 13px; color: #b91c1c; }
  @media (prefers-color-scheme: dark) { .err { color: #fca5a5; } }
`;
