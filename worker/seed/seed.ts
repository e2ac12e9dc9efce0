/**
 * Idempotent demo seed (development only): the default workspace, the demo pilot `pk_demo`
 * trusting localhost, the demo flow published once, and a few knowledge articles so typed
 * questions get cited answers. Running it again changes nothing.
 */
import { pilotSettingsSchema } from '../../shared/pilot.ts';
import { onPilotKnowledgeChanged } from '../ai/pilot-knowledge-hook.ts';
import { type AppEnv, DEFAULT_WORKSPACE_ID } from '../env.ts';
import { getWorkspaceFlow, insertFlow, publishDraft } from '../store/flows.ts';
import { getItem, insertItem, updateItem } from '../store/pilot-items.ts';
import { ensureWorkspace, insertPilot } from '../store/pilots.ts';
import { writeSnapshot } from '../store/snapshots.ts';
import { DEMO_FLOW_ID, DEMO_PILOT_ID, DEMO_PUBLIC_KEY, demoFlow } from './demo-flow.ts';
import { demoArticles } from './demo-knowledge.ts';

export interface SeedResult {
  workspaceId: string;
  pilotId: string;
  publicKey: string;
  flowId: string;
  version: number;
}

/** `origin` is the demo site's origin: the knowledge articles cite its pages. */
export async function seedDemo(env: AppEnv, now: number, origin: string): Promise<SeedResult> {
  await ensureWorkspace(env, DEFAULT_WORKSPACE_ID, 'Default workspace', now);
  await insertPilot(env, {
    id: DEMO_PILOT_ID,
    workspaceId: DEFAULT_WORKSPACE_ID,
    publicKey: DEMO_PUBLIC_KEY,
    name: 'Demo pilot',
    settings: pilotSettingsSchema.parse({
      persona: 'A friendly guide for the edgepilot demo site.',
      trustedDomains: ['localhost', '127.0.0.1'],
      appearance: { displayName: 'Edgepilot demo' },
    }),
    createdAt: now,
    updatedAt: now,
  });
  await insertFlow(env, {
    id: DEMO_FLOW_ID,
    workspaceId: DEFAULT_WORKSPACE_ID,
    pilotId: DEMO_PILOT_ID,
    draft: demoFlow,
    revision: 1,
    publishedVersion: null,
    createdAt: now,
    updatedAt: now,
  });
  const flow = await getWorkspaceFlow(env, DEFAULT_WORKSPACE_ID, DEMO_FLOW_ID);
  let version = flow?.publishedVersion ?? 0;
  if (flow && version === 0)
    version = (await publishDraft(env, flow, 'Seeded demo flow', 'seed', now)) ?? 0;
  await seedDemoKnowledge(env, now, origin);
  await writeSnapshot(env, DEMO_PILOT_ID, now);
  return {
    workspaceId: DEFAULT_WORKSPACE_ID,
    pilotId: DEMO_PILOT_ID,
    publicKey: DEMO_PUBLIC_KEY,
    flowId: DEMO_FLOW_ID,
    version,
  };
}

async function seedDemoKnowledge(env: AppEnv, now: number, origin: string): Promise<void> {
  const scope = {
    workspaceId: DEFAULT_WORKSPACE_ID,
    pilotId: DEMO_PILOT_ID,
    kind: 'knowledge' as const,
  };
  let changed = false;
  for (const { id, title, body, path } of demoArticles) {
    const data = { title, body, url: new URL(path, origin).href };
    const stored = await getItem(env, scope, id);
    if (stored) {
      // An article no admin has edited (updatedAt still its createdAt) follows this seed: the
      // demo opened on another port must not cite the old one, and a newer demo text replaces
      // the old. An edited article is the admin's and stays as it is.
      if (stored.updatedAt !== stored.createdAt || sameArticle(stored.data, data)) continue;
      await updateItem(env, scope, { ...stored, data, updatedAt: stored.createdAt }, title);
    } else {
      await insertItem(
        env,
        scope,
        { id, pilotId: DEMO_PILOT_ID, data, createdAt: now, updatedAt: now },
        title,
      );
    }
    changed = true;
  }
  // Only a change rebuilds the pilot's AI (intent model + knowledge index): a restart stays cheap.
  if (changed) await onPilotKnowledgeChanged(env, DEMO_PILOT_ID, 'knowledge');
}

function sameArticle(stored: unknown, seeded: { title: string; body: string; url: string }) {
  const a = stored as Partial<typeof seeded> | null;
  return a?.title === seeded.title && a.body === seeded.body && a.url === seeded.url;
}
