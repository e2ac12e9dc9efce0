/** Request and response schemas of `/pilots`: settings are flat fields of the pilot. */
import { z } from '@hono/zod-openapi';
import { pilotSettingsSchema } from '../../../shared/pilot.ts';

const identitySecret = z
  .string()
  .min(16, 'Use at least 16 characters')
  .max(256)
  .openapi({ description: 'Write-only: HMAC key for identify hashes; never returned' });

export const createPilotSchema = pilotSettingsSchema
  .extend({ name: z.string().trim().min(1).max(200), identitySecret: identitySecret.optional() })
  .strict()
  .openapi('CreatePilot');

/** Every settings field optional and without its default, so a PATCH changes only what it names. */
const settings = pilotSettingsSchema.shape;
const settingsPatchShape = {
  persona: settings.persona.unwrap().optional(),
  timezone: settings.timezone.unwrap().optional(),
  trustedDomains: settings.trustedDomains.unwrap().optional(),
  identityEnforced: settings.identityEnforced.unwrap().optional(),
  appearance: settings.appearance.unwrap().optional(),
  fallbackMessage: settings.fallbackMessage.unwrap().optional(),
  officeHours: settings.officeHours.unwrap().optional(),
  ai: settings.ai.unwrap().optional(),
  retentionDays: settings.retentionDays.unwrap().optional(),
};

export const patchPilotSchema = z
  .object({
    ...settingsPatchShape,
    name: z.string().trim().min(1).max(200).optional(),
    identitySecret: identitySecret.nullable().optional().openapi({
      description: 'Write-only. A new value rotates the secret; null removes it',
    }),
  })
  .strict()
  .openapi('PatchPilot');

export const pilotSchema = pilotSettingsSchema
  .extend({
    id: z.string(),
    name: z.string(),
    publicKey: z.string().openapi({ description: 'What the script tag carries (`pk_…`)' }),
    hasIdentitySecret: z.boolean(),
    createdAt: z.number().int(),
    updatedAt: z.number().int(),
  })
  .openapi('Pilot');

export const rotatedSecretSchema = z
  .object({
    identitySecret: z.string().openapi({ description: 'The new secret, shown once' }),
  })
  .openapi('RotatedIdentitySecret');
