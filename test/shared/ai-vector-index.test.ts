/**
 * The Vectorize path (shared/knowledge/vector-index.ts) at its interface: an in-memory store that
 * keeps Vectorize's documented contract and limits (test/helpers/vector-store.ts) and a
 * deterministic embedding function stand in for the two Cloudflare services. This proves what is
 * upserted, queried and deleted, the bounds, the fusion with BM25 and the fallbacks; it cannot
 * prove the real services behave like the stand-ins, nor their latency (test/README.md).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pilotAiSettingsSchema } from '../../shared/ai/ai-settings.ts';
import { decideKnowledgeAnswer } from '../../shared/knowledge/answer.ts';
import type { KnowledgeArticle } from '../../shared/knowledge/article.ts';
import {
  EMBED_CALL_TIMEOUT_MS,
  EmbeddingScorer,
  embedPassages,
  SEMANTIC_TIMEOUT_MS,
} from '../../shared/knowledge/embeddings.ts';
import {
  KnowledgeIndex,
  type Passage,
  splitPassages,
} from '../../shared/knowledge/knowledge-index.ts';
import {
  deleteAllVectors,
  EMBED_PER_REBUILD,
  MAX_CHUNKS_PER_ARTICLE,
  QUERY_TOP_K,
  syncVectorIndex,
  UPSERT_BATCH,
  VectorizeScorer,
  type VectorManifest,
} from '../../shared/knowledge/vector-index.ts';
import { PilotAI } from '../../worker/ai/pilot-ai.ts';
import { conceptEmbed } from '../helpers/concept-embed.ts';
import { paraphraseArticles } from '../helpers/paraphrase-articles.ts';
import { MemoryVectorStore } from '../helpers/vector-store.ts';

const articles = paraphraseArticles();
const PILOT = 'pilot_a';
const PARAPHRASE = 'how many days until my package gets to Berlin?';

/** An article of `n` chunks (paragraphs of ~600 characters are never merged). */
function longArticle(id: string, n: number): KnowledgeArticle {
  const paragraph = (i: number) => `Paragraph ${i} about shipping. ${'words '.repeat(100)}`;
  return {
    id,
    title: `Long article ${id}`,
    url: `https://help.example.com/${id}`,
    body: Array.from({ length: n }, (_, i) => paragraph(i)).join('\n\n'),
  };
}

async function sync(
  store: MemoryVectorStore,
  list: KnowledgeArticle[],
  previous: VectorManifest | null,
  calls: string[][] = [],
  pilotId = PILOT,
) {
  return syncVectorIndex({
    store,
    embed: conceptEmbed(calls),
    model: 'test-model',
    pilotId,
    passages: list.flatMap(splitPassages),
    previous,
  });
}

const ops = (store: MemoryVectorStore, op: string) => store.calls.filter((c) => c.op === op);

afterEach(() => {
  vi.useRealTimers();
});

describe('Vectorize: what a rebuild writes', () => {
  it('upserts every chunk in the pilot namespace with { pilotId, articleId, chunk }, batched', async () => {
    const store = new MemoryVectorStore();
    const list = [
      ...articles,
      longArticle('long', 30),
      ...Array.from({ length: 20 }, (_, i) => longArticle(`l${i}`, 40)),
    ];
    const result = await sync(store, list, null);
    const chunks = list.flatMap(splitPassages).length;
    expect(result).toMatchObject({ embedded: chunks, deleted: 0, pending: 0, skipped: 0 });
    expect(result.error).toBeUndefined();
    expect(store.idsOf(PILOT)).toHaveLength(chunks);
    expect(store.vectors.get(`${PILOT}:long#29`)).toMatchObject({
      namespace: PILOT,
      metadata: { pilotId: PILOT, articleId: 'long', chunk: 29 },
    });
    const upserts = ops(store, 'upsert');
    expect(upserts.length).toBe(Math.ceil(chunks / UPSERT_BATCH));
    expect(Math.max(...upserts.map((c) => c.size))).toBe(UPSERT_BATCH);
    expect(Object.keys(result.manifest.articles)).toHaveLength(list.length);
  });

  it('re-embeds only changed articles, and deletes removed articles and chunks an article lost', async () => {
    const store = new MemoryVectorStore();
    const first = await sync(store, [...articles, longArticle('long', 5)], null);
    const calls: string[][] = [];
    const unchanged = await sync(
      store,
      [...articles, longArticle('long', 5)],
      first.manifest,
      calls,
    );
    expect(calls).toEqual([]);
    expect(unchanged).toMatchObject({ embedded: 0, deleted: 0 });

    const edited = {
      ...articles[1],
      body: 'Refunds now take 10 business days.',
    } as KnowledgeArticle;
    const shorter = longArticle('long', 2);
    const second = await sync(
      store,
      [articles[0] as KnowledgeArticle, edited, shorter],
      unchanged.manifest,
      calls,
    );
    // The password article was removed, refunds edited, the long one cut from 5 chunks to 2.
    expect(calls.flat()).toHaveLength(1 + 2);
    expect(second).toMatchObject({ embedded: 3, deleted: 1 + 3 });
    expect(store.idsOf(PILOT)).toEqual(
      ['delivery#0', 'long#0', 'long#1', 'refunds#0'].map((id) => `${PILOT}:${id}`),
    );
    expect(second.manifest.articles).not.toHaveProperty('password');
    expect(second.manifest.articles.long?.chunks).toBe(2);
  });

  it(`embeds at most ${MAX_CHUNKS_PER_ARTICLE} chunks an article and ${EMBED_PER_REBUILD} a rebuild; the rest on the next`, async () => {
    const store = new MemoryVectorStore();
    const huge = longArticle('huge', MAX_CHUNKS_PER_ARTICLE + 40);
    const many = Array.from({ length: 25 }, (_, i) => longArticle(`m${i}`, 90));
    const first = await sync(store, [huge, ...many], null);
    const hugeIds = store.idsOf(PILOT).filter((id) => id.startsWith(`${PILOT}:huge#`));
    expect(hugeIds).toHaveLength(MAX_CHUNKS_PER_ARTICLE);
    expect(first.embedded).toBeLessThanOrEqual(EMBED_PER_REBUILD);
    expect(first.pending).toBeGreaterThan(0);
    const second = await sync(store, [huge, ...many], first.manifest);
    expect(second.pending).toBe(0);
    expect(store.idsOf(PILOT)).toHaveLength(MAX_CHUNKS_PER_ARTICLE + 25 * 90);
  });

  it('skips an article whose vector ids would exceed 64 bytes (BM25 still finds it)', async () => {
    const store = new MemoryVectorStore();
    const longId = { ...(articles[0] as KnowledgeArticle), id: 'x'.repeat(70) };
    const result = await sync(store, [longId, articles[1] as KnowledgeArticle], null);
    expect(result).toMatchObject({ skipped: 1, embedded: 1 });
    expect(result.error).toBeUndefined();
    expect(store.idsOf(PILOT)).toEqual([`${PILOT}:refunds#0`]);
  });

  it('a refused upsert leaves every possibly written id in the manifest, re-embedded next time', async () => {
    const store = new MemoryVectorStore();
    store.failing = { op: 'upsert', mode: 'throw' };
    const failed = await sync(store, articles, null);
    expect(failed.error).toContain('Vectorize upsert failed');
    expect(failed.manifest.articles.delivery).toEqual({ hash: '', chunks: 1 });
    store.failing = null;
    const calls: string[][] = [];
    const retried = await sync(store, articles, failed.manifest, calls);
    expect(retried.error).toBeUndefined();
    expect(calls.flat()).toHaveLength(3);
    expect(retried.manifest.articles.delivery?.hash).toMatch(/^[0-9a-f]{32}$/);
  });

  it("deleting everything a manifest lists empties the pilot's namespace, and only it", async () => {
    const store = new MemoryVectorStore();
    const a = await sync(store, articles, null);
    // The same article ids in another pilot: ids are unique per index, so the pilot is in them.
    await sync(store, articles, null, [], 'pilot_b');
    expect(store.vectors.size).toBe(6);
    expect(await deleteAllVectors(store, a.manifest)).toBe(3);
    expect(store.idsOf(PILOT)).toEqual([]);
    expect(store.idsOf('pilot_b')).toHaveLength(3);
  });
});

describe('Vectorize: answering a question', () => {
  async function vectorizePilot(store = new MemoryVectorStore(), calls: string[][] = []) {
    const { manifest } = await sync(store, articles, null);
    return { store, scorer: new VectorizeScorer(store, conceptEmbed(calls), manifest) };
  }
  const index = KnowledgeIndex.build(articles);

  it('answers a paraphrase with the same decision as the snapshot path (fused with BM25)', async () => {
    const calls: string[][] = [];
    const { store, scorer } = await vectorizePilot(undefined, calls);
    const viaVectorize = await decideKnowledgeAnswer(PARAPHRASE, index, { semantic: scorer });
    const saved = await embedPassages(
      articles.flatMap(splitPassages),
      conceptEmbed(),
      'test-model',
    );
    const snapshot = EmbeddingScorer.fromStored(saved, conceptEmbed());
    if (!snapshot) throw new Error('snapshot embeddings did not load');
    const viaSnapshot = await decideKnowledgeAnswer(PARAPHRASE, index, { semantic: snapshot });
    expect(viaVectorize.answer.kind).toBe('answered');
    expect(viaVectorize.best?.url).toBe('https://help.example.com/delivery');
    expect(viaVectorize.why).toContain('embedding match (Vectorize)');
    // Same answer, citation and best article; the confidence differs only by the snapshot's int8.
    expect(viaVectorize.answer).toEqual({
      ...viaSnapshot.answer,
      confidence: viaVectorize.confidence,
    });
    expect(viaVectorize.best).toEqual(viaSnapshot.best);
    expect(viaVectorize.confidence).toBeCloseTo(viaSnapshot.confidence, 2);
    // One embedding call and one query, in the pilot's namespace, for the question.
    expect(calls.at(-1)).toEqual([PARAPHRASE]);
    expect(ops(store, 'query')).toEqual([{ op: 'query', size: QUERY_TOP_K, namespace: PILOT }]);
  });

  it("never scores another pilot's vectors, even if the index returned them", async () => {
    const store = new MemoryVectorStore();
    const { scorer } = await vectorizePilot(store);
    // Another pilot's article about delivery, in another namespace.
    const other = { ...(articles[0] as KnowledgeArticle), id: 'other-delivery' };
    await sync(store, [other], null, [], 'pilot_b');
    const scores = await scorer.similarities(PARAPHRASE, [
      ...index.articles,
      { articleId: 'other-delivery', title: 'x', url: 'https://x.example', text: 'x' },
    ]);
    expect(scores[0]).toBeGreaterThan(0);
    expect(scores[3]).toBe(0);
    // A misbehaving index answering across namespaces still cannot bring another pilot's vector
    // in (pilot_b's "password"), nor an article this pilot never indexed.
    store.query = async () => ({
      matches: [
        { id: 'pilot_b:password#0', score: 1 },
        { id: `${PILOT}:other-delivery#0`, score: 1 },
      ],
      count: 2,
    });
    expect(await scorer.similarities(PARAPHRASE, index.articles)).toEqual([0, 0, 0]);
    expect(
      await scorer.similarities(PARAPHRASE, [
        { articleId: 'other-delivery', title: 'x', url: 'https://x.example', text: 'x' },
      ]),
    ).toEqual([0]);
  });

  it('a refused or hanging query answers locally within the deadline (never fails the turn)', async () => {
    for (const mode of ['throw', 'hang'] as const) {
      const { store, scorer } = await vectorizePilot();
      store.failing = { op: 'query', mode };
      const pilot = new PilotAI({
        detector: { detect: () => ({ intent: null, confidence: 0, entities: [] }) },
        index,
        settings: pilotAiSettingsSchema.parse({}),
        chat: null,
        builtAt: 0,
        semantic: scorer,
      });
      const started = Date.now();
      const decision = await pilot.decide('How do I reset my password?');
      expect(decision.answer.kind).toBe('answered');
      expect(decision.why).toContain('title match');
      expect(Date.now() - started).toBeLessThan(SEMANTIC_TIMEOUT_MS + 1000);
    }
  });
});

describe('deadlines on saving', () => {
  it(`gives up on an embedding call after ${EMBED_CALL_TIMEOUT_MS} ms instead of holding the save`, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    /** Lets real async work (hashing) run until the deadline timer exists, then passes it. */
    const passDeadline = async () => {
      const until = performance.now() + 5000;
      while (vi.getTimerCount() === 0 && performance.now() < until)
        await new Promise((resolve) => setImmediate(resolve));
      expect(vi.getTimerCount()).toBeGreaterThan(0);
      await vi.advanceTimersByTimeAsync(EMBED_CALL_TIMEOUT_MS);
    };
    const hanging = () => new Promise<number[][]>(() => {});
    const passages: Passage[] = articles.flatMap(splitPassages);
    const snapshot = embedPassages(passages, hanging, 'm');
    const expectation = expect(snapshot).rejects.toThrow('took longer than');
    await passDeadline();
    await expectation;
    const store = new MemoryVectorStore();
    const synced = syncVectorIndex({
      store,
      embed: hanging,
      model: 'm',
      pilotId: PILOT,
      passages,
      previous: null,
    });
    await passDeadline();
    const result = await synced;
    expect(result.error).toContain('took longer than');
    expect(ops(store, 'upsert')).toEqual([]);
  });
});
