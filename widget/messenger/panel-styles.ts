/** Panel, log and composer: plain CSS text, adopted on first open (panel.ts). */
export const panelCss = `
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
  /* Links (a knowledge answer's sources) look like links, not like the choice buttons above. */
  .links { display: flex; flex-direction: column; gap: 4px; margin-top: 6px; }
  .links a { color: inherit; text-decoration: underline; }
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
