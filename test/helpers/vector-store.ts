/**
 * An in-memory stand-in for a Vectorize index, used where the `VECTORIZE` binding plugs in:
 * Miniflare has no local Vectorize (wrangler lists it as remote-only), so this is the only way to
 * run the code path offline. It keeps Vectorize's documented contract as far as the code relies
 * on it — ids unique per index, a query sees only its namespace, cosine scores, and the limits
 * (≤ 1,000 vectors an upsert from a Worker, ids and namespaces ≤ 64 bytes, topK ≤ 100 without
 * values or metadata) enforced by throwing — and records every call. It cannot prove that the real
 * service behaves so (test/README.md).
 */
import type {
  VectorQueryOptions,
  VectorRecord,
  VectorStore,
} from '../../shared/knowledge/vector-index.ts';

const bytes = (text: string) => new TextEncoder().encode(text).length;

export class MemoryVectorStore implements VectorStore {
  readonly vectors = new Map<string, VectorRecord>();
  readonly calls: { op: 'upsert' | 'query' | 'deleteByIds'; size: number; namespace?: string }[] =
    [];
  /** Set to make the next calls of one kind fail (a refusing service) or hang (a stalled one). */
  failing: { op: 'upsert' | 'query' | 'deleteByIds'; mode: 'throw' | 'hang' } | null = null;

  private check(op: 'upsert' | 'query' | 'deleteByIds') {
    if (this.failing?.op !== op) return;
    if (this.failing.mode === 'hang') return new Promise<never>(() => {});
    throw new Error(`Vectorize ${op} failed`);
  }

  async upsert(vectors: VectorRecord[]) {
    this.calls.push({ op: 'upsert', size: vectors.length });
    await this.check('upsert');
    if (vectors.length > 1000) throw new Error('upsert: more than 1000 vectors from a Worker');
    for (const v of vectors) {
      if (bytes(v.id) > 64) throw new Error(`upsert: id longer than 64 bytes: ${v.id}`);
      if (bytes(v.namespace) > 64) throw new Error('upsert: namespace longer than 64 bytes');
      this.vectors.set(v.id, structuredClone(v));
    }
    return { mutationId: crypto.randomUUID() };
  }

  async query(vector: number[], options: VectorQueryOptions) {
    this.calls.push({ op: 'query', size: options.topK, namespace: options.namespace });
    await this.check('query');
    if (options.topK > 100) throw new Error('query: topK above 100');
    const norm = (v: number[]) => Math.hypot(...v) || 1;
    const matches = [...this.vectors.values()]
      .filter((v) => v.namespace === options.namespace)
      .map((v) => ({
        id: v.id,
        score:
          v.values.reduce((sum, x, i) => sum + x * (vector[i] ?? 0), 0) /
          (norm(v.values) * norm(vector)),
      }))
      .sort((a, b) => b.score - a.score)
      .slice(0, options.topK);
    return { matches, count: matches.length };
  }

  async deleteByIds(ids: string[]) {
    this.calls.push({ op: 'deleteByIds', size: ids.length });
    await this.check('deleteByIds');
    for (const id of ids) this.vectors.delete(id);
    return { mutationId: crypto.randomUUID() };
  }

  /** Ids stored for one pilot (namespace), sorted. */
  idsOf(namespace: string): string[] {
    return [...this.vectors.values()]
      .filter((v) => v.namespace === namespace)
      .map((v) => v.id)
      .sort();
  }
}
