/** Pilot settings (SPEC 3.4 pilots). Stored as JSON in D1 and copied into published snapshots. */
import { z } from 'zod';
import type { PublishedFlow } from './flow/match.ts';

export const pilotSettingsSchema = z.object({
  persona: z.string().max(2000).default(''),
  timezone: z.string().default('UTC'),
  trustedDomains: z.array(z.string().min(1).max(253)).max(100).default([]),
  identityEnforced: z.boolean().default(false),
  appearance: z
    .object({
      displayName: z.string().max(100).optional(),
      accentColor: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/)
        .optional(),
    })
    .default({}),
  /** Said when a visitor message matches no waiting question and no intent flow. */
  fallbackMessage: z.string().max(2000).default("Thanks! We'll get back to you shortly."),
});
export type PilotSettings = z.infer<typeof pilotSettingsSchema>;

/** What a conversation needs of its pilot: read from KV when a conversation starts. */
export interface PilotSnapshot {
  pilot: {
    id: string;
    workspaceId: string;
    name: string;
    publicKey: string;
    settings: PilotSettings;
  };
  flows: PublishedFlow[];
  /** Epoch ms of the publish that wrote this snapshot. */
  publishedAt: number;
}
