/**
 * What happens after a pilot's intents, entities, variables or knowledge change: the AI
 * (intent model + knowledge index, worker/ai/pilot-ai.ts) is rebuilt from D1, and the KV
 * snapshot is rewritten so conversations see the new pilot variables.
 */
import { entityDefinitionSchema } from '../../shared/ai/entities.ts';
import { intentDefinitionSchema } from '../../shared/ai/intent-schema.ts';
import { knowledgeArticleSchema } from '../../shared/knowledge/article.ts';
import type { AppEnv } from '../env.ts';
import { allItems, type PilotItemKind } from '../store/pilot-items.ts';
import { writeSnapshot } from '../store/snapshots.ts';
import { rebuildPilotAI } from './pilot-ai.ts';

export async function onPilotKnowledgeChanged(
  env: AppEnv,
  pilotId: string,
  kind: PilotItemKind,
): Promise<void> {
  if (kind === 'variable') {
    await writeSnapshot(env, pilotId, Date.now());
    return;
  }
  const [intents, entities, articles] = await Promise.all([
    allItems(env, pilotId, 'intent'),
    allItems(env, pilotId, 'entity'),
    allItems(env, pilotId, 'knowledge'),
  ]);
  await rebuildPilotAI(env, pilotId, {
    intents: intents.map((i) => intentDefinitionSchema.parse(i.data)),
    entities: entities.map((e) => entityDefinitionSchema.parse(e.data)),
    articles: articles.map((a) => knowledgeArticleSchema.parse({ ...a.data, id: a.id })),
  });
}
