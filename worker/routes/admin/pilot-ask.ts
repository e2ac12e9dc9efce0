/**
 * `/pilots/:pilotId/ask` — ask the pilot a question and get what a visitor would get from its
 * default answer (text, citations, confidence, why it answered or not), for the console's
 * knowledge page; `/pilots/:pilotId/unanswered-questions` — the questions it could not answer
 * (the site owner's to-do list of articles to write), kept by the PilotObject.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { loadPilotAI } from '../../ai/pilot-ai.ts';
import { adminRouter, errors, json, jsonBody } from '../../http/openapi.ts';
import { decodeCursor, paginationQuery } from '../../http/pagination.ts';
import { unansweredQuestionSchema } from '../../knowledge/unanswered-store.ts';
import { toPage } from '../../store/keyset.ts';
import { pilotParams, requirePilot } from './pilots.ts';

const askBodySchema = z
  .object({ question: z.string().trim().min(1).max(2000) })
  .strict()
  .openapi('AskPilot');

const askResultSchema = z
  .object({
    outcome: z.enum(['answered', 'noAnswer', 'handoverRequested']),
    reply: z.string().nullable().openapi({
      description:
        'What the visitor would read: the answer, the fallback message on noAnswer, null on a handover request',
    }),
    citations: z.array(z.object({ title: z.string(), url: z.string() })),
    confidence: z.number().openapi({
      description:
        "The answer model's probability that the best article is the right one (answers at ≥ ai.knowledgeMinConfidence)",
    }),
    coverage: z
      .number()
      .openapi({ description: "Share of the question's words the best passage matches" }),
    minConfidence: z.number(),
    bestArticle: z.object({ title: z.string(), url: z.string() }).nullable(),
    why: z.string(),
  })
  .openapi('AskPilotResult');

export const pilotAskRoutes = adminRouter();

pilotAskRoutes.openapi(
  createRoute({
    method: 'post',
    path: '/pilots/{pilotId}/ask',
    operationId: 'askPilot',
    tags: ['Knowledge'],
    summary: "Ask the pilot a question: the visitor's answer, its citations, confidence and why",
    request: { params: pilotParams, body: jsonBody(askBodySchema) },
    responses: { 200: json(askResultSchema), ...errors(400, 404) },
  }),
  async (c) => {
    const { pilotId } = c.req.valid('param');
    const { question } = c.req.valid('json');
    const pilot = await requirePilot(c.env, c.get('principal').workspaceId, pilotId);
    const settings = pilot.settings as { ai?: unknown; persona?: string; fallbackMessage?: string };
    const ai = await loadPilotAI(c.env, pilot.id, settings.ai);
    const decision = await ai.decide(question, settings.persona ?? '');
    const { answer } = decision;
    return c.json(
      {
        outcome: answer.kind,
        reply:
          answer.kind === 'answered'
            ? answer.text
            : answer.kind === 'noAnswer'
              ? (settings.fallbackMessage ?? null)
              : null,
        citations: answer.kind === 'answered' ? answer.citations : [],
        confidence: decision.confidence,
        coverage: decision.coverage,
        minConfidence: ai.settings.knowledgeMinConfidence,
        bestArticle: decision.best,
        why: decision.why,
      },
      200,
    );
  },
);

pilotAskRoutes.openapi(
  createRoute({
    method: 'get',
    path: '/pilots/{pilotId}/unanswered-questions',
    operationId: 'listUnansweredQuestions',
    tags: ['Knowledge'],
    summary:
      'Questions visitors asked that the knowledge could not answer, most asked first (articles to write)',
    request: { params: pilotParams, query: paginationQuery },
    responses: {
      200: json(
        z
          .object({
            items: z.array(unansweredQuestionSchema.openapi('UnansweredQuestion')),
            nextCursor: z.string().nullable(),
          })
          .openapi('UnansweredQuestionList'),
      ),
      ...errors(400, 404),
    },
  }),
  async (c) => {
    const { pilotId } = c.req.valid('param');
    const { limit, cursor } = c.req.valid('query');
    const after = decodeCursor(cursor);
    const pilot = await requirePilot(c.env, c.get('principal').workspaceId, pilotId);
    const stub = c.env.PILOT.get(c.env.PILOT.idFromName(pilot.id));
    // One extra row says whether there is a next page; the cursor's sort key is the count.
    const rows = await stub.unansweredList(
      limit + 1,
      after ? { count: after.k, id: after.id } : undefined,
    );
    const page = toPage(
      rows,
      limit,
      (row) => ({ k: row.count, id: row.id }),
      (row) => row,
    );
    return c.json(page, 200);
  },
);

pilotAskRoutes.openapi(
  createRoute({
    method: 'delete',
    path: '/pilots/{pilotId}/unanswered-questions',
    operationId: 'clearUnansweredQuestions',
    tags: ['Knowledge'],
    summary: 'Clear the unanswered questions (after writing the articles they asked for)',
    request: { params: pilotParams },
    responses: { 200: json(z.object({ cleared: z.literal(true) })), ...errors(400, 404) },
  }),
  async (c) => {
    const { pilotId } = c.req.valid('param');
    const pilot = await requirePilot(c.env, c.get('principal').workspaceId, pilotId);
    await c.env.PILOT.get(c.env.PILOT.idFromName(pilot.id)).clearUnanswered();
    return c.json({ cleared: true as const }, 200);
  },
);
