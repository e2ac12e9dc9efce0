/**
 * One Durable Object per conversation. Thin: it validates frames, loads what the pure engine
 * needs, commits each turn's writes in one synchronous section (one atomic SQLite commit,
 * held behind the output gate) and only then fans the new messages out to every open tab.
 */
import { DurableObject } from 'cloudflare:workers';
import { newRun, step } from '../../shared/engine/engine.ts';
import type { Effect, EngineContext, RunState } from '../../shared/engine/types.ts';
import { ErrorCode } from '../../shared/errors.ts';
import { type PublishedFlow, selectFlow, type TriggerInput } from '../../shared/flow/match.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import {
  type ChatMessage,
  type ClientFrame,
  HEARTBEAT_PING,
  HEARTBEAT_PONG,
  parseClientFrame,
  type ServerFrame,
} from '../../shared/protocol.ts';
import type { AppEnv } from '../env.ts';
import { readSnapshot } from '../store/snapshots.ts';
import { ConversationStorage } from './storage.ts';

/** Per-socket state, kept in the socket attachment so it survives hibernation. */
export interface SocketAttachment {
  visitorId: string;
  pilotKey: string;
  conversationId: string;
}

/** How long a KV snapshot is reused in memory before a trigger reads it again. */
const SNAPSHOT_TTL_MS = 2_000;

export class ConversationObject extends DurableObject<AppEnv> {
  private readonly store: ConversationStorage;
  private snapshot: { value: PilotSnapshot | null; loadedAt: number } | null = null;

  constructor(ctx: DurableObjectState, env: AppEnv) {
    super(ctx, env);
    this.store = new ConversationStorage(ctx.storage.sql);
    // Heartbeats are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(HEARTBEAT_PING, HEARTBEAT_PONG));
  }

  /** Accepts the visitor's WebSocket; the Worker has already verified the visitor token. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Expected a WebSocket upgrade', { status: 426 });
    }
    const attachment: SocketAttachment = {
      visitorId: request.headers.get('x-visitor-id') ?? '',
      pilotKey: request.headers.get('x-pilot-key') ?? '',
      conversationId: request.headers.get('x-conversation-id') ?? '',
    };
    this.remember(attachment);
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment(attachment);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** Records who this conversation belongs to, the first time anyone connects. */
  private remember(identity: SocketAttachment): void {
    if (this.store.getMeta('pilotKey')) return;
    this.store.setMeta('pilotKey', identity.pilotKey);
    this.store.setMeta('conversationId', identity.conversationId);
    this.store.setMeta('visitorId', identity.visitorId);
  }

  override async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    const frame = typeof raw === 'string' ? parseClientFrame(raw) : null;
    if (!frame) {
      send(ws, { v: 1, type: 'error', code: ErrorCode.invalidInput, message: 'Malformed frame' });
      return;
    }
    if (frame.type === 'hello') {
      this.replay(ws, frame.lastSeq);
      return;
    }
    await this.handleFrame(frame, ws);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    // Complete the closing handshake; 1005/1006 are reserved and cannot be sent back.
    ws.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
  }

  /** Sends the welcome frame and every message after `lastSeq`, in order. */
  private replay(ws: WebSocket, lastSeq: number): void {
    const conversationId = this.store.getMeta('conversationId') ?? '';
    send(ws, { v: 1, type: 'welcome', conversationId, lastSeq: this.store.lastSeq() });
    for (const message of this.store.messagesAfter(lastSeq))
      send(ws, { v: 1, type: 'message', message });
  }

  /** Handles one non-hello frame exactly once, however often it arrives. */
  private async handleFrame(
    frame: Exclude<ClientFrame, { type: 'hello' }>,
    origin: WebSocket | null,
  ): Promise<void> {
    const needsSnapshot = frame.type !== 'choice' || !this.store.activeRun();
    const snapshot = needsSnapshot ? await this.loadSnapshot() : null;
    const now = Date.now();
    // From here to the broadcast there is no `await`: one atomic commit for the whole turn.
    if (this.store.hasClientFrame(frame.id)) {
      if (origin) send(origin, { v: 1, type: 'ack', id: frame.id });
      return;
    }
    this.store.markClientFrame(frame.id, now);
    const added = this.applyFrame(frame, snapshot, now);
    if (origin) send(origin, { v: 1, type: 'ack', id: frame.id });
    for (const message of added) this.broadcast({ v: 1, type: 'message', message });
  }

  private applyFrame(
    frame: Exclude<ClientFrame, { type: 'hello' }>,
    snapshot: PilotSnapshot | null,
    now: number,
  ): ChatMessage[] {
    switch (frame.type) {
      case 'page_view':
        this.store.setMeta('page', JSON.stringify(frame.page));
        return this.trigger({ type: 'page_visited', url: frame.page.url }, snapshot, now);
      case 'event':
        return this.trigger({ type: 'event', name: frame.name }, snapshot, now);
      case 'message': {
        const visitor = this.store.appendMessage({
          author: 'visitor',
          text: frame.text,
          at: now,
          clientId: frame.id,
        });
        return [visitor, ...this.answer({ type: 'input', text: frame.text }, snapshot, now)];
      }
      case 'choice': {
        const asked = this.store.message(frame.seq);
        const choice = asked?.choices?.find((c) => c.value === frame.value);
        if (!choice) return [];
        const visitor = this.store.appendMessage({
          author: 'visitor',
          text: choice.label,
          at: now,
          clientId: frame.id,
        });
        return [
          visitor,
          ...this.answer({ type: 'input', text: choice.label, value: choice.value }, snapshot, now),
        ];
      }
    }
  }

  /** Starts the winning flow for a trigger unless a run is already waiting (one run at a time). */
  private trigger(input: TriggerInput, snapshot: PilotSnapshot | null, now: number): ChatMessage[] {
    if (!snapshot || this.store.activeRun()) return [];
    if (input.type === 'page_visited' && this.store.getMeta('greeted')) return [];
    const chosen = selectFlow(snapshot.flows, input);
    if (!chosen) return [];
    if (input.type === 'page_visited') this.store.setMeta('greeted', String(now));
    return this.startRun(chosen, snapshot, now);
  }

  private startRun(chosen: PublishedFlow, snapshot: PilotSnapshot, now: number): ChatMessage[] {
    const ctx = this.engineContext(chosen.flow, snapshot, now);
    const runId = `run_${crypto.randomUUID()}`;
    const result = step(newRun(runId, chosen.flowId, chosen.version, ctx), { type: 'start' }, ctx);
    this.store.saveRun(result.state, chosen.flow, now);
    return this.applyEffects(result.effects, now);
  }

  /** A visitor message: answers the waiting question, else gets the pilot's fallback. */
  private answer(
    event: { type: 'input'; text: string; value?: string },
    snapshot: PilotSnapshot | null,
    now: number,
  ): ChatMessage[] {
    const active = this.store.activeRun();
    if (active) {
      const ctx = this.engineContext(active.flow, snapshot, now);
      const result = step(active.state, event, ctx);
      this.store.saveRun(result.state, active.flow, now);
      return this.applyEffects(result.effects, now);
    }
    const fallback = snapshot?.pilot.settings.fallbackMessage;
    return fallback ? [this.store.appendMessage({ author: 'pilot', text: fallback, at: now })] : [];
  }

  private applyEffects(effects: Effect[], now: number): ChatMessage[] {
    return effects.map((effect) =>
      this.store.appendMessage({
        author: 'pilot',
        text: effect.text,
        at: now,
        ...(effect.choices ? { choices: effect.choices } : {}),
        ...(effect.input ? { input: effect.input } : {}),
      }),
    );
  }

  private engineContext(
    flow: EngineContext['flow'],
    snapshot: PilotSnapshot | null,
    now: number,
  ): EngineContext {
    const page = JSON.parse(this.store.getMeta('page') ?? '{}') as {
      url?: string;
      title?: string;
      referrer?: string;
    };
    return {
      flow,
      now,
      data: {
        visitor: {
          page_url: page.url ?? '',
          page_title: page.title ?? '',
          referrer: page.referrer ?? '',
        },
        pilot: snapshot ? { name: snapshot.pilot.name } : {},
        contact: {},
        system: { conversation_user_id: this.store.getMeta('visitorId') ?? '' },
      },
    };
  }

  private async loadSnapshot(): Promise<PilotSnapshot | null> {
    const now = Date.now();
    if (this.snapshot && now - this.snapshot.loadedAt < SNAPSHOT_TTL_MS) return this.snapshot.value;
    const pilotKey = this.store.getMeta('pilotKey');
    const value = pilotKey ? await readSnapshot(this.env, pilotKey) : null;
    this.snapshot = { value, loadedAt: now };
    return value;
  }

  private broadcast(frame: ServerFrame): void {
    for (const ws of this.ctx.getWebSockets()) send(ws, frame);
  }

  /** Test/ops hook: the state of the active run, if any. */
  async activeRunState(): Promise<RunState | null> {
    return this.store.activeRun()?.state ?? null;
  }

  /** Beacon path: frames that arrived over HTTP instead of the socket. */
  async receiveFrames(identity: SocketAttachment, frames: ClientFrame[]): Promise<void> {
    this.remember(identity);
    for (const frame of frames) if (frame.type !== 'hello') await this.handleFrame(frame, null);
  }

  /** The transcript, for admin reads and tests. */
  async transcript(): Promise<ChatMessage[]> {
    return this.store.messagesAfter(0, 10_000);
  }
}

function send(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {
    // The socket closed between the commit and the send; the client replays on reconnect.
  }
}
