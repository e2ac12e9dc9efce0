/**
 * Rendering of the message log. Every text from a visitor, flow, agent or AI goes through
 * Lit text bindings (text nodes), never through HTML parsing.
 */
import { html, nothing } from 'lit/html.js';
import type { ChatMessage } from '../../shared/protocol.ts';
import { inputFor } from './input-kinds.ts';
import { safeUrl } from './safe-url.ts';

export { safeUrl };

export interface PendingMessage {
  id: string;
  text: string;
}

/**
 * One message with its choices; choices of an answered question are disabled. Checkboxes
 * (multiple choice) send the picked labels as one comma-separated answer. A post shows its
 * title; a snippet post is collapsed behind its preview until the visitor opens it.
 */
export function messageView(
  message: ChatMessage,
  answered: boolean,
  onChoice: (message: ChatMessage, value: string) => void,
  onSend: (text: string) => void,
  send: string,
) {
  const { choices, post } = message;
  const multiple = message.input === 'multiple_choice';
  const body = html`${
    post?.title
      ? html`<b>${post.title}</b>
`
      : nothing
  }${message.text}${
    choices?.length
      ? html`<fieldset class="choices" ?disabled=${answered}>${choices.map((choice) =>
          multiple
            ? html`<label><input type="checkbox" value=${choice.label} />${choice.label}</label>`
            : html`<button type="button" dir="auto" @click=${() => onChoice(message, choice.value)}>${choice.label}</button>`,
        )}${
          multiple
            ? html`<button type="button" @click=${(e: Event) =>
                onSend(
                  [
                    ...(e.target as Element).parentElement!.querySelectorAll<HTMLInputElement>(
                      ':checked',
                    ),
                  ]
                    .map((i) => i.value)
                    .join(', '),
                )}>${send}</button>`
            : nothing
        }</fieldset>`
      : nothing
  }${richView(message)}`;
  return html`<div class="msg" part="message" dir="auto" data-author=${message.author} data-seq=${message.seq}>${
    post?.preview ? html`<details><summary>${post.preview}</summary>${body}</details>` : body
  }</div>`;
}

/** A send_message node's image, link buttons and cards; only http(s) URLs load or link. */
function richView({ image, links, cards }: ChatMessage) {
  const src = safeUrl(image?.url);
  return html`${src ? html`<img src=${src} alt=${image?.alt ?? ''} />` : nothing}${
    links?.length
      ? html`<div class="links">${links.map((l) => linkTo(l.url, l.label, l.newTab) ?? nothing)}</div>`
      : nothing
  }${
    cards?.length
      ? html`<ul class="cards">${cards.map((card) => {
          const img = safeUrl(card.imageUrl);
          return html`<li>${img ? html`<img src=${img} alt="" />` : nothing}${
            linkTo(card.url, card.title) ?? html`<b>${card.title}</b>`
          }${card.text ? html`<p>${card.text}</p>` : nothing}</li>`;
        })}</ul>`
      : nothing
  }`;
}

/** A link named by its label, or null when the URL is not http(s) (`javascript:`, `data:`). */
function linkTo(raw: string | undefined, label: string, newTab?: boolean) {
  const url = safeUrl(raw);
  return url
    ? html`<a href=${url} dir="auto" target=${newTab ? '_blank' : nothing} rel=${newTab ? 'noopener noreferrer' : nothing}>${label}</a>`
    : null;
}

/**
 * A capture node's form (contact or company fields alike): one labelled input per field, each
 * error tied to its input (aria-describedby, aria-invalid) and announced (role=alert).
 */
export function formView(
  message: ChatMessage,
  errors: Record<string, string> | undefined,
  onSubmit: (event: SubmitEvent) => void,
  send: string,
) {
  return html`<form class="ff" @submit=${onSubmit} novalidate>${message.form!.map((f) => {
    const kind = inputFor(f.kind);
    const error = errors?.[f.name];
    return html`<label>${f.label}${f.required ? ' *' : ''}<input dir="auto" name=${f.name} type=${kind.type} inputmode=${kind.inputMode} autocomplete=${kind.autocomplete} maxlength="1000" ?required=${f.required} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `e-${f.name}` : nothing} /></label>${
      error ? html`<p class="err" id=${`e-${f.name}`} role="alert">${error}</p>` : nothing
    }`;
  })}<button type="submit">${send}</button></form>`;
}

/** A message typed by the visitor that the server has not stored yet (offline, in flight). */
export function pendingView(message: PendingMessage, sending: string) {
  return html`<div class="msg" part="message" dir="auto" data-author="visitor" data-pending aria-description=${sending}>${message.text}</div>`;
}
