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
}
