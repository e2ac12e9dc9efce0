/**
 * Rendering of the message log. Every text from a visitor, flow, agent or AI goes through
 * Lit text bindings (text nodes), never through HTML parsing.
 */
import { html, nothing } from 'lit/html.js';
import type { ChatMessage } from '../../shared/protocol.ts';
import { safeUrl } from './safe-url.ts';

export { safeUrl };

export interface PendingMessage {
  id: string;
  text: string;
}

/** One message with its choices; choices of an answered question are disabled. */
export function messageView(
  message: ChatMessage,
  answered: boolean,
  onChoice: (message: ChatMessage, value: string) => void,
) {
  return html`<div class="msg" part="message" dir="auto" data-author=${message.author} data-seq=${message.seq}>${message.text}${
    message.choices?.length
      ? html`<div class="choices">${message.choices.map(
          (choice) =>
            html`<button type="button" dir="auto" ?disabled=${answered} @click=${() => onChoice(message, choice.value)}>${choice.label}</button>`,
        )}</div>`
      : nothing
  }${richView(message)}</div>`;
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

/** A message typed by the visitor that the server has not stored yet (offline, in flight). */
export function pendingView(message: PendingMessage, sending: string) {
  return html`<div class="msg" part="message" dir="auto" data-author="visitor" data-pending aria-description=${sending}>${message.text}</div>`;
}
