/**
 * The launcher, its unread badge and the proactive bubble in a shadow root, drawn with plain DOM
 * (no framework: the first paint on every page view costs next to nothing). Shared by the lean
 * start-up (index.ts) and the full messenger element, so both draw the same accessible launcher
 * (SPEC 3.2: a button named "Open chat" with aria-expanded, the unread count as its
 * aria-description). Every text is set as text, never parsed as HTML.
 */
import { directionOf, type Strings } from './strings.ts';
import { launcherCss } from './styles.ts';

const CHAT_ICON = 'M4 4h16v12H7l-3 3z';
const CLOSE_ICON =
  'M5.3 4 12 10.7 18.7 4 20 5.3 13.3 12 20 18.7 18.7 20 12 13.3 5.3 20 4 18.7 10.7 12 4 5.3z';

const SVG = 'http://www.w3.org/2000/svg';

let launcherSheet: CSSStyleSheet | undefined;

/** What the launcher shows. */
export interface LauncherState {
  t: Strings;
  locale: string;
  position: string;
  open: boolean;
  hidden: boolean;
  /** Unread pilot/agent messages among `messages` (`unreadOf`), 0 while open. */
  unread: number;
  /** The messages shown: with unread ones, the bubble says the newest (unless dismissed). */
  messages: readonly BubbleMessage[];
  bubbleDismissed: boolean;
}

/** What the bubble needs of a message: a post shows its preview. */
interface BubbleMessage {
  text: string;
  post?: { preview?: string; title?: string } | undefined;
}

/** A control of the launcher that can hold keyboard focus: the takeover carries it over. */
export type LauncherPart = 'launcher' | 'bubble' | 'dismiss';

export interface LauncherHandlers {
  /** The launcher was clicked. */
  toggle(): void;
  /** The visitor is about to open it (pointer over, keyboard focus). */
  intent(): void;
  /** The bubble's text was clicked. */
  openBubble(): void;
  /** The bubble's × was clicked. */
  dismiss(): void;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

/** Sets or removes an attribute; an unchanged one is left alone (no style invalidation). */
export function attr(
  node: Element,
  name: string,
  value: string | number | null | false | undefined,
) {
  const now = node.getAttribute(name);
  if (value === null || value === false || value === undefined) {
    if (now !== null) node.removeAttribute(name);
  } else if (now !== String(value)) node.setAttribute(name, String(value));
}

export class LauncherView {
  readonly root: ShadowRoot;
  /** Where panel.ts draws the banner and the dialog. */
  readonly bannerBox = el('div', { class: 'box' });
  readonly panelBox = el('div', { class: 'box' });
  readonly launcher = el('button', { type: 'button', class: 'launcher', part: 'launcher' });
  private readonly wrap = el('div', { class: 'root' });
  private readonly icon: SVGPathElement;
  private bubble: { box: HTMLDivElement; text: HTMLButtonElement; x: HTMLButtonElement } | null =
    null;
  /** The pilot's accent colour in use, and the sheet that sets it. */
  private accent = '';
  private accentSheet: CSSStyleSheet | undefined;

  constructor(
    host: HTMLElement,
    private readonly on: LauncherHandlers,
  ) {
    this.root = host.attachShadow({ mode: 'open' });
    launcherSheet ??= new CSSStyleSheet();
    if (!launcherSheet.cssRules.length) launcherSheet.replaceSync(launcherCss);
    this.root.adoptedStyleSheets = [launcherSheet];
    this.launcher.onclick = () => on.toggle();
    this.launcher.onpointerenter = this.launcher.onfocus = () => on.intent();
    const svg = document.createElementNS(SVG, 'svg');
    attr(svg, 'viewBox', '0 0 24 24');
    attr(svg, 'aria-hidden', 'true');
    this.icon = svg.appendChild(document.createElementNS(SVG, 'path'));
    this.launcher.append(svg);
    this.wrap.append(this.bannerBox, this.panelBox, this.launcher);
    this.root.append(this.wrap);
  }

  /**
   * The pilot's appearance, as the session's answer carries it: sets its accent colour (only a
   * plain hex colour reaches CSS: nothing from the network is parsed as CSS text) and returns its
   * launcher corner for `draw` (`left`, the start side; '' for the default).
   */
  setAppearance(appearance: { accentColor?: unknown; position?: unknown } | undefined): string {
    const accent = appearance?.accentColor;
    if (typeof accent === 'string' && /^#[0-9a-f]{6}$/i.test(accent) && accent !== this.accent) {
      this.accent = accent;
      this.accentSheet ??= new CSSStyleSheet();
      this.accentSheet.replaceSync(`:host{--ep-accent:${accent}}`);
      if (!this.root.adoptedStyleSheets.includes(this.accentSheet))
        this.root.adoptedStyleSheets = [...this.root.adoptedStyleSheets, this.accentSheet];
    }
    return appearance?.position === 'left' ? 'left' : '';
  }

  draw(s: LauncherState): void {
    attr(this.wrap, 'dir', directionOf(s.locale));
    attr(this.wrap, 'lang', s.locale);
    attr(this.wrap, 'data-position', s.position || null);
    const l = this.launcher;
    attr(l, 'aria-label', s.t.openChat);
    attr(l, 'aria-expanded', String(s.open));
    l.hidden = s.hidden;
    attr(l, 'data-unread', s.unread || null);
    attr(l, 'aria-description', s.unread ? `${s.unread} ${s.t.unread}` : null);
    attr(this.icon, 'd', s.open ? CLOSE_ICON : CHAT_ICON);
    // Something unread is among `messages`: there is a newest one to show.
    const last = s.messages.at(-1)!;
    this.drawBubble(
      s.open || s.bubbleDismissed || !s.unread
        ? null
        : last.post?.preview || last.post?.title || last.text,
      s.t,
    );
  }

  /** The control with keyboard focus in this shadow root, if any. */
  focusedPart(): LauncherPart | null {
    const active = this.root.activeElement;
    if (!active) return null;
    if (active === this.launcher) return 'launcher';
    if (active === this.bubble?.text) return 'bubble';
    return active === this.bubble?.x ? 'dismiss' : null;
  }

  /** Focuses `part` (true), or does nothing when it is not drawn (false). */
  focusPart(part: LauncherPart): boolean {
    const target =
      part === 'launcher' ? this.launcher : part === 'bubble' ? this.bubble?.text : this.bubble?.x;
    target?.focus();
    return !!target;
  }

  private drawBubble(said: string | null, t: Strings): void {
    if (said === null) {
      this.bubble?.box.remove();
      this.bubble = null;
      return;
    }
    if (!this.bubble) {
      const box = el('div', { class: 'bubble card', part: 'bubble', role: 'status' });
      const text = el('button', { type: 'button', dir: 'auto' });
      text.onclick = () => this.on.openBubble();
      const x = el('button', { type: 'button', class: 'x' });
      x.onclick = () => this.on.dismiss();
      x.textContent = '×';
      box.append(text, x);
      this.bubble = { box, text, x };
      this.panelBox.before(box);
    }
    // A text node: whatever the message says is never parsed as HTML.
    if (this.bubble.text.textContent !== said) this.bubble.text.textContent = said;
    attr(this.bubble.x, 'aria-label', t.dismiss);
  }
}

/** Pilot/agent messages after `readSeq`: the badge's count. */
export function unreadOf(
  messages: readonly { seq: number; author: string }[],
  readSeq: () => number,
) {
  let count = 0;
  for (const m of messages) {
    if (m.author !== 'pilot' && m.author !== 'agent') continue;
    // Only a message that arrived can make the page read storage: none, no read.
    if (m.seq > readSeq()) count++;
  }
  return count;
}
