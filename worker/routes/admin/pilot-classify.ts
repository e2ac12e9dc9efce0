/**
 * `/pilots/:pilotId/classify` — the console's "try a sentence" box: the intent the pilot's
 * trained model detects for a sentence, its confidence and the entities found, exactly as the
 * runtime sees a visitor message no run is waiting on (the same model, loaded the same way).
 * Bounded like every admin route (per-key rate limit, 1 MB body) and by the sentence's length.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { loadPilotAI } from '../../ai/pilot-ai.ts';
import { adminRouter, errors, json, jsonBody } from '../../http/openapi.ts';
import { pilotParams, requirePilot } from './pilots.ts';

/** Longest sentence classified: a visitor message is bounded far below this in practice. */
export const MAX_CLASSIFY_CHARS = 2000;

const classifyBodySchema = z
  .object({ text: z.string().trim().min(1).max(MAX_CLASSIFY_CHARS) })
  .strict()
  .openapi('ClassifySentence');

const classifyResultSchema = z
  .object({
    intent: z
      .string()
      .nullable()
      .openapi({ description: 'Best intent, or null when none matched (or none is trained)' }),
    confidence: z.number().openapi({
      description: "0..1; a flow's intent trigger fires at or above its own minConfidence",
    }),
    entities: z.array(
      z.object({
        name: z.string(),
        value: z.string(),
        text: z.string().openapi({ description: 'The words the value was found in' }),
      }),
    ),
    trainedAt: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'When the intent model was last built; null if never' }),
  })
  .openapi('ClassifySentenceResult');

export const pilotClassifyRoutes = adminRouter();

pilotClassifyRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/pilots/{pilotId}/classify',
    operationId: 'classifySentence',
    tags: ['Pilot intents'],
    summary: 'Detect the intent and entities of a sentence with the pilot’s trained model',
    request: { params: pilotParams, body: jsonBody(classifyBodySchema) },
    responses: { 200: json(classifyResultSchema), ...errors(400, 404) },
  }),
  async (c) => {
    const { pilotId } = c.req.valid('param');
    const { text } = c.req.valid('json');
    const pilot = await requirePilot(c.env, c.get('principal').workspaceId, pilotId);
    const ai = await loadPilotAI(c.env, pilot.id, (pilot.settings as { ai?: unknown }).ai);
    const result = await ai.detect(text);
    return c.json(
      {
        intent: result.intent,
        confidence: result.confidence,
        entities: result.entities.map(({ name, value, text }) => ({ name, value, text })),
        trainedAt: ai.builtAt > 0 ? ai.builtAt : null,
      },
      200,
    );
  },
);
