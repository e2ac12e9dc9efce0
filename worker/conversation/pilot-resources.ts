/**
 * The pilot's published snapshot (KV), its workspace's agents (presence) and its AI, each
 * reused in memory for a short while: a busy conversation reads them on most turns, and a few
 * seconds of staleness is what publishing and presence already tolerate. The snapshot is the
 * isolate's (worker/store/snapshots.ts: shared by every conversation, written through on
 * publish); agents and the AI are this conversation's.
 */
import type { AgentInfo } from '../../shared/engine/types.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import { loadPilotAI, type PilotAI } from '../ai/pilot-ai.ts';
import { loadAgents } from '../effects/agents.ts';
import type { AppEnv } from '../env.ts';
import { MAX_QUESTION_CHARS } from '../knowledge/unanswered-store.ts';
import type { UnansweredEvent } from '../queue/events.ts';
import { readSnapshot } from '../store/snapshots.ts';
import type { ConversationStorage } from './storage.ts';

/** How long presence / an AI model is reused in memory. */
const AGENTS_TTL_MS = 2_000;
const AI_TTL_MS = 30_000;

export class PilotResources {
  private agentsCache: { value: AgentInfo[]; at: number } | null = null;
  private aiCache: { value: PilotAI; at: number } | null = null;
  private readonly eventIds = new EventIds();

  constructor(
    private readonly env: AppEnv,
    private readonly store: ConversationStorage,
  ) {}

  async snapshot(): Promise<PilotSnapshot | null> {
    const pilotKey = this.store.state.pilotKey;
    return pilotKey ? readSnapshot(this.env, pilotKey) : null;
  }

  async agents(): Promise<AgentInfo[]> {
    const now = Date.now();
    if (this.agentsCache && now - this.agentsCache.at < AGENTS_TTL_MS)
      return this.agentsCache.value;
    const workspaceId =
      this.store.state.pilot?.workspaceId ?? (await this.snapshot())?.pilot.workspaceId;
    const value = workspaceId ? await loadAgents(this.env, workspaceId) : [];
    this.agentsCache = { value, at: now };
    return value;
  }

  /**
   * A question an `ai_answer` effect (outside a visitor's turn) had no answer for, stored as an
   * event row that adds it to the pilot's unanswered list with the conversation that asked (so
   * an erasure can take it back out); nothing before the conversation knows its id. A visitor's
   * turn flags the question on its message row instead (`EventOutbox`). It goes out with the
   * next flush: no call to the pilot's object per question, and the list must never delay or
   * fail a turn.
   */
  noteUnanswered(pilotId: string, question: string): void {
    const conversationId = this.store.state.conversationId;
    if (!conversationId) return;
    const event: UnansweredEvent = {
      kind: 'unanswered',
      id: `unanswered_${conversationId}_${this.eventIds.next()}`,
      seq: 0,
      at: Date.now(),
      pilotId,
      conversationId,
      question: question.slice(0, MAX_QUESTION_CHARS),
    };
    this.store.enqueueOutgoing({ v: 1, events: [event] });
  }

  /**
   * The pilot's AI when this conversation holds it in memory (undefined: `ai` must read KV,
   * which the visitor may notice, so the turn shows the pilot typing first).
   */
  aiInMemory(now = Date.now()): PilotAI | undefined {
    return this.aiCache && now - this.aiCache.at < AI_TTL_MS ? this.aiCache.value : undefined;
  }

  /** The pilot's AI, or null when it cannot be loaded (the turn falls back to no AI). */
  async ai(snapshot: PilotSnapshot): Promise<PilotAI | null> {
    const now = Date.now();
    const held = this.aiInMemory(now);
    if (held) return held;
    try {
      const settings = (snapshot.pilot.settings as { ai?: unknown }).ai;
      const value = await loadPilotAI(this.env, snapshot.pilot.id, settings);
      this.aiCache = { value, at: now };
      return value;
    } catch (error) {
      console.error('pilot AI unavailable', String(error));
      return null;
    }
  }
}

/**
 * Unique ids for this conversation's unanswered events (the pilot counts an id once: a queue
 * redelivery is not a second ask): this instance's start time and a counter. Cheaper than a
 * random UUID on every unanswered turn (measured: a few percent of a turn's CPU in workerd); a
 * later instance of the object starts at a later millisecond, so ids never repeat.
 */
class EventIds {
  private readonly prefix = Date.now().toString(36);
  private count = 0;

  next(): string {
    this.count++;
    return `${this.prefix}_${this.count.toString(36)}`;
  }
}
