/**
 * The messenger's connection, as a Lit ReactiveController: session, WebSocket, heartbeat,
 * reconnect with jittered backoff, connect timeout, minimum uptime, resume from the last
 * sequence number, and a bounded queue of frames re-sent until acknowledged. Frames go out one
 * at a time (the next after the previous ack), so they are applied in order, and the server
 * deduplicates by frame id, so each is applied exactly once. Only this folder touches `WebSocket`.
 *
 * The socket opens only when there is something to receive (`wake`: the panel opens, the visitor
 * or the site sends a message, choice or contact, or a page view's answer says `live`: a run is
 * still working, a person has the open conversation and someone wrote in the last hours, or the
 * visitor wrote in the last minutes — the rule is the server's, ConversationRuntime.tail). A
 * socket the server refused for too many sockets (4009) is not retried until the next `wake`
 * from the visitor. Until then, and whenever no socket is open, page views and events go by `fetch`
 * (keepalive, a "simple" request); the answer carries what a socket would have said: the newest
 * messages (`onPreview`: the badge and bubble of a proactive greeting), banners and redirects.
 */
import { afterClose, type CloseCode, type ErrorCode } from '../../shared/errors.ts';
import type { ChatMessage, ClientFrame, ServerFrame } from '../../shared/protocol.ts';
import type { WidgetConfig } from '../config.ts';
import { backoffDelay } from './backoff.ts';
import { checkServerFrame, parseServerFrames } from './server-frame.ts';
import {
  type BeaconAnswer,
  checkedMessages,
  forgetStaleRead,
  readSession,
  requestSession,
  type Session,
  type SessionOutcome,
} from './session.ts';

export type ConnectionStatus = 'connecting' | 'online' | 'reconnecting' | 'offline' | 'unavailable';

export type OutgoingFrame = Exclude<ClientFrame, { type: 'hello' }>;
/** Frames as the element hands them over: without the protocol fields the transport adds. */
export type FrameInput = OutgoingFrame extends infer F
  ? F extends OutgoingFrame
    ? Omit<F, 'v' | 'id'>
    : never
  : never;

const HEARTBEAT_MS = 25_000;
const PONG_TIMEOUT_MS = 10_000;
const CONNECT_TIMEOUT_MS = 10_000;
const MIN_UPTIME_MS = 5_000;
const MAX_QUEUE = 100;
const RATE_LIMIT_RETRY_MS = 1_000;
/** The one error code compared here, typed: the `ErrorCode` table itself stays out of the bundle. */
const RATE_LIMITED: (typeof ErrorCode)['rateLimited'] = 'rate_limited';
/** The close codes this side closes with, typed likewise (the `CloseCode` table stays out too). */
const UNAUTHORIZED: (typeof CloseCode)['unauthorized'] = 4001;
const HEARTBEAT_TIMEOUT: (typeof CloseCode)['heartbeatTimeout'] = 4000;

/** A page view's answer, for a messenger without a socket: the conversation's newest messages. */
export interface Preview {
  lastSeq: number;
  messages: ChatMessage[];
}

/** What the connection needs of its element. */
export interface ConnectionHost {
  addController(controller: { hostConnected(): void; hostDisconnected(): void }): void;
  requestUpdate(): void;
}

export interface ConnectionCallbacks {
  onFrame(frame: ServerFrame): void;
  /** A page view's answer arrived while no socket was open. */
  onPreview(preview: Preview): void;
  /** A session started: its display name and appearance are the pilot's current ones. */
  onSession?(session: { displayName: string; appearance?: Session['appearance'] }): void;
  onStatus(status: ConnectionStatus): void;
  /** A new conversation replaced the previous one (identify, logout): drop the history. */
  onReset(): void;
  /** The server refused the session for good (untrusted origin, unknown pilot key). */
  onRefused(error: { code: string; message: string }): void;
}

/** Who the visitor claims to be: verified by the session endpoint with the HMAC `hash`. */
export interface UserClaim {
  userId: string;
  hash?: string;
}

/** The lean start-up's session request (with the first page view), handed to the connection. */
export interface SessionStart {
  /** The page view frames it carries (or, unsent, would have carried). */
  frames: OutgoingFrame[];
  /** The visitor key read from storage for it. */
  stored: string | null;
  /** The request; null when it was never sent. */
  request: Promise<SessionOutcome> | null;
}

export interface VisitorStore {
  read(key: string): string | null;
  write(key: string, value: string): void;
  remove(key: string): void;
}

/**
 * Its state is ES-private (`#`, not just TS-private): the host page cannot read the visitor
 * token, and the minifier gives the names a letter or two.
 */
export class Connection {
  locale = '';
  #status: ConnectionStatus = 'connecting';
  #host: ConnectionHost;
  #config: WidgetConfig;
  #callbacks: ConnectionCallbacks;
  #storage: VisitorStore;
  #socket: WebSocket | null = null;
  #session: Session | null = null;
  #sessionRequest: Promise<Session> | null = null;
  #user: UserClaim | null = null;
  /**
   * This tab's anonymous visitor key, in memory only (storage waits for interaction). A claim the
   * server does not verify leaves the visitor anonymous, so the next session asks for this
   * visitor again instead of a stranger's empty conversation; logout forgets it. The key, not the
   * visitor id (which admins see), is what resumes a visitor.
   */
  #anonymousVisitor: string | null = null;
  #lastSeq = 0;
  /** The last hello's id, until its welcome arrives ('' after). */
  #helloId = '';
  /** The last hello was refused (rate limited): it is said again after the pause. */
  #helloRefused = false;
  /** The replay page being received ends here; then the next hello asks for the rest. */
  #pageEnd = 0;
  #attempt = 0;
  #openedAt = 0;
  #pending: OutgoingFrame[] = [];
  /** Frames sent on the current socket and not yet acknowledged. */
  #sent = new Set<string>();
  #retry: ReturnType<typeof setTimeout> | undefined;
  #slowDown: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  #stopped = true;
  /** Something to receive: the socket opens (and reopens) from now on. */
  #wanted = false;
  /** A page view's answer is awaited: the next batch waits for it (one request at a time). */
  #posting = false;
  /**
   * A `connect` is awaiting its session: a second one must not start (both would open a socket
   * when it lands); the one in flight reads `wanted` after the await, so a `wake` meanwhile is
   * not lost.
   */
  #connecting = false;
  #refused = 0;
  /**
   * The server refused one more socket (4009, the conversation has all it may have: other tabs):
   * no reconnect, and a page view's `live` does not wake it, until the visitor sends something
   * or opens the panel (`wake`). Retrying would loop for as long as those tabs stay open.
   */
  #parked = false;
  #onNetwork = () => {
    if (navigator.onLine) return this.#reconnectNow();
    // The network is gone: do not wait for a heartbeat to notice. Typed messages queue up.
    this.#setStatus('offline');
    this.#socket?.close(1000, 'offline');
  };

  constructor(
    host: ConnectionHost,
    config: WidgetConfig,
    callbacks: ConnectionCallbacks,
    storage: VisitorStore,
  ) {
    this.#host = host;
    this.#config = config;
    this.#callbacks = callbacks;
    this.#storage = storage;
    host.addController(this);
  }

  hostConnected(): void {
    this.#stopped = false;
    addEventListener('online', this.#onNetwork);
    addEventListener('offline', this.#onNetwork);
    // In a task of its own, after the launcher's first render: no long task on the host page.
    // Only the session starts now (a refused origin is told at once); the socket waits for `wake`.
    clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#connect(), 0);
  }

  hostDisconnected(): void {
    this.#stopped = true;
    removeEventListener('online', this.#onNetwork);
    removeEventListener('offline', this.#onNetwork);
    clearTimeout(this.#retry);
    clearTimeout(this.#slowDown);
    this.#slowDown = undefined;
    clearInterval(this.#heartbeat);
    this.#socket?.close(1000, 'bye');
    this.#socket = null;
  }

  /** Queues a frame: sent in order over the socket until acknowledged. Returns its id. */
  send(frame: FrameInput): string {
    const full = { ...frame, v: 1, id: crypto.randomUUID() } as OutgoingFrame;
    if (this.#pending.length >= MAX_QUEUE) this.#pending.splice(isBackground(full) ? 0 : 1, 1);
    this.#pending.push(full);
    // A message, choice or contact goes over the socket: open it. Page views and events go by
    // fetch until one is open.
    if (!isBackground(full)) this.wake();
    this.#flush();
    this.#post();
    return full.id;
  }

  /** There is something to receive (the panel opened, a message was sent): open the socket. */
  wake(): void {
    this.#parked = false;
    if (this.#wanted) return;
    this.#wanted = true;
    this.#reconnectNow();
  }

  /** Persists the visitor key once storage is allowed (after interaction, by default). */
  rememberVisitor(): void {
    const key = this.#session?.visitorKey;
    if (key && !this.#user) this.#storage.write('visitor', key);
  }

  /**
   * Switches to another identity (a verified contact, or anonymous again after logout): a new
   * session, maybe a new conversation. Resolves with whether the server accepted the identity.
   */
  async reidentify(user: UserClaim | null): Promise<boolean> {
    this.#user = user;
    // A session requested before this call carries the old identity: let it land, then replace it.
    await this.#sessionRequest?.catch(() => undefined);
    if (!user) {
      this.#storage.remove('visitor');
      this.#anonymousVisitor = null;
    }
    const before = this.#session?.conversationId;
    this.#session = null;
    this.#socket?.close(1000, 'reidentify');
    const session = await this.#ensureSession();
    if (session.conversationId !== before) {
      this.#lastSeq = 0;
      this.#callbacks.onReset();
    }
    this.#reconnectNow();
    return session.identified;
  }

  /** Switches the locale flows see (`system.locale`): told to the server at once when online. */
  setLocale(locale: string): void {
    this.locale = locale;
    if (this.#isOpen()) this.#hello();
  }

  /** Resumes from the last sequence number (a repeat hello only replays what was missed). */
  #hello(): void {
    this.#helloId = crypto.randomUUID();
    this.#helloRefused = false;
    this.#pageEnd = 0;
    const hello = { v: 1, type: 'hello', id: this.#helloId, lastSeq: this.#lastSeq, batch: true };
    this.#socket?.send(JSON.stringify(this.locale ? { ...hello, locale: this.locale } : hello));
  }

  /** A socket open or still opening (a closing one is about to be replaced). */
  #live(): boolean {
    const state = this.#socket?.readyState;
    return state === WebSocket.OPEN || state === WebSocket.CONNECTING;
  }

  #isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /**
   * Page views and events do not wait for a socket: while none is open or opening (not needed
   * yet, blocked by a proxy, dropped, between retries) they go by `fetch` with keepalive (they
   * still leave with the page). One that a dropped socket may have delivered already is
   * deduplicated by the server (same frame id); a batch that fails stays queued, in order.
   */
  #post(): void {
    if (!this.#session || this.#socket || this.#posting || navigator.onLine === false) return;
    const frames = this.#takeBackground();
    if (!frames.length) return;
    const url = `${this.#config.api}/v1/widget/${this.#config.pilotKey}/events`;
    // A string body is text/plain: a "simple" cross-origin request (no preflight).
    const body = JSON.stringify({
      token: this.#session.token,
      frames,
      ...(this.locale ? { locale: this.locale } : {}),
    });
    fetch(url, { method: 'POST', body, keepalive: true })
      .then(async (response) => {
        // Not delivered (rate limited, say): they go with the next batch or the socket.
        if (!response.ok) return this.#giveBack(frames);
        this.#answered((await response.json()) as BeaconAnswer);
        this.#posting = false;
        // Page views queued meanwhile (an SPA navigation) go now, after this batch: in order.
        this.#post();
      })
      .catch(() => {
        // Not delivered (offline) or not read: likewise.
        this.#giveBack(frames);
      });
  }

  /** Takes up to 50 queued page views and events for one request (one request at a time). */
  #takeBackground(): OutgoingFrame[] {
    const frames: OutgoingFrame[] = this.#pending.filter(isBackground).slice(0, 50);
    if (!frames.length) return frames;
    this.#posting = true;
    this.#pending = this.#pending.filter((f) => !frames.includes(f));
    return frames;
  }

  /** The request carrying `frames` is over; those not delivered go first next time, in order. */
  #giveBack(frames: OutgoingFrame[]): void {
    this.#posting = false;
    this.#pending = [...frames, ...this.#pending.filter((f) => !frames.includes(f))];
  }

  /** A page view's answer: what a socket would have said. */
  #answered(answer: BeaconAnswer): void {
    if (this.#socket) return;
    for (const frame of answer.frames ?? []) {
      const parsed = checkServerFrame(frame);
      if (parsed) this.#callbacks.onFrame(parsed);
    }
    const messages = checkedMessages(answer);
    if (messages.length) {
      if (forgetStaleRead(answer, this.#storage)) {
        this.#lastSeq = 0;
        this.#callbacks.onReset();
      }
      this.#callbacks.onPreview({ lastSeq: answer.lastSeq, messages });
    }
    // More may come without the visitor (a run still working, a person's reply): listen for it.
    if (answer.live && !this.#parked) this.wake();
  }

  /**
   * Sends what this socket has not sent yet. Visitor messages, choices and forms go one at a time (the
   * next after the previous ack) so they are applied in order even if the server handles frames
   * concurrently; page views, events and contact updates do not wait.
   */
  #flush(): void {
    // Paused after a rate limit: the timer sends the rest in one go.
    if (!this.#isOpen() || this.#slowDown) return;
    let blocked = false;
    for (const frame of this.#pending) {
      const ordered = frame.type === 'message' || frame.type === 'choice' || frame.type === 'form';
      if (this.#sent.has(frame.id) || (ordered && blocked)) {
        blocked ||= ordered;
        continue;
      }
      this.#sent.add(frame.id);
      this.#socket!.send(JSON.stringify(frame));
      blocked ||= ordered;
    }
  }

  #settle(id: string): void {
    this.#pending = this.#pending.filter((f) => f.id !== id);
    this.#sent.delete(id);
    this.#flush();
  }

  /** Connects now (a session and queued page views only, until `wake`). */
  #reconnectNow(): void {
    if (this.#stopped || this.#connecting || this.#live()) return;
    clearTimeout(this.#retry);
    this.#attempt = 0;
    void this.#connect();
  }

  #ensureSession(): Promise<Session> {
    if (this.#session && this.#session.expiresAt - Date.now() > 30_000) {
      return Promise.resolve(this.#session);
    }
    this.#sessionRequest ??= this.#startSession().finally(() => {
      this.#sessionRequest = null;
    });
    return this.#sessionRequest;
  }

  async #startSession(): Promise<Session> {
    const stored = this.#storage.read('visitor');
    // Without a socket, the queued page view rides with the session request and the answer
    // says what the page view did (one request per page view, not two).
    const frames = this.#socket || this.#posting ? [] : this.#takeBackground();
    const outcome = await requestSession(this.#config, {
      visitorKey: stored ?? this.#anonymousVisitor,
      user: this.#user,
      frames,
      locale: this.locale,
    }).catch((error: unknown) => {
      if (frames.length) this.#giveBack(frames);
      throw error;
    });
    return this.#settleSession(outcome, frames, stored);
  }

  /** The session request's answer: the session, or (thrown) why not. */
  #settleSession(outcome: SessionOutcome, frames: OutgoingFrame[], stored: string | null): Session {
    const session = readSession(outcome);
    if (!session) {
      if (frames.length) this.#giveBack(frames);
      const { status } = outcome;
      const body = outcome.body as { error?: { code?: string; message?: string } } | null;
      const error = { code: 'session_failed', message: `HTTP ${status}`, ...body?.error };
      // 4xx other than timeouts and rate limits will not change by retrying: stop and say so.
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        this.#stopped = true;
        this.#setStatus('unavailable');
        this.#callbacks.onRefused(error as { code: string; message: string });
      }
      throw new Error(error.message);
    }
    this.#session = session;
    this.#callbacks.onSession?.(session);
    if (frames.length) {
      // Refused by the conversation's rate limit (nothing of them stored): sent again later.
      this.#giveBack(frames.filter((_, i) => session.page?.refused?.includes(i) ?? true));
      if (session.page) this.#answered(session.page);
    }
    if (session.visitorKey) {
      this.#anonymousVisitor = session.visitorKey;
      // The stored key did not resume (a plain visitor id from an older widget, or tampered):
      // forget it, or every later session of this tab would start yet another visitor.
      if (stored && stored !== session.visitorKey) this.#storage.remove('visitor');
    }
    // Kept only once storage is allowed (interaction or consent); a no-op before.
    this.rememberVisitor();
    return session;
  }

  /**
   * Takes over the session the lean start-up requested with the first page view (no second
   * session, no second page view): the request becomes this connection's own, settled as its
   * own would be (an answer that already arrived is settled in a microtask: still before the
   * next frame is drawn). Resolves once settled (rejections are `connect`'s to handle).
   */
  adopt({ frames, stored, request }: SessionStart): Promise<unknown> {
    if (!request) {
      // Never sent (offline, or the site's calls came first): queued like any page view.
      this.#pending.push(...frames);
      return Promise.resolve();
    }
    // As `takeBackground` would have: later page views wait for this request's answer.
    this.#posting = frames.length > 0;
    const settled = request.then(
      (outcome) => this.#settleSession(outcome, frames, stored),
      (error: unknown) => {
        this.#giveBack(frames);
        throw error;
      },
    );
    this.#sessionRequest = settled.finally(() => {
      this.#sessionRequest = null;
    });
    return this.#sessionRequest.catch(() => undefined);
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    // Offline: the `online` event reconnects (no pointless attempts meanwhile).
    if (navigator.onLine === false) return this.#setStatus('offline');
    if (this.#connecting) return;
    if (this.#wanted) this.#setStatus(this.#attempt ? 'reconnecting' : 'connecting');
    this.#connecting = true;
    try {
      const session = await this.#ensureSession();
      this.#connecting = false;
      if (this.#wanted) this.#open(session);
      else this.#post();
    } catch {
      this.#connecting = false;
      this.#scheduleReconnect();
    }
  }

  #open(session: Session): void {
    // One socket at a time: one that is open or still opening is not replaced.
    if (this.#stopped || this.#live()) return;
    const base = this.#config.api.replace(/^http/, 'ws');
    // The token travels as the second subprotocol, never in the URL (URLs get logged).
    const socket = new WebSocket(
      `${base}/v1/widget/conversations/${encodeURIComponent(session.conversationId)}/socket`,
      ['edgepilot.v1', session.token],
    );
    this.#socket = socket;
    const connectTimer = setTimeout(() => socket.close(), CONNECT_TIMEOUT_MS);
    let opened = false;
    socket.onopen = () => {
      opened = true;
      clearTimeout(connectTimer);
      this.#openedAt = this.#lastHeard = Date.now();
      this.#hello();
      this.#sent.clear();
      this.#flush();
      this.#startHeartbeat(socket);
      this.#setStatus('online');
    };
    socket.onmessage = (event) => this.#receive(String(event.data), socket);
    socket.onclose = (event) => {
      clearTimeout(connectTimer);
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#post();
      // Only a socket that stayed up for a while resets the backoff (no tight reconnect loops).
      if (opened && Date.now() - this.#openedAt >= MIN_UPTIME_MS) this.#attempt = 0;
      // A refused upgrade may mean a stale token: after two in a row, start a fresh session
      // (one refusal alone keeps the session, so beacons still work where sockets are blocked).
      this.#refused = opened ? 0 : this.#refused + 1;
      const after = afterClose(event.code);
      // A terminal code (`renew`): reconnecting with this token is pointless.
      if (after === 'renew' || this.#refused >= 2) {
        this.#session = null;
        this.#refused = 0;
      }
      if (after === 'park') {
        // Page views go on by POST (above); the next `wake` (a message, the panel) tries again.
        this.#parked = true;
        this.#wanted = false;
        clearInterval(this.#heartbeat);
        clearTimeout(this.#retry);
        this.#setStatus('online');
        return;
      }
      this.#scheduleReconnect();
    };
  }

  #receive(raw: string, socket: WebSocket): void {
    this.#lastHeard = Date.now();
    // A frame of a batch may close this socket (`unauthorized`): the rest is not read, as a
    // closing socket (readyState 2, CLOSING) delivers nothing more.
    for (const frame of parseServerFrames(raw)) if (socket.readyState < 2) this.#frame(frame);
  }

  #frame(frame: ServerFrame): void {
    if (frame.type === 'ack') {
      this.#settle(frame.id);
    } else if (frame.type === 'welcome') {
      this.#helloId = '';
      this.#pageEnd = frame.pageEnd ?? 0;
      // The conversation ends below what this tab has seen: an admin erased it (close 4011).
      // Drop the history and replay the fresh conversation from its first message.
      if (frame.lastSeq < this.#lastSeq) {
        this.#lastSeq = 0;
        this.#callbacks.onReset();
        this.#hello();
        return;
      }
    } else if (frame.type === 'message') {
      if (frame.message.seq <= this.#lastSeq) return;
      this.#lastSeq = frame.message.seq;
      // The end of a replay page: ask for the next one (the server holds live messages back).
      if (this.#pageEnd && this.#lastSeq >= this.#pageEnd) this.#hello();
    } else if (frame.type === 'error' && frame.code === 'unauthorized') {
      this.#session = null;
      this.#socket?.close(UNAUTHORIZED, 'unauthorized');
    } else if (frame.type === 'error' && frame.code === RATE_LIMITED) {
      // Too fast: nothing of a refused frame was done. With an id, that frame stays queued (in
      // order) and goes again soon; a refused hello is said again. Without one, the socket's
      // budget dropped frames unread: everything unacknowledged goes again (the server
      // deduplicates by id), and the hello too if its welcome never came.
      if (frame.id) this.#sent.delete(frame.id);
      else this.#sent.clear();
      if (this.#helloId && (!frame.id || frame.id === this.#helloId)) this.#helloRefused = true;
      if (!this.#slowDown) {
        this.#slowDown = setTimeout(() => {
          this.#slowDown = undefined;
          if (this.#helloRefused && this.#isOpen()) this.#hello();
          this.#flush();
        }, RATE_LIMIT_RETRY_MS);
      }
      return;
    } else if (frame.type === 'error' && frame.id) {
      // The server refused this frame for good (invalid): do not resend it forever.
      this.#settle(frame.id);
    }
    this.#callbacks.onFrame(frame);
  }

  #startHeartbeat(socket: WebSocket): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastHeard > HEARTBEAT_MS + PONG_TIMEOUT_MS) {
        socket.close(HEARTBEAT_TIMEOUT, 'heartbeat timeout');
      } else if (socket.readyState === WebSocket.OPEN) socket.send('ping');
    }, HEARTBEAT_MS);
  }

  #scheduleReconnect(): void {
    clearInterval(this.#heartbeat);
    clearTimeout(this.#retry);
    if (this.#stopped) return;
    this.#setStatus(navigator.onLine === false ? 'offline' : 'reconnecting');
    this.#retry = setTimeout(() => void this.#connect(), backoffDelay(this.#attempt++));
  }

  #setStatus(status: ConnectionStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#callbacks.onStatus(status);
    this.#host.requestUpdate();
  }
}

type BackgroundFrame = Extract<OutgoingFrame, { type: 'page_view' | 'event' }>;
const isBackground = (frame: OutgoingFrame): frame is BackgroundFrame =>
  frame.type === 'page_view' || frame.type === 'event';

export type { ChatMessage };
