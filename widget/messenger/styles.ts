import { css } from 'lit';

/** All messenger styles: one constructable stylesheet inside the shadow root. */
export const messengerStyles = css`
  :host {
    all: initial;
    position: fixed;
    inset: auto 20px 20px auto;
    z-index: 2147483000;
    font: 15px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    color: #1b1b1f;
    --ep-accent: #4f46e5;
    --ep-bg: #ffffff;
  }
  button, input { font: inherit; }
  .launcher {
    display: inline-flex; align-items: center; justify-content: center;
    width: 56px; height: 56px; border-radius: 50%; border: 0; cursor: pointer;
    background: var(--ep-accent); color: #fff; box-shadow: 0 4px 14px rgb(0 0 0 / 25%);
  }
  .launcher svg { width: 26px; height: 26px; fill: currentColor; }
  .panel {
    position: absolute; right: 0; bottom: 72px; width: min(370px, calc(100vw - 40px));
    height: min(560px, calc(100vh - 120px)); display: flex; flex-direction: column;
    background: var(--ep-bg); border-radius: 14px; overflow: hidden;
    box-shadow: 0 10px 40px rgb(0 0 0 / 25%);
  }
  .panel[hidden] { display: none; }
  header { display: flex; align-items: center; justify-content: space-between; padding: 12px 16px;
    background: var(--ep-accent); color: #fff; font-weight: 600; }
  header button { background: none; border: 0; color: inherit; cursor: pointer; font-size: 20px; }
  .status { padding: 6px 16px; font-size: 13px; background: #fff4d6; color: #5c4300; }
  .log { flex: 1; overflow-y: auto; padding: 12px 16px; display: flex; flex-direction: column; gap: 8px; }
  .msg { max-width: 80%; padding: 8px 12px; border-radius: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
  .msg[data-author='visitor'] { align-self: flex-end; background: var(--ep-accent); color: #fff; }
  .msg[data-author='pilot'], .msg[data-author='agent'] { align-self: flex-start; background: #f0f0f4; }
  .msg[data-author='system'] { align-self: center; font-size: 13px; color: #555; }
  .choices { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
  .choices button { border: 1px solid var(--ep-accent); color: var(--ep-accent); background: #fff;
    border-radius: 16px; padding: 4px 12px; cursor: pointer; }
  .choices button:disabled { opacity: 0.5; cursor: default; }
  form { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e5ea; }
  form input { flex: 1; min-width: 0; padding: 8px 10px; border: 1px solid #c7c7cc; border-radius: 8px; }
  form button { padding: 8px 14px; border: 0; border-radius: 8px; background: var(--ep-accent); color: #fff; cursor: pointer; }
  :focus-visible { outline: 2px solid var(--ep-accent); outline-offset: 2px; }
`;
