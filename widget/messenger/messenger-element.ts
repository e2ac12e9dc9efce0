/**
 * <edgepilot-messenger>: launcher with unread badge, proactive bubble, banner, and the dialog
 * with connection state, message log, typing indicator, choices and a composer that adapts to
 * the question's input kind (SPEC 3.2). Thin: the connection lives in a ReactiveController;
 * every text is rendered as text.
 */
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import type { ChatMessage, ServerFrame } from '../../shared/protocol.ts';
import type { WidgetConfig } from '../config.ts';
import { Connection, type ConnectionStatus, type FrameInput } from '../transport/connection.ts';
import { inputFor, invalidAnswer } from './input-kinds.ts';
import {
  formView,
  messageView,
  type PendingMessage,
  pendingView,
  safeUrl,
} from './message-view.ts';
import { createStorage, type MessengerStorage } from './storage.ts';
import { directionOf, pickLocale, type StringKey, type Strings, strings } from './strings.ts';
import { messengerStyles, panelStyles } from './styles.ts';
import { whenIdle } from './tasks.ts';

export type MessengerEvent = 'ready' | 'open' | 'close' | 'message' | 'unread' | 'error';
type Banner = Extract<ServerFrame, { type: 'banner' }>;

export class MessengerElement extends LitElement {
  static override styles = messengerStyles;
  static override properties = {
    open: { type: Boolean, reflect: true },
    launcherHidden: { state: true },
    messages: { state: true },
    outbox: { state: true },
    status: { state: true },
    typing: { state: true },
    banner: { state: true },
    bubbleDismissed: { state: true },
    invalid: { state: true },
    formErrors: { state: true },
    locale: { state: true },
    displayName: { state: true },
    position: { state: true },
  };

  open = false;
  launcherHidden = false;
  messages: ChatMessage[] = [];
  outbox: PendingMessage[] = [];
  status: ConnectionStatus = 'connecting';
  typing: 'pilot' | 'agent' | null = null;
  banner: Banner | null = null;
  bubbleDismissed = false;
  invalid: StringKey | null = null;
  /** The messenger's own check of a capture form, until the server answers. */
  formErrors?: Record<string, string> | undefined;
  locale: string;
  displayName = '';
  /** The pilot's launcher corner (`left`: the start side); anything else is the default. */
  position = '';
  readonly storage: MessengerStorage;
  readonly connection: Connection;
  #readSeq: number | null = null;
  private lastUnread = 0;
  /** The panel is built on first open: until then only the launcher (and bubbles) render. */
  private panelBuilt = false;

  constructor(
    readonly config: WidgetConfig,
    private readonly emit: (event: MessengerEvent, detail?: unknown) => void,
  ) {
    super();
    this.storage = createStorage(config);
    this.locale = pickLocale(config.locale ?? navigator.language);
    this.connection = new Connection(
      this,
      config,
      {
        onFrame: (frame) => this.onFrame(frame),
        onStatus: (status) => {
          this.status = status;
        },
        onReset: () => {
          this.messages = [];
          this.readSeq = 0;
        },
        onRefused: (error) => this.emit('error', error),
      },
      this.storage,
    );
    this.connection.locale = this.locale;
    // Not needed for the launcher's first paint: fetched when the main thread is idle.
    if (!config.preview) whenIdle(() => void this.loadAppearance());
  }

  /**
   * The last message the visitor has seen, read from storage on first use (a page's first
   * localStorage access loads it synchronously: not during the launcher's first render).
   */
  private get readSeq(): number {
    this.#readSeq ??= Number(this.storage.read('read')) || 0;
    return this.#readSeq;
  }

  private set readSeq(seq: number) {
    this.#readSeq = seq;
  }

  private get t(): Strings {
    return strings[this.locale] ?? strings.en!;
  }

  /** Pilot/agent messages that arrived since the visitor last had the panel open. */
  get unread(): number {
    if (this.open) return 0;
    return this.messages.filter(
      (m) => m.seq > this.readSeq && (m.author === 'pilot' || m.author === 'agent'),
    ).length;
  }

  /** Opens the panel; focus moves to the composer. */
  show(): void {
    this.open = true;
  }

  /** Closes the panel; focus returns to the launcher. */
  hide(): void {
    this.open = false;
  }

  setLocale(tag: string): void {
    this.locale = pickLocale(tag);
    this.connection.setLocale(this.locale);
  }

  /** Opens the panel with `text` ready to send in the composer. */
  async prefill(text: string): Promise<void> {
    this.show();
    await this.updateComplete;
    const input = this.composer();
    if (input) input.value = text;
  }

  /** Sends a frame and counts as an interaction (storage may be written from now on). */
  interact(frame: FrameInput): string {
    this.storage.allow();
    this.connection.rememberVisitor();
    return this.connection.send(frame);
  }

  private async loadAppearance(): Promise<void> {
    try {
      const response = await fetch(`${this.config.api}/v1/widget/${this.config.pilotKey}/config`);
      if (!response.ok) return;
      const config = (await response.json()) as {
        displayName?: string;
        appearance?: { accentColor?: string; position?: string };
      };
      if (typeof config.displayName === 'string') this.displayName = config.displayName;
      if (config.appearance?.position === 'left') this.position = 'left';
      const accent = config.appearance?.accentColor;
      // Only a plain hex colour reaches CSS: nothing from the network is parsed as CSS text.
      if (accent && /^#[0-9a-f]{6}$/i.test(accent)) {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(`:host{--ep-accent:${accent}}`);
        await this.updateComplete;
        const root = this.renderRoot as ShadowRoot;
        root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
      }
    } catch {
      // No appearance: the default theme is fine.
    }
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'message': {
        const { message } = frame;
        this.messages = [...this.messages, message];
        this.formErrors = undefined;
        this.outbox = this.outbox.filter((p) => p.id !== message.clientId);
        if (message.author === this.typing) this.typing = null;
        if (message.author !== 'visitor') this.bubbleDismissed = false;
        if (this.open) this.markRead();
        this.emit('message', { author: message.author, text: message.text, seq: message.seq });
        break;
      }
      case 'typing':
        this.typing = frame.active ? frame.author : null;
        break;
      case 'banner':
        this.banner = frame;
        break;
      case 'redirect': {
        const url = safeUrl(frame.url);
        if (url && frame.newTab) open(url, '_blank', 'noopener');
        else if (url) location.assign(url);
        break;
      }
      case 'error': {
        const refused = this.outbox.find((p) => p.id === frame.id);
        if (refused) {
          // The server refused this message for good: say so, and give the visitor their text back.
          this.outbox = this.outbox.filter((p) => p !== refused);
          this.invalid = 'error';
          const input = this.composer();
          if (input && !input.value) input.value = refused.text;
        }
        this.emit('error', { code: frame.code, message: frame.message });
        break;
      }
    }
  }

  private markRead(): void {
    this.readSeq = this.messages.at(-1)?.seq ?? this.readSeq;
    this.storage.write('read', String(this.readSeq));
  }

  private composer(): HTMLInputElement | null {
    // Not a checkbox of a multiple-choice question in the log.
    return this.renderRoot.querySelector('form input');
  }

  /** The input kind the newest pilot question waits for, if it is still the last message. */
  private get question(): ChatMessage | undefined {
    const last = this.messages.at(-1);
    return last && last.author !== 'visitor' && last.input ? last : undefined;
  }

  /** The first render runs in a task of its own, apart from mounting: no long task. */
  protected override async scheduleUpdate(): Promise<void> {
    if (!this.hasUpdated) await new Promise((resolve) => setTimeout(resolve, 0));
    super.scheduleUpdate();
  }

  protected override willUpdate(): void {
    if (!this.open || this.panelBuilt) return;
    this.panelBuilt = true;
    const root = this.renderRoot as ShadowRoot;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, panelStyles.styleSheet!];
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The first update reports `open` as changed from undefined: only a real open counts then.
    const opened = changed.has('open') && (changed.get('open') !== undefined || this.open);
    if (opened) {
      if (this.open) this.markRead();
      this.emit(this.open ? 'open' : 'close');
      const target = this.open ? 'form input' : '.launcher';
      this.renderRoot.querySelector<HTMLElement>(target)?.focus();
    }
    // Only an open log is scrolled: reading scrollHeight forces a layout, wasted while hidden.
    const grew = changed.has('messages') || changed.has('outbox') || changed.has('typing');
    if (this.open && (opened || grew)) {
      const log = this.renderRoot.querySelector('.log');
      log?.scrollTo({ top: log.scrollHeight });
    }
    const unread = this.unread;
    if (unread !== this.lastUnread) {
      this.lastUnread = unread;
      this.emit('unread', unread);
    }
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    const input = this.composer();
    const text = input?.value.trim();
    if (!input || !text) return;
    this.invalid = invalidAnswer(this.question?.input, text);
    if (this.invalid) return;
    this.send(text);
    input.value = '';
  }

  /** Sends the visitor's words (typed, or the picked labels of a multiple-choice question). */
  private send = (text: string): void => {
    if (!text) return;
    const id = this.interact({ type: 'message', text });
    this.outbox = [...this.outbox, { id, text }];
  };

  /** Checks each value by its kind here (the server checks again), then sends the form. */
  private onForm = (event: SubmitEvent): void => {
    event.preventDefault();
    const question = this.question!;
    const values = Object.fromEntries(new FormData(event.target as HTMLFormElement)) as Record<
      string,
      string
    >;
    const errors: Record<string, string> = {};
    for (const f of question.form!) {
      const key = values[f.name] && invalidAnswer(f.kind, values[f.name]!);
      if (key) errors[f.name] = this.t[key];
    }
    this.formErrors = errors;
    if (!Object.keys(errors).length) this.interact({ type: 'form', seq: question.seq, values });
  };

  private onChoice = (message: ChatMessage, value: string): void => {
    this.interact({ type: 'choice', seq: message.seq, value });
  };

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.open) {
      event.stopPropagation();
      this.hide();
    }
  }

  private statusText(): string | null {
    return this.status === 'online' ? null : this.t[this.status];
  }

  private renderBubble() {
    const last = this.messages.at(-1);
    if (this.open || this.bubbleDismissed || !this.unread || !last) return nothing;
    return html`<div class="bubble card" part="bubble" role="status">
      <button type="button" dir="auto" @click=${this.show}>${last.post?.preview || last.post?.title || last.text}</button>
      <button type="button" class="x" aria-label=${this.t.dismiss} @click=${() => {
        this.bubbleDismissed = true;
      }}>×</button></div>`;
  }

  private renderBanner() {
    const banner = this.banner;
    if (!banner) return nothing;
    const url = safeUrl(banner.url);
    return html`<div class="banner card" part="banner" role="status" data-style=${banner.style}>
      ${url ? html`<a href=${url} target="_blank" rel="noopener noreferrer">${banner.text}</a>` : html`<span>${banner.text}</span>`}
      <button type="button" class="x" aria-label=${this.t.dismiss} @click=${() => {
        this.banner = null;
      }}>×</button></div>`;
  }

  private renderPanel() {
    const t = this.t;
    const title = this.displayName || this.connection.displayName || t.chat;
    const status = this.statusText();
    const kind = inputFor(this.question?.input);
    const last = this.messages.length - 1;
    return html`<div class="panel card" part="panel" role="dialog" aria-label=${title} ?hidden=${!this.open} @keydown=${this.onKeydown}>
      <div class="head"><span>${title}</span>
        <button type="button" class="x" aria-label=${t.closeChat} @click=${this.hide}>×</button></div>
      <div class="status" role="status" ?hidden=${!status}>${status ?? ''}</div>
      <div class="log" role="log" aria-live="polite">${this.messages.map((m, i) =>
        messageView(m, i < last, this.onChoice, this.send, t.send),
      )}${this.outbox.map((p) => pendingView(p, t.sending))}</div>
      <div class="typing" ?hidden=${!this.typing} role="status">${
        this.typing ? html`<i></i><i></i><i></i> ${title} ${t.typing}` : nothing
      }</div>
      ${
        this.question?.form
          ? formView(this.question, this.formErrors ?? this.question.errors, this.onForm, t.send)
          : html`<form @submit=${this.onSubmit} novalidate>
        <input dir="auto" type=${kind.type} inputmode=${kind.inputMode} autocomplete=${kind.autocomplete}
          aria-label=${t.message} maxlength="4000" aria-invalid=${this.invalid ? 'true' : 'false'}
          aria-describedby=${this.invalid ? 'ep-err' : nothing} @input=${() => {
            this.invalid = null;
          }} />
        <button type="submit">${t.send}</button>
        ${this.invalid ? html`<p class="err" id="ep-err" role="alert">${t[this.invalid]}</p>` : nothing}
      </form>`
      }
    </div>`;
  }

  override render() {
    const unread = this.unread;
    return html`<div class="root" dir=${directionOf(this.locale)} lang=${this.locale} data-position=${this.position || nothing}>
      ${this.renderBanner()}${this.renderBubble()}${this.panelBuilt ? this.renderPanel() : nothing}
      <button type="button" class="launcher" part="launcher" aria-label=${this.t.openChat}
        aria-expanded=${this.open ? 'true' : 'false'} ?hidden=${this.launcherHidden}
        data-unread=${unread || nothing} aria-description=${unread ? `${unread} ${this.t.unread}` : nothing}
        @click=${() => (this.open ? this.hide() : this.show())}>
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 4h16v12H7l-3 3z"/></svg>
      </button></div>`;
  }
}
