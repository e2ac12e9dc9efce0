/**
 * The messenger's dialog and banner (Lit), loaded by <edgepilot-messenger> on first open or
 * when a banner arrives: pages where nobody chats never download, parse or run it. Draws into
 * the element's shadow root; the state and the connection stay on the element.
 */
import { html, nothing, render } from 'lit/html.js';
import type { ChatMessage } from '../../shared/protocol.ts';
import { inputFor, invalidAnswer } from './input-kinds.ts';
import { formView, messageView, pendingView } from './message-view.ts';
import type { PanelHost } from './panel-host.ts';
import { panelCss } from './panel-styles.ts';
import { safeUrl } from './safe-url.ts';

/** Elements whose panel was built (on first open): until then only the banner is drawn. */
const built = new WeakSet<PanelHost>();
let sheet: CSSStyleSheet | undefined;

export function draw(el: PanelHost): void {
  if (el.open && !built.has(el)) {
    built.add(el);
    sheet ??= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(panelCss);
    el.root.adoptedStyleSheets = [...el.root.adoptedStyleSheets, sheet];
  }
  render(bannerView(el), el.bannerBox, { host: el });
  render(built.has(el) ? panelView(el) : nothing, el.panelBox, { host: el });
}

function bannerView(el: PanelHost) {
  const banner = el.banner;
  if (!banner) return nothing;
  const url = safeUrl(banner.url);
  return html`<div class="banner card" part="banner" role="status" data-style=${banner.style}>
      ${url ? html`<a href=${url} target="_blank" rel="noopener noreferrer">${banner.text}</a>` : html`<span>${banner.text}</span>`}
      <button type="button" class="x" aria-label=${el.t.dismiss} @click=${() => {
        el.banner = null;
      }}>×</button></div>`;
}

function onSubmit(el: PanelHost, event: SubmitEvent): void {
  event.preventDefault();
  const input = el.composer();
  const text = input?.value.trim();
  if (!input || !text) return;
  el.invalid = invalidAnswer(el.question?.input, text);
  if (el.invalid) return;
  el.send(text);
  input.value = '';
}

/** Checks each value of a capture form by its kind here (the server checks again), then sends it. */
function onForm(el: PanelHost, event: SubmitEvent): void {
  event.preventDefault();
  const question = el.question;
  if (!question?.form) return;
  const values = Object.fromEntries(new FormData(event.target as HTMLFormElement)) as Record<
    string,
    string
  >;
  const errors: Record<string, string> = {};
  for (const f of question.form) {
    const key = values[f.name] && invalidAnswer(f.kind, values[f.name]!);
    if (key) errors[f.name] = el.t[key];
  }
  el.formErrors = errors;
  if (!Object.keys(errors).length) el.interact({ type: 'form', seq: question.seq, values });
}

function onKeydown(el: PanelHost, event: KeyboardEvent): void {
  if (event.key === 'Escape' && el.open) {
    event.stopPropagation();
    el.hide();
  }
}

function panelView(el: PanelHost) {
  const t = el.t;
  const title = el.displayName || t.chat;
  const status = el.status === 'online' ? null : t[el.status];
  const kind = inputFor(el.question?.input);
  const last = el.messages.length - 1;
  const onChoice = (message: ChatMessage, value: string) =>
    el.interact({ type: 'choice', seq: message.seq, value });
  const send = (text: string) => el.send(text);
  const question = el.question;
  // The head is a plain block, not a <header>: inside a dialog on the host page it would be
  // exposed as a second `banner` landmark, competing with the site's own.
  return html`<div class="panel card" part="panel" role="dialog" aria-label=${title} ?hidden=${!el.open} @keydown=${(e: KeyboardEvent) => onKeydown(el, e)}>
      <div class="head"><span>${title}</span>
        <button type="button" class="x" aria-label=${t.closeChat} @click=${() => el.hide()}>×</button></div>
      <div class="status" role="status" ?hidden=${!status}>${status ?? ''}</div>
      <div class="log" role="log" aria-live="polite" tabindex="0">${el.messages.map((m, i) =>
        messageView(m, i < last, onChoice, send, t.send),
      )}${el.outbox.map((p) => pendingView(p, t.sending))}</div>
      <div class="typing" ?hidden=${!el.typing} role="status">${
        el.typing ? html`<i></i><i></i><i></i> ${title} ${t.typing}` : nothing
      }</div>
      ${
        question?.form
          ? formView(question, el.formErrors ?? question.errors, (e) => onForm(el, e), t.send)
          : html`<form @submit=${(e: SubmitEvent) => onSubmit(el, e)} novalidate>
        <input dir="auto" type=${kind.type} inputmode=${kind.inputMode} autocomplete=${kind.autocomplete}
          aria-label=${t.message} placeholder=${t.placeholder} maxlength="4000" aria-invalid=${el.invalid ? 'true' : 'false'}
          aria-describedby=${el.invalid ? 'ep-err' : nothing} @input=${() => {
            el.invalid = null;
          }} />
        <button type="submit">${t.send}</button>
        ${el.invalid ? html`<p class="err" id="ep-err" role="alert">${t[el.invalid]}</p>` : nothing}
      </form>`
      }
    </div>`;
}
