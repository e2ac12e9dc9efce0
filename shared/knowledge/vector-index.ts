/**
 * Vectorize for large knowledge bases (SPEC 3.7): above VECTORIZE_MIN_PASSAGES passages, a
 * pilot's passage vectors live in a Vectorize index instead of its KV snapshot. Each pilot is one
 * namespace (a query sees only that pilot's vectors); a vector's id is `<pilotId>:<articleId>#<chunk>`
 * (ids are unique per index, not per namespace, so the pilot is part of it) and its metadata
 * `{ pilotId, articleId, chunk }`.
 *
 * What was upserted is recorded in a manifest (article → content hash and chunk count) stored with
 * the pilot's AI in KV: a rebuild embeds only the articles whose text changed, deletes the vectors
 * of removed articles and of chunks an article no longer has, and erasing a pilot deletes every id
 * the manifest lists (Vectorize has no "delete namespace" from a Worker).
 *
 * The store is injected (`VectorStore`, the part of the Vectorize binding used), so this file is
 * pure: the Worker passes `env.VECTORIZE`, the tests an implementation of the same interface.
 */
import { z } from 'zod';
import type { SemanticScorer } from './answer.ts';
import {
  type EmbedFn,
  embedAll,
  MAX_DIMS,
  MAX_EMBED_CHARS,
  passagesHash,
  rescaleCosine,
  SEMANTIC_TIMEOUT_MS,
  unit,
} from './embeddings.ts';
import type { ArticleEntry, Passage } from './knowledge-index.ts';
import { withTimeout } from './timeout.ts';

/**
 * A pilot with more passages than this keeps its vectors in Vectorize (when bound). Below it, the
 * int8 vectors in the KV snapshot (≤ 1,000 × 384 bytes, ~0.5 MB as base64) are read once per
 * isolate and a question scans them in about a millisecond; above it, the snapshot every
 * conversation object parses grows past what is worth carrying, and a Vectorize query (one
 * round trip) is the better trade.
 */
export const VECTORIZE_MIN_PASSAGES = 1000;
/** Chunks embedded per article (≈ 70,000 characters of ~700-character passages); the rest is BM25 only. */
export const MAX_CHUNKS_PER_ARTICLE = 100;
/** Vectors per pilot (an index holds 10,000,000; 50,000 namespaces on Workers Paid). */
export const MAX_VECTORIZE_PASSAGES = 50_000;
/**
 * Chunks embedded per rebuild (20 embedding calls, 4 upserts: what the snapshot path spends at
 * most): a rebuild runs in the admin's save request. Articles beyond it keep their previous
 * vectors, or none yet, and are embedded by the next rebuild (`pending`).
 */
export const EMBED_PER_REBUILD = 2000;
/** Vectors per upsert call (Vectorize takes at most 1,000 from a Worker). */
export const UPSERT_BATCH = 500;
/** Ids per deleteByIds call. */
export const DELETE_BATCH = 500;
/** Nearest chunks a question asks for (Vectorize: at most 100 without values or metadata). */
export const QUERY_TOP_K = 50;
/** How long one upsert or delete call may take while articles are saved. */
export const VECTORIZE_CALL_TIMEOUT_MS = 10_000;
/** Vectorize's limits on a vector id and a namespace name, in bytes. */
export const MAX_ID_BYTES = 64;
export const MAX_NAMESPACE_BYTES = 64;

export type VectorMetadata = { pilotId: string; articleId: string; chunk: number };
export type VectorRecord = {
  id: string;
  values: number[];
  namespace: string;
  metadata: VectorMetadata;
};
export type VectorQueryOptions = {
  topK: number;
  namespace: string;
  returnValues: false;
  returnMetadata: 'none';
};

/** The part of the Vectorize binding (`env.VECTORIZE`) used; same signatures. */
export interface VectorStore {
  upsert(vectors: VectorRecord[]): Promise<unknown>;
  query(
    vector: number[],
    options: VectorQueryOptions,
  ): Promise<{ matches: { id: string; score: number }[] }>;
  deleteByIds(ids: string[]): Promise<unknown>;
}

const manifestSchema = z.object({
  format: z.literal('edgepilot-vectorize/1'),
  model: z.string().max(200),
  namespace: z.string().max(MAX_NAMESPACE_BYTES),
  /** False once the pilot went back to the snapshot, while old vectors still await deletion. */
  active: z.boolean(),
  articles: z
    .record(
      z.string().max(100),
      z.object({
        /** '' while an upsert may have been half done: re-embedded by the next rebuild. */
        hash: z.string().max(64),
        chunks: z.number().int().min(0).max(MAX_CHUNKS_PER_ARTICLE),
      }),
    )
    .refine((articles) => Object.keys(articles).length <= MAX_VECTORIZE_PASSAGES),
});
export type VectorManifest = z.infer<typeof manifestSchema>;

/**
 * Whether Vectorize holds current vectors for every article: not while articles are `pending`,
 * skipped or half written (hash ''). An article without vectors would score 0 on this signal and
 * could never reach the answer threshold on BM25 alone, so until then the pilot answers with the
 * local title match instead.
 */
export function manifestCovers(
  manifest: VectorManifest,
  articles: readonly Pick<ArticleEntry, 'articleId'>[],
): boolean {
  return articles.every(({ articleId }) => {
    const entry = Object.hasOwn(manifest.articles, articleId) ? manifest.articles[articleId] : null;
    return Boolean(entry?.hash) && (entry?.chunks ?? 0) > 0;
  });
}

/** Parses a stored manifest (a trust boundary: KV); null when absent or malformed. */
export function parseManifest(value: unknown): VectorManifest | null {
  const parsed = manifestSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

const bytes = (text: string) => new TextEncoder().encode(text).length;
export const vectorId = (pilotId: string, articleId: string, chunk: number) =>
  `${pilotId}:${articleId}#${chunk}`;
/** The article of one of the pilot's vector ids; null for an id of anything else. */
function articleOf(pilotId: string, id: string): string | null {
  const prefix = `${pilotId}:`;
  const hash = id.lastIndexOf('#');
  return id.startsWith(prefix) && hash > prefix.length ? id.slice(prefix.length, hash) : null;
}

/** Ids of chunks `from` (inclusive) to `to` (exclusive) of an article. */
const chunkIds = (pilotId: string, articleId: string, from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => vectorId(pilotId, articleId, from + i));

async function deleteIds(store: VectorStore, ids: readonly string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += DELETE_BATCH)
    await withTimeout(
      store.deleteByIds(ids.slice(i, i + DELETE_BATCH)),
      VECTORIZE_CALL_TIMEOUT_MS,
      'Vectorize delete',
    );
}

/** Deletes every vector a manifest lists (an erased pilot, or one back on the snapshot). */
export async function deleteAllVectors(store: VectorStore, manifest: VectorManifest) {
  const ids = Object.entries(manifest.articles).flatMap(([articleId, { chunks }]) =>
    chunkIds(manifest.namespace, articleId, 0, chunks),
  );
  await deleteIds(store, ids);
  return ids.length;
}

export interface VectorSyncResult {
  manifest: VectorManifest;
  /** Chunks embedded and upserted by this rebuild. */
  embedded: number;
  /** Vector ids deleted (removed articles, chunks an article no longer has). */
  deleted: number;
  /** Changed or new articles left for the next rebuild (EMBED_PER_REBUILD). */
  pending: number;
  /** Articles not indexed at all: id too long for Vectorize, or past MAX_VECTORIZE_PASSAGES. */
  skipped: number;
  /** The first failure; the manifest still lists every id that may have been written. */
  error?: string;
}

/** Brings a pilot's vectors in line with its passages; never throws (see `error`). */
export async function syncVectorIndex(options: {
  store: VectorStore;
  embed: EmbedFn;
  model: string;
  pilotId: string;
  passages: readonly Passage[];
  previous: VectorManifest | null;
}): Promise<VectorSyncResult> {
  const { store, embed, model, pilotId, previous } = options;
  const manifest: VectorManifest = {
    format: 'edgepilot-vectorize/1',
    model,
    namespace: pilotId,
    active: true,
    articles: {},
  };
  const result: VectorSyncResult = { manifest, embedded: 0, deleted: 0, pending: 0, skipped: 0 };
  if (bytes(pilotId) > MAX_NAMESPACE_BYTES) {
    return { ...result, manifest: { ...manifest, active: false }, error: 'pilot id too long' };
  }

  // The articles to index, in order, each cut to MAX_CHUNKS_PER_ARTICLE, all to the pilot's cap.
  const byArticle = new Map<string, Passage[]>();
  for (const passage of options.passages) {
    const list = byArticle.get(passage.articleId) ?? [];
    if (list.length < MAX_CHUNKS_PER_ARTICLE) list.push(passage);
    byArticle.set(passage.articleId, list);
  }
  const wanted: { articleId: string; chunks: Passage[]; hash: string }[] = [];
  let total = 0;
  for (const [articleId, chunks] of byArticle) {
    const fits = bytes(vectorId(pilotId, articleId, MAX_CHUNKS_PER_ARTICLE - 1)) <= MAX_ID_BYTES;
    if (!fits || total + chunks.length > MAX_VECTORIZE_PASSAGES) {
      result.skipped++;
      continue;
    }
    total += chunks.length;
    wanted.push({ articleId, chunks, hash: await passagesHash(model, chunks) });
  }
  const before = previous?.articles ?? {};
  const current = new Set(wanted.map((w) => w.articleId));

  try {
    // Removed articles first: a deleted article's vectors go even if embedding fails below.
    const removed = Object.entries(before).filter(([articleId]) => !current.has(articleId));
    for (const [articleId, entry] of removed) manifest.articles[articleId] = entry; // until deleted
    const removedIds = removed.flatMap(([articleId, { chunks }]) =>
      chunkIds(pilotId, articleId, 0, chunks),
    );
    await deleteIds(store, removedIds);
    for (const [articleId] of removed) delete manifest.articles[articleId];
    result.deleted += removedIds.length;
    let budget = EMBED_PER_REBUILD;
    const work: typeof wanted = [];
    for (const item of wanted) {
      const old = before[item.articleId];
      if (old && old.hash === item.hash) manifest.articles[item.articleId] = old;
      else if (item.chunks.length <= budget) {
        budget -= item.chunks.length;
        work.push(item);
      } else {
        result.pending++;
        if (old) manifest.articles[item.articleId] = { ...old, hash: '' };
      }
    }
    for (const item of work) {
      const old = before[item.articleId];
      // Recorded before writing: a failure halfway still leaves every written id listed.
      manifest.articles[item.articleId] = {
        hash: '',
        chunks: Math.max(old?.chunks ?? 0, item.chunks.length),
      };
    }
    const queue = work.flatMap((item) => item.chunks.map((chunk, i) => ({ item, chunk, i })));
    const vectors = await embedAll(
      embed,
      queue.map(({ chunk }) => `${chunk.title}\n${chunk.text}`.slice(0, MAX_EMBED_CHARS)),
    );
    const dims = vectors[0]?.length ?? 0;
    if (queue.length && (dims < 1 || dims > MAX_DIMS))
      throw new Error(`embedding: ${dims} dimensions`);
    const records: VectorRecord[] = queue.map(({ item, i }, n) => ({
      id: vectorId(pilotId, item.articleId, i),
      values: unit(vectors[n] ?? [], dims),
      namespace: pilotId,
      metadata: { pilotId, articleId: item.articleId, chunk: i },
    }));
    for (let i = 0; i < records.length; i += UPSERT_BATCH)
      await withTimeout(
        store.upsert(records.slice(i, i + UPSERT_BATCH)),
        VECTORIZE_CALL_TIMEOUT_MS,
        'Vectorize upsert',
      );
    result.embedded = records.length;
    // Chunks an article no longer has (it got shorter): their ids are not overwritten above.
    const surplus = work.flatMap((item) =>
      chunkIds(pilotId, item.articleId, item.chunks.length, before[item.articleId]?.chunks ?? 0),
    );
    await deleteIds(store, surplus);
    result.deleted += surplus.length;
    for (const item of work)
      manifest.articles[item.articleId] = { hash: item.hash, chunks: item.chunks.length };
  } catch (error) {
    result.error = String(error);
  }
  return result;
}

/** A pilot's vectors in Vectorize as the semantic signal, fused with BM25 like the snapshot's. */
export class VectorizeScorer implements SemanticScorer {
  readonly label = 'embedding match (Vectorize)';
  private readonly store: VectorStore;
  private readonly embed: EmbedFn;
  private readonly manifest: VectorManifest;

  constructor(store: VectorStore, embed: EmbedFn, manifest: VectorManifest) {
    this.store = store;
    this.embed = embed;
    this.manifest = manifest;
  }

  /**
   * One embedding call and one query in the pilot's namespace, together bounded by
   * SEMANTIC_TIMEOUT_MS (a timeout or failure throws: the pilot then answers locally). Each
   * article scores its best chunk among the QUERY_TOP_K nearest; the others score 0.
   */
  async similarities(question: string, articles: readonly ArticleEntry[]): Promise<number[]> {
    const matches = await withTimeout(this.nearest(question), SEMANTIC_TIMEOUT_MS, 'Vectorize');
    const best = new Map<string, number>();
    for (const { id, score } of matches.slice(0, QUERY_TOP_K)) {
      const articleId = articleOf(this.manifest.namespace, id);
      // Only this pilot's recorded articles count, whatever the index answers.
      if (articleId === null || !Object.hasOwn(this.manifest.articles, articleId)) continue;
      if (!Number.isFinite(score)) continue;
      if (score > (best.get(articleId) ?? -1)) best.set(articleId, score);
    }
    return articles.map(({ articleId }) => rescaleCosine(best.get(articleId) ?? 0));
  }

  private async nearest(question: string) {
    const [vector] = await this.embed([question.slice(0, MAX_EMBED_CHARS)]);
    if (!vector?.length || vector.length > MAX_DIMS) throw new Error('embedding: no vector');
    const { matches } = await this.store.query(vector, {
      topK: QUERY_TOP_K,
      namespace: this.manifest.namespace,
      returnValues: false,
      returnMetadata: 'none',
    });
    if (!Array.isArray(matches)) throw new Error('Vectorize answered an unexpected shape');
    return matches;
  }
}
