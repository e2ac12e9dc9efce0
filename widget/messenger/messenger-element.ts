/**
 * <edgepilot-messenger>, the full messenger's element (it replaces the lean start-up's launcher,
 * full.ts): the launcher with its unread badge and the proactive bubble, drawn without a
 * framework by the LauncherView the lean start-up uses too; the dialog
 * (connection state, message log, typing indicator, choices, a composer that adapts to the
 * question's input kind, SPEC 3.2) and banners are drawn by panel.ts (Lit), loaded on first
 * open or when a banner arrives. Every text is rendered as text.
 */
import type { ChatMessage, ServerFrame } from '../../shared/protocol.ts';
import type { WidgetConfig } from '../config.ts';
import {
  Connection,
  type ConnectionStatus,
  type FrameInput,
  type Preview,
} from '../transport/connection.ts';
import { LauncherView, unreadOf } from './launcher-view.ts';
import type { Banner, PanelHost, PendingMessage } from './panel-host.ts';
import { safeUrl } from './safe-url.ts';
import { createStorage, type MessengerStorage } from './storage.ts';
import { pickLocale, type StringKey, type Strings, strings } from './strings.ts';
import { nextTask } from './tasks.ts';

export type MessengerEvent = 'ready' | 'open' | 'close' | 'message' | 'unread' | 'error';
export type { Banner, PendingMessage };

type Panel = typeof import('./panel.ts');

/**
 * State whose change redraws the messenger (in one microtask, like a Lit reactive property), as
 * it starts: each key is an accessor on the element (see the static block).
 */
const initialState = () => ({
  open: false,
  launcherHidden: false,
  messages: [],
  outbox: [],
  status: 'connecting',
  typing: null,
  banner: null,
  bubbleDismissed: false,
  invalid: null,
  formErrors: undefined,
  locale: 'en',
  displayName: '',
  position: '',
});
type Key = keyof ReturnType<typeof initialState>;

export class MessengerElement extends HTMLElement implements PanelHost {
  declare open: boolean;
  declare launcherHidden: boolean;
  declare messages: ChatMessage[];
  declare outbox: PendingMessage[];
  declare status: ConnectionStatus;
  declare typing: 'pilot' | 'agent' | null;
  declare banner: Banner | null;
  declare bubbleDismissed: boolean;
  declare invalid: StringKey | null;
  /** The messenger's own check of a capture form, until the server answers. */
  declare formErrors: Record<string, string> | undefined;
  declare locale: string;
  declare displayName: string;
  /** The pilot's launcher corner (`left`: the start side); anything else is the default. */
  declare position: string;
  readonly storage: MessengerStorage;
  readonly connection: Connection;
  readonly root: ShadowRoot;
  /** Where panel.ts draws the banner and the dialog. */
  readonly bannerBox: HTMLDivElement;
  readonly panelBox: HTMLDivElement;
  /** The Lit panel module, once loaded. */
  panel: Panel | null = null;
  /** Resolves after the next redraw (the panel's too, when it is loaded). */
  updateComplete: Promise<void> = Promise.resolve();
  #state: Record<Key, unknown> = initialState();
  #changed = new Set<Key>();
  #queued = false;
  #loading: Promise<Panel> | null = null;
  /** The launcher, badge and bubble (plain DOM, shared with the lean start-up). */
  readonly view: LauncherView;
  #controllers: { hostConnected(): void; hostDisconnected(): void }[] = [];
  #readSeq: number | null = null;
  #lastUnread = 0;
  /** `open` changed and its consequences (event, focus) wait for the panel to be drawn. */
  #openChanged = false;
  #told: 'open' | 'close' = 'close';
  /** Messages shown from a page view's answer, until the socket replays the whole history. */
  #previewing = false;
  /**
   * The socket's replay, gathered while the preview stays on screen: swapped in once it reaches
   * the newest message shown (an open log never empties and refills while it arrives).
   */
  #replay: { until: number; messages: ChatMessage[] } | null = null;
  /** The newest message `message` was emitted for. */
  #emitted = 0;

  /** `storage`: the lean start-up's, when this element takes over from it (consent state kept). */
  constructor(
    readonly config: WidgetConfig,
    readonly emit: (event: MessengerEvent, detail?: unknown) => void,
    storage?: MessengerStorage,
  ) {
    super();
    this.view = new LauncherView(this, {
      toggle: () => (this.open ? this.hide() : this.show()),
      // The visitor is about to open it (pointer over, keyboard focus): fetch the panel now.
      intent: () => void this.loadPanel().catch(() => undefined),
      openBubble: () => this.show(),
      dismiss: () => {
        this.bubbleDismissed = true;
      },
    });
    this.root = this.view.root;
    this.bannerBox = this.view.bannerBox;
    this.panelBox = this.view.panelBox;
    this.storage = storage ?? createStorage(config);
    this.#state.locale = pickLocale(config.locale ?? navigator.language);
    this.connection = new Connection(
      this,
      config,
      {
        onFrame: (frame) => this.#onFrame(frame),
        onPreview: (preview) => this.#onPreview(preview),
        onSession: (session) => this.#applyAppearance(session),
        onStatus: (status) => {
          this.status = status;
        },
        onReset: () => {
          this.messages = [];
          this.readSeq = 0;
          this.#emitted = 0;
          this.#previewing = false;
          this.#replay = null;
        },
        onRefused: (error) => {
          this.emit('error', error);
          // No session, so no appearance with it (an untrusted page, say): the panel that says
          // chat is unavailable still carries the pilot's name and colours.
          void this.#loadAppearance();
        },
      },
      this.storage,
    );
    this.connection.locale = this.locale;
  }

  addController(controller: { hostConnected(): void; hostDisconnected(): void }): void {
    this.#controllers.push(controller);
  }

  connectedCallback(): void {
    for (const c of this.#controllers) c.hostConnected();
    // The first draw is a task of its own, apart from mounting: neither is a long one.
    nextTask(() => this.requestUpdate());
  }

  disconnectedCallback(): void {
    for (const c of this.#controllers) c.hostDisconnected();
  }

  requestUpdate(): void {
    if (this.#queued) return;
    this.#queued = true;
    this.updateComplete = Promise.resolve().then(() => this.update());
  }

  /**
   * The last message the visitor has seen, read from storage on first use (a page's first
   * localStorage access loads it synchronously: not during the launcher's first render).
   */
  get readSeq(): number {
    this.#readSeq ??= Number(this.storage.read('read')) || 0;
    return this.#readSeq;
  }

  set readSeq(seq: number) {
    this.#readSeq = seq;
  }

  get t(): Strings {
    return strings[this.locale] ?? strings.en!;
  }

  /** Pilot/agent messages that arrived since the visitor last had the panel open. */
  get unread(): number {
    return this.open ? 0 : unreadOf(this.messages, () => this.readSeq);
  }

  /** The input kind the newest pilot question waits for, if it is still the last message. */
  get question(): ChatMessage | undefined {
    const last = this.messages.at(-1);
    return last && last.author !== 'visitor' && last.input ? last : undefined;
  }

  /** Opens the panel (loading it on first open); focus moves to the composer. */
  show(): void {
    this.open = true;
    // Something to say or read: now the conversation needs its socket.
    this.connection.wake();
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
    await this.loadPanel();
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

  composer(): HTMLInputElement | null {
    // Not a checkbox of a multiple-choice question in the log.
    return this.root.querySelector('form input');
  }

  /** Sends the visitor's words (typed, or the picked labels of a multiple-choice question). */
  send(text: string): void {
    if (!text) return;
    const id = this.interact({ type: 'message', text });
    this.outbox = [...this.outbox, { id, text }];
  }

  /** Loads the Lit panel once; a failed load is retried on the next need. */
  loadPanel(): Promise<Panel> {
    this.#loading ??= import('./panel.ts').then(
      (panel) => {
        this.panel = panel;
        this.requestUpdate();
        return panel;
      },
      (error: unknown) => {
        this.#loading = null;
        console.error('[edgepilot] panel failed to load', error);
        throw error;
      },
    );
    return this.#loading;
  }

  /** The pilot's appearance by `GET /config`: only when no session answer brings it. */
  async #loadAppearance(): Promise<void> {
    try {
      const response = await fetch(`${this.config.api}/v1/widget/${this.config.pilotKey}/config`);
      if (response.ok) this.#applyAppearance(await response.json());
    } catch {
      // No appearance: the default theme is fine.
    }
  }

  /** The pilot's display name and appearance, as the session's answer carries them. */
  #applyAppearance(session: {
    displayName: string;
    appearance?: { accentColor?: string; position?: string };
  }): void {
    if (typeof session.displayName === 'string') this.displayName = session.displayName;
    this.position = this.view.setAppearance(session.appearance);
  }

  /**
   * A page view's answer, before any socket: the newest messages (a proactive greeting, unread
   * replies) shown as the badge and bubble; the socket replays the whole history when it opens.
   */
  #onPreview(preview: Preview): void {
    if (!this.#previewing && this.messages.length) return;
    this.#previewing = true;
    this.messages = preview.messages;
    for (const m of preview.messages)
      if (this.#announce(m) && m.author !== 'visitor') this.bubbleDismissed = false;
  }

  /** Emits `message` once per message, whether it came with a page view or over the socket. */
  #announce(message: ChatMessage): boolean {
    if (message.seq <= this.#emitted) return false;
    this.#emitted = message.seq;
    this.emit('message', { author: message.author, text: message.text, seq: message.seq });
    return true;
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        // The socket replays from the start: the preview gives way to the full history.
        if (this.#previewing) {
          this.#previewing = false;
          const shown = this.messages.at(-1)?.seq ?? 0;
          if (shown && frame.lastSeq >= shown) this.#replay = { until: shown, messages: [] };
          else this.messages = [];
        }
        break;
      case 'message': {
        const { message } = frame;
        const replay = this.#replay;
        if (replay) {
          replay.messages.push(message);
          if (message.seq < replay.until) break;
          this.#replay = null;
          this.messages = replay.messages;
        } else this.messages = [...this.messages, message];
        this.formErrors = undefined;
        this.outbox = this.outbox.filter((p) => p.id !== message.clientId);
        if (message.author === this.typing) this.typing = null;
        if (message.author !== 'visitor') this.bubbleDismissed = false;
        if (this.open) this.markRead();
        this.#announce(message);
        break;
      }
      case 'typing':
        this.typing = frame.active ? frame.author : null;
        break;
      case 'banner':
        this.banner = frame;
        break;
      case 'redirect': {
        // The URL check the panel uses too: only http(s), resolved against this page.
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

  markRead(): void {
    this.readSeq = this.messages.at(-1)?.seq ?? this.readSeq;
    this.storage.write('read', String(this.readSeq));
  }

  /** Draws the launcher and bubble, then the panel when loaded; then focus, scroll, events. */
  update(): void {
    this.#queued = false;
    const changed = this.#changed;
    this.#changed = new Set();
    this.view.draw({
      t: this.t,
      locale: this.locale,
      position: this.position,
      open: this.open,
      hidden: this.launcherHidden,
      unread: this.unread,
      messages: this.messages,
      bubbleDismissed: this.bubbleDismissed,
    });
    if ((this.open || this.banner) && !this.panel) void this.loadPanel().catch(() => undefined);
    this.panel?.draw(this);

    if (changed.has('open')) this.#openChanged = true;
    let opened = false;
    if (this.#openChanged && (this.panel || !this.open)) {
      this.#openChanged = false;
      const now = this.open ? 'open' : 'close';
      if (now !== this.#told) {
        this.#told = now;
        opened = this.open;
        if (this.open) this.markRead();
        this.emit(now);
        // The console's preview must not take focus from the settings form around it.
        if (!this.config.preview) (this.open ? this.composer() : this.view.launcher)?.focus();
      }
    }
    // Only an open log is scrolled: reading scrollHeight forces a layout, wasted while hidden.
    const grew = changed.has('messages') || changed.has('outbox') || changed.has('typing');
    if (this.open && this.panel && (opened || grew)) {
      const log = this.root.querySelector('.log');
      log?.scrollTo({ top: log.scrollHeight });
    }
    const after = this.unread;
    if (after !== this.#lastUnread) {
      this.#lastUnread = after;
      this.emit('unread', after);
    }
  }

  static {
    for (const key of Object.keys(initialState()) as Key[]) {
      Object.defineProperty(MessengerElement.prototype, key, {
        get(this: MessengerElement) {
          return this.#state[key];
        },
        set(this: MessengerElement, value: unknown) {
          if (this.#state[key] === value) return;
          this.#state[key] = value;
          this.#changed.add(key);
          this.requestUpdate();
        },
      });
    }
  }
}
