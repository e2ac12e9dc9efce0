import type { AppEnv } from '../env.ts';

/** Who an effect acts for: the conversation, its pilot and workspace, and the run step. */
export interface EffectContext {
  env: AppEnv;
  workspaceId: string;
  pilotId: string;
  conversationId: string;
  visitorId: string;
  /** The verified contact userId, when the visitor is identified. */
  userId: string | null;
  runId: string;
  now: number;
  /**
   * Set for an `assign` node with `round_robin`: the runtime, not the engine's per-conversation
   * pick, chooses the next available agent in turn (of `teamId`, else everyone).
   */
  roundRobin?: { teamId?: string };
  /** Set for `email_conversation`: the conversation as the visitor saw it, as text. */
  transcript?: () => string;
}
