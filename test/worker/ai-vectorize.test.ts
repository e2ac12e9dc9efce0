/**
 * Workers AI and Vectorize in the Worker's knowledge path (worker/ai/pilot-ai.ts), inside workerd
 * with the real KV. Neither service runs offline (Miniflare has no local Vectorize or Workers AI),
 * so the two bindings are injected where the Worker reads them: a deterministic embedding model
 * behind the Workers AI `run` shape, and an in-memory index keeping Vectorize's contract and
 * limits (test/helpers). What this can and cannot prove: test/README.md.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { KnowledgeArticle } from '../../shared/knowledge/article.ts';
import { SEMANTIC_TIMEOUT_MS } from '../../shared/knowledge/embeddings.ts';
import { parseManifest, VECTORIZE_MIN_PASSAGES } from '../../shared/knowledge/vector-index.ts';
import {
  deletePilotAI,
  erasePilotVectors,
  loadPilotAI,
  pilotAiKey,
  rebuildPilotAI,
} from '../../worker/ai/pilot-ai.ts';
import { readLatestStoredPilotAi } from '../../worker/ai/pilot-ai-store.ts';
import { call } from '../helpers/admin.ts';
import { conceptWorkersAi } from '../helpers/concept-embed.ts';
import { paraphraseArticles } from '../helpers/paraphrase-articles.ts';
import { MemoryVectorStore } from '../helpers/vector-store.ts';
import { createPilot } from './runtime-helpers.ts';

const PARAPHRASE = 'how many days until my package gets to Berlin?';
const core = paraphraseArticles();
/** Enough one-passage articles about other things to pass the Vectorize threshold. */
const fillers: KnowledgeArticle[] = Array.from({ length: VECTORIZE_MIN_PASSAGES }, (_, i) => ({
  id: `museum${i}`,
  title: `Museum room ${i}`,
  url: `https://help.example.com/museum/${i}`,
  body: `Room ${i} of the museum exhibits pottery and sculpture from century ${i % 20}.`,
}));
const large = [...core, ...fillers];

/** The test env with both services injected where the Worker reads its bindings. */
function bound(store = new MemoryVectorStore()) {
  return { store, env: { ...env, AI: conceptWorkersAi(), VECTORIZE: store } };
}
const source = (articles: KnowledgeArticle[]) => ({ intents: [], entities: [], articles });
const newPilotId = () => `pilot_${crypto.randomUUID().slice(0, 16)}`;

describe('knowledge vectors in Vectorize (large knowledge bases)', () => {
  it(`keeps a knowledge base over ${VECTORIZE_MIN_PASSAGES} passages in Vectorize, not KV, and answers a paraphrase through it`, async () => {
    const pilotId = newPilotId();
    const { store, env: bindings } = bound();
    const stats = await rebuildPilotAI(bindings, pilotId, source(large));
    expect(stats.vectors).toBe('vectorize');
    expect(store.idsOf(pilotId)).toHaveLength(large.length);
    const stored = await readLatestStoredPilotAi(env.SNAPSHOTS, pilotId);
    expect(stored?.embeddings).toBeUndefined();
    expect(parseManifest(stored?.vectorIndex)?.active).toBe(true);

    const ai = await loadPilotAI(bindings, pilotId);
    const queriesBefore = store.calls.filter((c) => c.op === 'query').length;
    const decision = await ai.decide(PARAPHRASE);
    expect(decision.answer.kind).toBe('answered');
    expect(decision.best?.url).toBe('https://help.example.com/delivery');
    expect(decision.why).toContain('embedding match (Vectorize)');
    const queries = store.calls.filter((c) => c.op === 'query').slice(queriesBefore);
    expect(queries).toEqual([{ op: 'query', size: 50, namespace: pilotId }]);
  });

  it('deletes a deleted article’s vectors, and empties the namespace when the pilot falls back to the snapshot', async () => {
    const pilotId = newPilotId();
    const { store, env: bindings } = bound();
    await rebuildPilotAI(bindings, pilotId, source(large));
    const withoutDelivery = large.filter((a) => a.id !== 'delivery');
    await rebuildPilotAI(bindings, pilotId, source(withoutDelivery));
    expect(store.vectors.has(`${pilotId}:delivery#0`)).toBe(false);
    expect(store.idsOf(pilotId)).toHaveLength(withoutDelivery.length);

    const stats = await rebuildPilotAI(bindings, pilotId, source(core));
    expect(stats.vectors).toBe('snapshot');
    expect(store.idsOf(pilotId)).toEqual([]);
    const stored = await readLatestStoredPilotAi(env.SNAPSHOTS, pilotId);
    expect(stored?.vectorIndex).toBeUndefined();
    const decision = await (await loadPilotAI(bindings, pilotId)).decide(PARAPHRASE);
    expect(decision.why).toContain('embedding match');
    expect(decision.why).not.toContain('Vectorize');
  });

  it('erases a deleted pilot’s vectors and stored AI; a refusing Vectorize keeps both for a retry', async () => {
    const pilotId = newPilotId();
    const { store, env: bindings } = bound();
    await rebuildPilotAI(bindings, pilotId, source(large));
    store.failing = { op: 'deleteByIds', mode: 'throw' };
    await expect(erasePilotVectors(bindings, pilotId)).rejects.toThrow('deleteByIds failed');
    expect(store.idsOf(pilotId)).toHaveLength(large.length);
    expect(
      parseManifest((await readLatestStoredPilotAi(env.SNAPSHOTS, pilotId))?.vectorIndex)?.articles,
    ).toHaveProperty('delivery');

    store.failing = null;
    expect(await erasePilotVectors(bindings, pilotId)).toBe(large.length);
    expect(store.idsOf(pilotId)).toEqual([]);
    // Between the two steps (e.g. the pilot's deletion failed) it answers without Vectorize.
    const decision = await (await loadPilotAI(bindings, pilotId)).decide(
      'How do I reset my password?',
    );
    expect(decision.why).not.toContain('Vectorize');
    await deletePilotAI(bindings, pilotId);
    expect(await env.SNAPSHOTS.get(pilotAiKey(pilotId))).toBeNull();
    expect((await env.SNAPSHOTS.list({ prefix: `${pilotAiKey(pilotId)}:` })).keys).toEqual([]);
  });

  it('answers with the local title match while some articles have no vectors yet, then through Vectorize', async () => {
    const pilotId = newPilotId();
    const { store, env: bindings } = bound();
    store.failing = { op: 'upsert', mode: 'throw' };
    await rebuildPilotAI(bindings, pilotId, source(large));
    const partial = await (await loadPilotAI(bindings, pilotId)).decide(PARAPHRASE);
    expect(partial.why).toContain('title match');
    store.failing = null;
    await rebuildPilotAI(bindings, pilotId, source(large));
    const complete = await (await loadPilotAI(bindings, pilotId)).decide(PARAPHRASE);
    expect(complete.why).toContain('embedding match (Vectorize)');
    expect(complete.answer.kind).toBe('answered');
  });

  it('without a VECTORIZE binding a large knowledge base keeps the snapshot, used only while it covers every article', async () => {
    const pilotId = newPilotId();
    const bindings = { ...env, AI: conceptWorkersAi() };
    const stats = await rebuildPilotAI(bindings, pilotId, source(large));
    expect(stats.vectors).toBe('snapshot');
    expect((await (await loadPilotAI(bindings, pilotId)).decide(PARAPHRASE)).why).toContain(
      'embedding match',
    );
    // Past 2,000 passages the last articles have no vector (they could never reach the answer
    // threshold on BM25 alone), so the pilot answers with the local title match for all.
    const more = Array.from({ length: 1000 }, (_, i) => ({ ...fillers[0], id: `extra${i}` }));
    await rebuildPilotAI(bindings, pilotId, source([...more, ...large] as KnowledgeArticle[]));
    const decision = await (await loadPilotAI(bindings, pilotId)).decide(PARAPHRASE);
    expect(decision.why).toContain('title match');
  });
});

describe('knowledge vectors in the KV snapshot (small knowledge bases)', () => {
  it('a change of intents re-embeds nothing; a changed article re-embeds the passages', async () => {
    const pilotId = newPilotId();
    const calls: string[][] = [];
    const bindings = { ...env, AI: conceptWorkersAi(calls) };
    expect((await rebuildPilotAI(bindings, pilotId, source(core))).vectors).toBe('snapshot');
    expect(calls.flat()).toHaveLength(core.length);
    const intent = { name: 'hello', trainingPhrases: ['hi', 'hello', 'hey', 'good day', 'howdy'] };
    const withIntent = { ...source(core), intents: [intent] };
    expect((await rebuildPilotAI(bindings, pilotId, withIntent)).vectors).toBe('snapshot');
    expect(calls.flat()).toHaveLength(core.length);
    const edited = core.map((a) =>
      a.id === 'refunds' ? { ...a, body: 'Refunds take a week.' } : a,
    );
    await rebuildPilotAI(bindings, pilotId, { ...withIntent, articles: edited });
    expect(calls.flat()).toHaveLength(2 * core.length);
    const decision = await (await loadPilotAI(bindings, pilotId)).decide(PARAPHRASE);
    expect(decision.best?.url).toBe('https://help.example.com/delivery');
    expect(decision.why).toContain('embedding match');
  });
});

describe('Workers AI failing never fails the visitor’s turn', () => {
  it('a hanging embedding call at question time answers locally within the deadline', async () => {
    const pilotId = newPilotId();
    await rebuildPilotAI({ ...env, AI: conceptWorkersAi() }, pilotId, source(core));
    const hanging = { run: () => new Promise<never>(() => {}) };
    const ai = await loadPilotAI({ ...env, AI: hanging }, pilotId);
    const started = Date.now();
    const decision = await ai.decide('How do I reset my password?');
    expect(decision.answer.kind).toBe('answered');
    expect(decision.why).toContain('title match');
    expect(Date.now() - started).toBeLessThan(SEMANTIC_TIMEOUT_MS + 1500);
  });

  it('an embedding model failing at save time stores no vectors and the pilot answers locally', async () => {
    const pilotId = newPilotId();
    const failing = { run: async () => ({ unexpected: true }) };
    const stats = await rebuildPilotAI({ ...env, AI: failing }, pilotId, source(core));
    expect(stats.vectors).toBe('none');
    const decision = await (await loadPilotAI({ ...env, AI: failing }, pilotId)).decide(
      'How do I reset my password?',
    );
    expect(decision.answer.kind).toBe('answered');
    expect(decision.why).toContain('title match');
  });

  it('as committed (neither AI nor VECTORIZE bound) the knowledge path is local', async () => {
    expect('AI' in env).toBe(false);
    expect('VECTORIZE' in env).toBe(false);
    const stats = await rebuildPilotAI(env, newPilotId(), source(core));
    expect(stats.vectors).toBe('none');
  });
});

describe('deleting a pilot (admin API)', () => {
  it('erases its stored AI — model, knowledge index, vectors manifest — from KV', async () => {
    const { pilotId } = await createPilot();
    const article = {
      title: 'Gift wrapping',
      url: 'https://help.example.com/gift',
      body: 'Gift wrapping costs 3 euros.',
    };
    const created = await call(`/v1/admin/pilots/${pilotId}/knowledge`, {
      method: 'POST',
      body: JSON.stringify(article),
    });
    expect(created.status).toBe(201);
    expect(await env.SNAPSHOTS.get(pilotAiKey(pilotId))).not.toBeNull();
    expect((await call(`/v1/admin/pilots/${pilotId}`, { method: 'DELETE' })).status).toBe(200);
    expect(await env.SNAPSHOTS.get(pilotAiKey(pilotId))).toBeNull();
    expect((await env.SNAPSHOTS.list({ prefix: `${pilotAiKey(pilotId)}:` })).keys).toEqual([]);
  });
});
