/** Pilot settings (SPEC 3.4 pilots). Stored as JSON in D1 and copied into published snapshots. */
import { z } from 'zod';
import { pilotAiSettingsSchema } from './ai/ai-settings.ts';
import { isValidTimezone, officeHoursSchema } from './expr/office-hours.ts';
import type { PublishedFlow } from './flow/match.ts';

/** `example.com`, `*.example.com`, `localhost`, `127.0.0.1`: a host, optionally a `*.` wildcard. */
/** The pilot's answer when it has none (settings.fallbackMessage's default). */
export const DEFAULT_FALLBACK_MESSAGE =
  "I don't have an answer to that yet. You can ask it another way, or ask to talk to a person.";

export const trustedDomainSchema = z
  .string()
  .min(1)
  .max(253)
  .regex(
    /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/,
    'Use a host name such as example.com or *.example.com',
  );

export const pilotSettingsSchema = z.object({
  persona: z.string().max(2000).default(''),
  /** IANA name, e.g. `Europe/Berlin`. */
  timezone: z.string().max(100).refine(isValidTimezone, 'Not an IANA timezone').default('UTC'),
  trustedDomains: z.array(trustedDomainSchema).max(100).default([]),
  identityEnforced: z.boolean().default(false),
  appearance: z
    .object({
      displayName: z.string().max(100).optional(),
      accentColor: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/)
        .optional(),
      /**
       * The bottom corner of the launcher: `right` (the default) or `left` — in a
       * right-to-left page the two swap, as the messenger lays out by inline end/start.
       */
      position: z.enum(['right', 'left']).optional(),
    })
    .default({}),
  /**
   * Said when a visitor message matches no waiting question, no intent flow and no knowledge
   * answer. The default promises nothing nobody will do (no one is told to "get back" to a
   * visitor who left no address): it says so and points to the two ways on, asking again or
   * asking for a person (a handover, or the email offer when nobody is available).
   */
  fallbackMessage: z.string().max(2000).default(DEFAULT_FALLBACK_MESSAGE),
  /** Weekly open slots and holidays, in `timezone`. */
  officeHours: officeHoursSchema.default({ weekly: [], holidays: [] }),
  /** Which AI provider answers and its thresholds (shared/ai/ai-settings.ts). */
  ai: pilotAiSettingsSchema.default(pilotAiSettingsSchema.parse({})),
  /**
   * Conversations idle this many days are erased by the scheduled retention job (the same
   * erasure as a privacy request). Null (the default): kept until erased by an admin.
   */
  retentionDays: z.number().int().min(1).max(3650).nullable().default(null),
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
    /** Server-side only (KV): verifies `identify` hashes. Never in an API response. */
    identitySecret?: string;
    /** Global pilot variables (`pilot.<name>` in flows), from `/pilots/:id/variables`. */
    variables?: Record<string, unknown>;
  };
  flows: PublishedFlow[];
  /** Epoch ms of the publish that wrote this snapshot. */
  publishedAt: number;
}
