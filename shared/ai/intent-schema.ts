/** Validation for admin-managed intents (SPEC 3.4 pilot knowledge; issue 7). */
import { z } from 'zod';

export const intentDefinitionSchema = z.object({
  name: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
      'letters, digits, underscores; not starting with a digit',
    ),
  description: z.string().max(1000).optional(),
  trainingPhrases: z
    .array(z.string().trim().min(1).max(500))
    .min(5, 'at least 5 training phrases')
    .max(2000),
  /** Names of entities this intent uses (list/regex entities of the pilot or system ones). */
  entities: z.array(z.string().max(64)).max(50).optional(),
});
