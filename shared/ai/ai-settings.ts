/**
 * A pilot's `ai` settings (SPEC 3.4 pilots): which provider answers, and thresholds.
 * Intent detection always runs the local classifier (sub-millisecond, no network); the provider
 * decides who writes knowledge answers. A provider that is not available in this deployment
 * (no `AI` binding, no endpoint secret) falls back to local, and says why.
 */
import { z } from 'zod';
import { DEFAULT_MIN_CONFIDENCE } from '../knowledge/answer.ts';

export const AI_PROVIDERS = ['local', 'workers_ai', 'openai_compatible'] as const;
export type AiProviderKind = (typeof AI_PROVIDERS)[number];

export const pilotAiSettingsSchema = z.object({
  provider: z.enum(AI_PROVIDERS).default('local'),
  /**
   * Lowest confidence the pilot answers at: the answer model's probability that the best article
   * is the right one (0..1; shared/knowledge/answer.ts). The default was chosen on StackFAQ
   * validation threads. (Before the answer model it was a lowest margin over the runner-up.)
   */
  knowledgeMinConfidence: z.number().min(0).max(1).default(DEFAULT_MIN_CONFIDENCE),
  /** Workers AI instruct model for grounded answers. */
  workersAiModel: z.string().min(1).max(200).default('@cf/meta/llama-3.1-8b-instruct'),
  /** Model name sent to the OpenAI-compatible endpoint (its URL and key are deployment secrets). */
  openaiModel: z.string().min(1).max(200).default('gpt-4o-mini'),
});
export type PilotAiSettings = z.infer<typeof pilotAiSettingsSchema>;

/** What this deployment offers: the `AI` binding and the endpoint secret are optional. */
export interface ProviderAvailability {
  workersAi: boolean;
  openaiCompatible: boolean;
}

export interface ProviderChoice {
  kind: AiProviderKind;
  /** Set when the pilot asked for a provider this deployment lacks. */
  fallbackReason?: string;
}

export function selectProvider(
  settings: Partial<PilotAiSettings> | undefined,
  available: ProviderAvailability,
): ProviderChoice {
  const wanted = settings?.provider ?? 'local';
  if (wanted === 'workers_ai' && !available.workersAi) {
    return { kind: 'local', fallbackReason: 'no AI binding is configured' };
  }
  if (wanted === 'openai_compatible' && !available.openaiCompatible) {
    return { kind: 'local', fallbackReason: 'OPENAI_API_KEY / OPENAI_BASE_URL are not set' };
  }
  return { kind: wanted };
}
