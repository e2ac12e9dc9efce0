/**
 * Sentence embeddings for knowledge answers (Workers AI when the `AI` binding exists): every
 * passage of every article is embedded once, when the articles are saved, and stored with the
 * pilot's knowledge snapshot; a question then costs one embedding call, and each article scores
 * the cosine of its best passage. The embedding function is injected (`EmbedFn`), so this file
 * is pure: the Worker passes a Workers AI call, the tests a deterministic function.
 */
import { z } from 'zod';
import type { ArticleEntry, Passage } from './knowledge-index.ts';
import { withTimeout } from './timeout.ts';

/** Texts in, one vector per text out (same order). */
export type EmbedFn = (texts: string[]) => Promise<number[][]>;

/** Passages embedded per pilot: a larger knowledge base needs Vectorize (README). */
export const MAX_EMBEDDED_PASSAGES = 2000;
/** Texts per embedding call (Workers AI's text-embedding models take up to 100). */
export const EMBED_BATCH = 100;
/** Characters of a passage or question sent to the model (its window is 512 tokens). */
export const MAX_EMBED_CHARS = 2000;
/** Dimensions accepted from the model (bge-small 384, bge-base 768, bge-large 1024). */
export const MAX_DIMS = 1024;
/**
 * Cosine below which a passage counts as unrelated (BGE puts unrelated English sentences at
 * 0.3–0.5 of each other); above it, rescaled to 0..1 so it fuses with BM25 like the local title
 * match. Not measured offline: no embedding model runs here (README, "Workers AI").
 */
export const EMBEDDING_FLOOR = 0.5;
/**
 * How long a visitor's question may wait for its semantic signal (the embedding call, and the
 * Vectorize query when there is one) before the pilot answers locally instead. BGE-small and a
 * Vectorize query take tens to a few hundred milliseconds when healthy.
 */
export const SEMANTIC_TIMEOUT_MS = 2000;
/** How long one embedding call may take while articles are saved (100 passages a call). */
export const EMBED_CALL_TIMEOUT_MS = 10_000;

/** A cosine above EMBEDDING_FLOOR rescaled to 0..1: the value fused with BM25 (both paths). */
export const rescaleCosine = (cosine: number) =>
  Math.max(0, (cosine - EMBEDDING_FLOOR) / (1 - EMBEDDING_FLOOR));

const storedSchema = z.object({
  model: z.string().max(200),
  dims: z.number().int().min(1).max(MAX_DIMS),
  /** Article id of each embedded passage, in the order of `vectors`. */
  articleIds: z.array(z.string().max(500)).max(MAX_EMBEDDED_PASSAGES),
  /** Unit vectors quantized to int8 (× 127), concatenated, base64. */
  vectors: z.string(),
  /** passagesHash of what was embedded: a rebuild with the same passages reuses the vectors. */
  source: z.string().max(64).optional(),
});
export type StoredEmbeddings = z.infer<typeof storedSchema>;

const toBase64 = (bytes: Uint8Array) => {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

export function unit(vector: readonly number[], dims: number): number[] {
  if (vector.length !== dims || !vector.every(Number.isFinite))
    throw new Error(`embedding: expected ${dims} finite numbers`);
  const norm = Math.hypot(...vector) || 1;
  return vector.map((x) => x / norm);
}

/** Embeds `texts` EMBED_BATCH at a time, each call bounded by EMBED_CALL_TIMEOUT_MS. */
export async function embedAll(embed: EmbedFn, texts: string[]): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH) {
    const batch = texts.slice(i, i + EMBED_BATCH).map((t) => t.slice(0, MAX_EMBED_CHARS));
    const vectors = await withTimeout(embed(batch), EMBED_CALL_TIMEOUT_MS, 'embedding call');
    if (vectors.length !== batch.length) throw new Error('embedding: one vector per text expected');
    out.push(...vectors);
  }
  return out;
}

/** A content hash of passages (titles and texts) for one model: what decides re-embedding. */
export async function passagesHash(model: string, passages: readonly Passage[]): Promise<string> {
  const text = [model, ...passages.map((p) => `${p.title}\n${p.text}`)].join('\u0000');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 16)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('');
}

/**
 * Embeds the passages (title + text, the first MAX_EMBEDDED_PASSAGES) for the snapshot. When
 * `previous` (the stored value of the last rebuild) embedded the very same passages with the same
 * model, it is returned as is: a change of intents or entities costs no embedding call.
 */
export async function embedPassages(
  passages: readonly Passage[],
  embed: EmbedFn,
  model: string,
  previous?: unknown,
): Promise<StoredEmbeddings | null> {
  const kept = passages.slice(0, MAX_EMBEDDED_PASSAGES);
  if (kept.length === 0) return null;
  const source = await passagesHash(model, kept);
  const before = storedSchema.safeParse(previous);
  if (before.success && before.data.source === source && before.data.model === model)
    return before.data;
  const vectors = await embedAll(
    embed,
    kept.map((p) => `${p.title}\n${p.text}`),
  );
  const dims = vectors[0]?.length ?? 0;
  if (dims < 1 || dims > MAX_DIMS) throw new Error(`embedding: ${dims} dimensions`);
  const bytes = new Int8Array(kept.length * dims);
  vectors.forEach((vector, i) => {
    unit(vector, dims).forEach((x, d) => {
      bytes[i * dims + d] = Math.round(x * 127);
    });
  });
  return {
    model,
    dims,
    articleIds: kept.map((p) => p.articleId),
    vectors: toBase64(new Uint8Array(bytes.buffer)),
    source,
  };
}

/** The stored passage vectors of one pilot, ready to score questions. */
export class EmbeddingScorer {
  readonly label = 'embedding match';
  readonly model: string;
  private readonly dims: number;
  private readonly articleIds: string[];
  private readonly values: Int8Array;
  private readonly embed: EmbedFn;

  private constructor(stored: StoredEmbeddings, values: Int8Array, embed: EmbedFn) {
    this.model = stored.model;
    this.dims = stored.dims;
    this.articleIds = stored.articleIds;
    this.values = values;
    this.embed = embed;
  }

  /**
   * Whether every article has at least one embedded passage. An article without one would score
   * 0 on this signal, so it could never reach the answer threshold on BM25 alone; the pilot then
   * uses the local title match for all articles instead (a knowledge base past
   * MAX_EMBEDDED_PASSAGES without Vectorize).
   */
  coversAll(articles: readonly Pick<ArticleEntry, 'articleId'>[]): boolean {
    const embedded = new Set(this.articleIds);
    return articles.every(({ articleId }) => embedded.has(articleId));
  }

  /** Parses a stored value (a trust boundary: KV); null when it is malformed. */
  static fromStored(stored: unknown, embed: EmbedFn): EmbeddingScorer | null {
    const parsed = storedSchema.safeParse(stored);
    if (!parsed.success) return null;
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(parsed.data.vectors);
    } catch {
      // Not base64: the pilot answers without embeddings rather than not at all.
      return null;
    }
    if (bytes.length !== parsed.data.articleIds.length * parsed.data.dims) return null;
    return new EmbeddingScorer(parsed.data, new Int8Array(bytes.buffer), embed);
  }

  /**
   * Each article's best passage cosine to the question, above EMBEDDING_FLOOR and rescaled to
   * 0..1, in the order of `articles`. One embedding call per question, bounded by
   * SEMANTIC_TIMEOUT_MS (a timeout throws: the pilot then answers locally).
   */
  async similarities(question: string, articles: readonly ArticleEntry[]): Promise<number[]> {
    const [vector] = await withTimeout(
      this.embed([question.slice(0, MAX_EMBED_CHARS)]),
      SEMANTIC_TIMEOUT_MS,
      'question embedding',
    );
    const q = unit(vector ?? [], this.dims);
    const best = new Map<string, number>();
    const { dims, values } = this;
    this.articleIds.forEach((articleId, i) => {
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += (q[d] as number) * (values[i * dims + d] as number);
      const cosine = dot / 127;
      if (cosine > (best.get(articleId) ?? -1)) best.set(articleId, cosine);
    });
    return articles.map(({ articleId }) => rescaleCosine(best.get(articleId) ?? 0));
  }
}
