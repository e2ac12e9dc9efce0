/**
 * The console's live preview of the real messenger (/preview/messenger.html, framed by the
 * pilot settings page): the same <edgepilot-messenger> element and styles as on a site, opened,
 * with one sample pilot message, never connected — its connection is never made a controller of
 * the element, and the page's CSP (`connect-src 'none'`) refuses any socket or fetch anyway, so
 * no conversation is ever created. The console posts the appearance being edited (display
 * name, accent colour, launcher corner) from its own origin; anything else is ignored.
 */
import type { WidgetConfig } from '../config.ts';
import { MessengerElement } from '../messenger/messenger-element.ts';
import { type PreviewAppearance, parsePreviewMessage } from './preview-message.ts';

const config: WidgetConfig = Object.freeze({
  pilotKey: 'pk_preview',
  api: location.origin,
  locale: null,
  storage: 'none',
  nonce: null,
  preview: true,
});

class PreviewMessenger extends MessengerElement {
  readonly #accent = new CSSStyleSheet();

  constructor() {
    super(config, () => {});
    this.status = 'online';
    this.messages = [
      { seq: 1, author: 'pilot', text: 'Hi! How can we help you today?', at: Date.now() },
    ];
  }

  /** Its connection is never a controller of this element: it never connects. */
  override addController(): void {}

  override connectedCallback(): void {
    super.connectedCallback();
    // No focus moves (`config.preview`) and no events: the settings form keeps its focus.
    this.root.adoptedStyleSheets = [...this.root.adoptedStyleSheets, this.#accent];
    this.show();
  }

  apply({ accentColor, displayName, position }: PreviewAppearance): void {
    // A hex triplet only (parsePreviewMessage checked it): nothing else is parsed as CSS.
    this.#accent.replaceSync(`:host{--ep-accent:${accentColor}}`);
    this.displayName = displayName;
    this.position = position === 'left' ? 'left' : '';
  }
}

customElements.define('edgepilot-messenger', PreviewMessenger);
const element = new PreviewMessenger();
document.body.append(element);

addEventListener('message', (event) => {
  if (event.origin !== location.origin || event.source !== parent) return;
  const appearance = parsePreviewMessage(event.data);
  if (appearance) element.apply(appearance);
});
// Tell the console it can send the appearance now (to its own origin only, never '*').
parent.postMessage({ type: 'edgepilot:preview-ready' }, location.origin);
