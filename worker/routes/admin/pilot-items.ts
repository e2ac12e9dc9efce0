/**
 * `/pilots/:pilotId/{intents,entities,variables,knowledge}`: the same CRUD for each kind of
 * pilot knowledge, built by one factory. Names are unique per pilot (409 on a duplicate);
 * every change rebuilds the pilot's AI or snapshot (worker/ai/pilot-knowledge-hook.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { entityDefinitionSchema } from '../../../shared/ai/entities.ts';
import { intentDefinitionSchema } from '../../../shared/ai/intent-schema.ts';
import { ErrorCode } from '../../../shared/errors.ts';
import { VARIABLE_TYPES } from '../../../shared/flow/schema.ts';
import { knowledgeArticleSchema } from '../../../shared/knowledge/article.ts';
import { onPilotKnowledgeChanged } from '../../ai/pilot-knowledge-hook.ts';
import { newId } from '../../auth/hash.ts';
import { ApiError, notFound } from '../../http/api-error.ts';
import { withConflicts } from '../../http/d1-errors.ts';
import {
  adminRouter,
  deletedSchema,
  errors,
  idParam,
  json,
  jsonBody,
  listOf,
} from '../../http/openapi.ts';
import { decodeCursor, paginationQuery } from '../../http/pagination.ts';
import {
  deleteItem,
  getItem,
  type ItemRefusal,
  type ItemScope,
  insertItem,
  listItems,
  type PilotItem,
  type PilotItemKind,
  updateItem,
} from '../../store/pilot-items.ts';
import {
  MAX_ENTITIES_PER_PILOT,
  MAX_ENTITY_CHARS,
  MAX_VARIABLE_CHARS,
  MAX_VARIABLES_PER_PILOT,
} from '../../store/pilot-limits.ts';
import { pilotParams, requirePilot } from './pilots.ts';

const pilotVariableSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits, underscores'),
  type: z.enum(VARIABLE_TYPES).default('text'),
  value: z
    .union([
      z.string().max(4000),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(z.union([z.string().max(4000), z.number(), z.boolean()])).max(500),
    ])
    .default(null),
  description: z.string().max(500).optional(),
});

/**
 * Characters of article JSON a pilot may hold in total. Every article is indexed into one stored
 * AI value (KV, at most 25 MiB), rebuilt in each knowledge save and parsed by every isolate
 * serving the pilot's conversations: 8 MB of text make a ~17.5 MB value and ~7 s of indexing.
 * Past it a save is refused before anything is stored (413), instead of answering 500 with the
 * article already in D1 and every later save of the pilot failing the same way.
 */
export const MAX_KNOWLEDGE_CHARS = 8_000_000;
/**
 * Characters of intent JSON (mostly training phrases) a pilot may hold in total: every intent
 * save retrains the whole model in the request. Measured on a loaded 2-core machine, 10,000
 * phrases (0.6 MB) train in ~3 s and 50,000 (3.1 MB) in ~26 s, near Workers' CPU limit, so past
 * it every save of the pilot's intents, entities and articles would fail. 1 MB holds ~16,000
 * phrases (CLINC150's whole training set is 15,000).
 */
export const MAX_INTENT_CHARS = 1_000_000;

interface ItemKindConfig {
  kind: PilotItemKind;
  /** URL segment under the pilot. */
  segment: string;
  /** OpenAPI component name and tag. */
  name: string;
  /** Plural of `name`, for operation ids (`listIntents`). */
  plural: string;
  schema: z.ZodType<Record<string, unknown>>;
  /** The value that must be unique per pilot (or a fresh id when nothing is). */
  uniqueName: (data: Record<string, unknown>, id: string) => string;
  /** Characters of JSON all items of this kind of a pilot may take together. */
  maxTotalChars?: number;
  /** Items of this kind a pilot may have (store/pilot-limits.ts). */
  maxItems?: number;
}

/**
 * The 413 for a save the store refused: past the kind's characters (naming `body`) or its
 * count (naming `pilotId`). The store checks both inside the write (store/pilot-items.ts), so
 * parallel saves cannot pass a total together.
 */
function tooLargeError(config: ItemKindConfig, refusal: ItemRefusal): ApiError {
  if (refusal === 'chars') {
    const message = `The pilot's ${config.segment} would take more than ${config.maxTotalChars} characters; at most ${config.maxTotalChars} in all`;
    return new ApiError(413, ErrorCode.payloadTooLarge, message, [{ path: 'body', message }]);
  }
  const max = config.maxItems;
  const message = `The pilot has ${max} ${config.segment}; at most ${max} per pilot`;
  return new ApiError(413, ErrorCode.payloadTooLarge, message, [{ path: 'pilotId', message }]);
}

const KINDS: ItemKindConfig[] = [
  {
    kind: 'intent',
    segment: 'intents',
    name: 'Intent',
    plural: 'Intents',
    schema: intentDefinitionSchema.strict(),
    uniqueName: (d) => String(d.name),
    maxTotalChars: MAX_INTENT_CHARS,
  },
  {
    kind: 'entity',
    segment: 'entities',
    name: 'Entity',
    plural: 'Entities',
    schema: entityDefinitionSchema,
    uniqueName: (d) => String(d.name),
    maxTotalChars: MAX_ENTITY_CHARS,
    maxItems: MAX_ENTITIES_PER_PILOT,
  },
  {
    kind: 'variable',
    segment: 'variables',
    name: 'PilotVariable',
    plural: 'PilotVariables',
    schema: pilotVariableSchema.strict(),
    uniqueName: (d) => String(d.name),
    maxTotalChars: MAX_VARIABLE_CHARS,
    maxItems: MAX_VARIABLES_PER_PILOT,
  },
  {
    kind: 'knowledge',
    segment: 'knowledge',
    name: 'KnowledgeArticle',
    plural: 'KnowledgeArticles',
    schema: knowledgeArticleSchema.omit({ id: true }).strict(),
    uniqueName: (_d, id) => id,
    maxTotalChars: MAX_KNOWLEDGE_CHARS,
  },
];

function itemRoutes(config: ItemKindConfig) {
  const routes = adminRouter();
  const input = config.schema.openapi(`${config.name}Input`);
  const output = z
    .object({
      id: z.string(),
      pilotId: z.string(),
      createdAt: z.number().int(),
      updatedAt: z.number().int(),
    })
    .and(z.record(z.string(), z.unknown()))
    .openapi(config.name);
  const base = `/pilots/{pilotId}/${config.segment}`;
  const itemParams = pilotParams.extend({ itemId: idParam('itemId') });
  const view = (item: PilotItem) => ({
    ...item.data,
    id: item.id,
    pilotId: item.pilotId,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  });
  const tags = [`Pilot ${config.segment}`];
  // A save past the kind's totals (maxTotalChars, maxItems) is a 413, documented where it can happen.
  const tooLarge = config.maxTotalChars === undefined && config.maxItems === undefined ? [] : [413];

  async function scopeOf(
    env: Parameters<typeof requirePilot>[0],
    workspaceId: string,
    pilotId: string,
  ): Promise<ItemScope> {
    const pilot = await requirePilot(env, workspaceId, pilotId);
    return { workspaceId, pilotId: pilot.id, kind: config.kind };
  }

  routes.openapi(
    createRoute({
      method: 'get',
      path: base,
      operationId: `list${config.plural}`,
      tags,
      summary: `List ${config.segment}`,
      request: { params: pilotParams, query: paginationQuery },
      responses: { 200: json(listOf(output, `${config.name}List`)), ...errors(404) },
    }),
    async (c) => {
      const scope = await scopeOf(
        c.env,
        c.get('principal').workspaceId,
        c.req.valid('param').pilotId,
      );
      const { limit, cursor } = c.req.valid('query');
      const page = await listItems(c.env, scope, limit, decodeCursor(cursor));
      return c.json({ items: page.items.map(view), nextCursor: page.nextCursor }, 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'post',
      path: base,
      operationId: `create${config.name}`,
      tags,
      summary: `Create a ${config.name}`,
      request: { params: pilotParams, body: jsonBody(input) },
      responses: { 201: json(output, 'Created'), ...errors(404, 409, ...tooLarge) },
    }),
    async (c) => {
      const scope = await scopeOf(
        c.env,
        c.get('principal').workspaceId,
        c.req.valid('param').pilotId,
      );
      const now = Date.now();
      const item: PilotItem = {
        id: newId(config.kind),
        pilotId: scope.pilotId,
        data: c.req.valid('json'),
        createdAt: now,
        updatedAt: now,
      };
      const refused = await withConflicts(config.name, () =>
        insertItem(c.env, scope, item, config.uniqueName(item.data, item.id), {
          maxItems: config.maxItems,
          maxChars: config.maxTotalChars,
        }),
      );
      if (refused) throw tooLargeError(config, refused);
      await onPilotKnowledgeChanged(c.env, scope.pilotId, config.kind);
      return c.json(view(item), 201);
    },
  );

  routes.openapi(
    createRoute({
      method: 'get',
      path: `${base}/{itemId}`,
      operationId: `get${config.name}`,
      tags,
      summary: `Get a ${config.name}`,
      request: { params: itemParams },
      responses: { 200: json(output), ...errors(404) },
    }),
    async (c) => {
      const { pilotId, itemId } = c.req.valid('param');
      const scope = await scopeOf(c.env, c.get('principal').workspaceId, pilotId);
      const item = await getItem(c.env, scope, itemId);
      if (!item) throw notFound(config.name);
      return c.json(view(item), 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'put',
      path: `${base}/{itemId}`,
      operationId: `replace${config.name}`,
      tags,
      summary: `Replace a ${config.name}`,
      request: { params: itemParams, body: jsonBody(input) },
      responses: { 200: json(output), ...errors(404, 409, ...tooLarge) },
    }),
    async (c) => {
      const { pilotId, itemId } = c.req.valid('param');
      const scope = await scopeOf(c.env, c.get('principal').workspaceId, pilotId);
      const current = await getItem(c.env, scope, itemId);
      if (!current) throw notFound(config.name);
      const item = { ...current, data: c.req.valid('json'), updatedAt: Date.now() };
      const refused = await withConflicts(config.name, () =>
        updateItem(c.env, scope, item, config.uniqueName(item.data, item.id), config.maxTotalChars),
      );
      if (refused === 'missing') throw notFound(config.name);
      if (refused) throw tooLargeError(config, refused);
      await onPilotKnowledgeChanged(c.env, scope.pilotId, config.kind);
      return c.json(view(item), 200);
    },
  );

  routes.openapi(
    createRoute({
      method: 'delete',
      path: `${base}/{itemId}`,
      operationId: `delete${config.name}`,
      tags,
      summary: `Delete a ${config.name}`,
      request: { params: itemParams },
      responses: { 200: json(deletedSchema), ...errors(404) },
    }),
    async (c) => {
      const { pilotId, itemId } = c.req.valid('param');
      const scope = await scopeOf(c.env, c.get('principal').workspaceId, pilotId);
      if (!(await deleteItem(c.env, scope, itemId))) throw notFound(config.name);
      await onPilotKnowledgeChanged(c.env, scope.pilotId, config.kind);
      return c.json({ id: itemId, deleted: true as const }, 200);
    },
  );
  return routes;
}

export const pilotItemRoutes = adminRouter();
for (const config of KINDS) pilotItemRoutes.route('/', itemRoutes(config));
