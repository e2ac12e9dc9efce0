/** Execution settings (SPEC 3.5): they replace enrollment conditions and filter matched flows. */
import { z } from 'zod';

const instant = z.iso.datetime({ offset: true });

export const startSettingSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('immediately') }),
  /** The flow only runs from `at` on. */
  z.object({ mode: z.literal('custom'), at: instant }),
]);

export const stopSettingSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('never') }),
  /** The flow no longer runs from `at` on. */
  z.object({ mode: z.literal('custom'), at: instant }),
]);

export const AVAILABILITY_MODES = [
  'ignore',
  'any_available',
  'specific_available',
  'all_unavailable',
  'specific_unavailable',
] as const;

export const availabilitySettingSchema = z.object({
  mode: z.enum(AVAILABILITY_MODES),
  /** User ids for the `specific_*` modes. */
  users: z.array(z.string().min(1).max(100)).max(100).optional(),
  /** Team ids for the `specific_*` modes (a team counts as available when a member is). */
  teams: z.array(z.string().min(1).max(100)).max(100).optional(),
});

export const settingsSchema = z.object({
  start: startSettingSchema.default({ mode: 'immediately' }),
  stop: stopSettingSchema.default({ mode: 'never' }),
  /** `once`: once per visitor (per contact once identified), across conversations. */
  frequency: z.enum(['once', 'every_time']).default('every_time'),
  /** With `every_time`: minimum seconds between two runs for the same subject. */
  cooldownSeconds: z
    .number()
    .int()
    .min(0)
    .max(365 * 86_400)
    .optional(),
  timeWindow: z.enum(['any', 'office_hours', 'outside_office_hours']).default('any'),
  availability: availabilitySettingSchema.default({ mode: 'ignore' }),
});
export type FlowSettings = z.infer<typeof settingsSchema>;

/** Settings of a flow with every default applied (flows may omit `settings`). */
export function resolveSettings(settings: unknown): FlowSettings {
  const parsed = settingsSchema.safeParse(settings ?? {});
  return parsed.success ? parsed.data : settingsSchema.parse({});
}
