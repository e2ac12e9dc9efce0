/**
 * <edgepilot-messenger>: launcher, dialog, message log, choices and composer (SPEC 3.2).
 * Thin: the connection lives in a ReactiveController; every text is rendered as text.
 */
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { ChatMessage } from '../../shared/protocol.ts';
import type { WidgetConfig } from '../config.ts';
import { Connection, type ConnectionStatus } from '../transport/connection.ts';
import { createStorage } from './storage.ts';
import { type Strings, strings } from './strings.ts';
import { messengerStyles } from './styles.ts';

export class MessengerElement extends LitElement {
  static override styles = messengerStyles;
  static override properties = {
    open: { type: Boolean, reflect: true },
    messages: { state: true },
    status: { state: true },
  };

  open = false;
  messages: ChatMessage[] = [];
  status: ConnectionStatus = 'idle';
  private readonly t: Strings = strings.en;
  private readonly connection: Connection;
  private readonly storage;

  constructor(readonly config: WidgetConfig) {
    super();
    this.storage = createStorage(config);
    this.connection = new Connection(
      this,
      config,
      {
        onMessage: (message) => {
          this.messages = [...this.messages, message];
        },
        onStatus: (status) => {
          this.status = status;
        },
      },
      this.storage,
    );
  }

  /** Opens the panel and moves focus to the composer. */
  show(): void {
    this.open = true;
  }

  /** Closes the panel and returns focus to the launcher. */
  hide(): void {
    this.open = false;
  }

  /** Sends a page view for the current page (or `url`). */
  trackPage(url = location.href): void {
    this.connection.send({
      type: 'page_view',
      page: { url, title: document.title, referrer: document.referrer },
    });
  }

  /** Sends a custom event. */
  track(name: string, props?: Record<string, unknown>): void {
    this.connection.send({ type: 'event', name, ...(props ? { props } : {}) });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.trackPage();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open') && changed.get('open') !== undefined) {
      const target = this.open ? 'input' : '.launcher';
      this.renderRoot.querySelector<HTMLElement>(target)?.focus();
    }
    if (changed.has('messages')) {
      const log = this.renderRoot.querySelector('.log');
      log?.scrollTo({ top: log.scrollHeight });
    }
  }

  private interacted(): void {
    this.storage.allow();
    this.connection.rememberVisitor();
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const input = this.renderRoot.querySelector('input');
    const text = input?.value.trim();
    if (!input || !text) return;
    this.interacted();
    this.connection.send({ type: 'message', text });
    input.value = '';
  }

  private onChoice(message: ChatMessage, value: string): void {
    this.interacted();
    this.connection.send({ type: 'choice', seq: message.seq, value });
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.open) {
      event.stopPropagation();
      this.hide();
    }
  }

  private statusText(): string | null {
    if (this.status === 'reconnecting') return this.t.reconnecting;
    if (this.status === 'offline') return this.t.offline;
    if (this.status === 'connecting' || this.status === 'idle') return this.t.connecting;
    return null;
  }

  private renderMessage(message: ChatMessage, index: number) {
    const answered = index < this.messages.length - 1;
    return html`<div class="msg" part="message" data-author=${message.author}>${message.text}${
      message.choices?.length
        ? html`<div class="choices">${message.choices.map(
            (choice) =>
              html`<button type="button" ?disabled=${answered} @click=${() => this.onChoice(message, choice.value)}>${choice.label}</button>`,
          )}</div>`
        : nothing
    }</div>`;
  }

  override render() {
    const title = this.connection.displayName || this.t.chat;
    const status = this.statusText();
    return html`
      <div class="panel" part="panel" role="dialog" aria-label=${title} ?hidden=${!this.open} @keydown=${this.onKeydown}>
        <header><span>${title}</span>
          <button type="button" aria-label=${this.t.closeChat} @click=${this.hide}>×</button></header>
        <div class="status" role="status" ?hidden=${!status}>${status ?? ''}</div>
        <div class="log" role="log" aria-live="polite">${this.messages.map((m, i) => this.renderMessage(m, i))}</div>
        <form @submit=${this.onSubmit}>
          <input type="text" aria-label=${this.t.message} autocomplete="off" maxlength="4000" />
          <button type="submit">${this.t.send}</button>
        </form>
      </div>
      <button type="button" class="launcher" part="launcher" aria-label=${this.t.openChat}
        aria-expanded=${this.open ? 'true' : 'false'} @click=${() => (this.open ? this.hide() : this.show())}>
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16v12H7l-3 3z"/></svg>
      </button>`;
  }
}
