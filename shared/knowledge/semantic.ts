/**
 * The local semantic signal: how well an article's title covers the question's words, word by
 * word, where a word counts as covered by its closest title word in GloVe space ("parcel" ↔
 * "package" ≈ 0.6) and fully by the same word. Words are weighted by how rare they are among the
 * titles, so "account" in a help center full of account articles counts less than "berlin".
 * Fused with BM25 in answer.ts; weights and thresholds chosen on StackFAQ validation threads.
 */
import type { ArticleEntry } from './knowledge-index.ts';
import { contentTerms } from './text.ts';
import type { WordVectors } from './word-vectors.ts';

/** Question words compared (a question is short; this bounds the work of a pasted essay). */
export const MAX_QUESTION_TERMS = 32;
/**
 * Unrelated words still sit at some cosine of each other ("football" ↔ "refunds"): only
 * similarity above this floor counts, rescaled to 0..1, so a title full of unrelated words does
 * not add up to a match. Chosen on StackFAQ validation threads for the shipped 50-d vectors
 * (0.35 was right for the 100-d ones; PCA centering spreads unrelated words wider).
 */
export const SIMILARITY_FLOOR = 0.55;

/** "refund" and "refunds": a shared stem of 4+ letters counts as the same word. */
export const sameStem = (a: string, b: string) =>
  Math.min(a.length, b.length) >= 4 && (a.startsWith(b) || b.startsWith(a));

export class TitleMatcher {
  private readonly vectors: WordVectors;
  private readonly titles: { terms: Set<string>; slots: number[] }[];
  /** Distinct title words that have a vector: compared once per question, not once per title. */
  private readonly rows: number[] = [];
  private readonly df = new Map<string, number>();

  constructor(vectors: WordVectors, articles: readonly Pick<ArticleEntry, 'title'>[]) {
    this.vectors = vectors;
    const slotOf = new Map<number, number>();
    this.titles = articles.map(({ title }) => {
      const terms = new Set(contentTerms(title));
      const slots: number[] = [];
      for (const term of terms) {
        this.df.set(term, (this.df.get(term) ?? 0) + 1);
        const row = vectors.row(term);
        if (row < 0) continue;
        let slot = slotOf.get(row);
        if (slot === undefined) {
          slot = this.rows.length;
          slotOf.set(row, slot);
          this.rows.push(row);
        }
        slots.push(slot);
      }
      return { terms, slots };
    });
  }

  private idf(term: string): number {
    return Math.log(1 + this.titles.length / (1 + (this.df.get(term) ?? 0)));
  }

  /** Soft coverage of the question by each title (0..1), in the order of the articles. */
  similarities(question: string): number[] {
    const terms = contentTerms(question).slice(0, MAX_QUESTION_TERMS);
    const weights = terms.map((term) => this.idf(term));
    const total = weights.reduce((a, b) => a + b, 0);
    if (total === 0) return this.titles.map(() => 0);
    // Similarity of each question word to each distinct title word, above the floor.
    const near = terms.map((term) => {
      const row = this.vectors.row(term);
      if (row < 0) return null;
      return this.rows.map((other) =>
        Math.max(0, (this.vectors.cosine(row, other) - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR)),
      );
    });
    return this.titles.map(({ terms: titleTerms, slots }) => {
      let sum = 0;
      terms.forEach((term, i) => {
        let best = titleTerms.has(term) || [...titleTerms].some((t) => sameStem(t, term)) ? 1 : 0;
        const sims = near[i];
        if (sims && best < 1) for (const slot of slots) best = Math.max(best, sims[slot] as number);
        sum += (weights[i] as number) * best;
      });
      return sum / total;
    });
  }
}

/**
 * The other direction, for one article: the share of its title's words the question covers (each
 * title word by its closest question word, as above, unweighted). A paraphrase of a title covers
 * the whole title; a question about a topic the site lacks often lands on a sibling article whose
 * title says something the question did not ("Delete a Gmail *filter*" for a question about
 * deleting mail). Without vectors (Workers AI path) only the same word or stem counts.
 */
export function titleCoverage(
  question: string,
  title: string,
  vectors: WordVectors | null,
): number {
  const titleTerms = contentTerms(title).slice(0, MAX_QUESTION_TERMS);
  if (titleTerms.length === 0) return 0;
  const terms = contentTerms(question).slice(0, MAX_QUESTION_TERMS);
  const rows = vectors ? terms.map((term) => vectors.row(term)) : [];
  let sum = 0;
  for (const word of titleTerms) {
    let best = terms.some((term) => term === word || sameStem(term, word)) ? 1 : 0;
    const row = vectors && best < 1 ? vectors.row(word) : -1;
    if (vectors && row >= 0)
      for (const other of rows)
        best = Math.max(
          best,
          (vectors.cosine(row, other) - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR),
        );
    sum += best;
  }
  return sum / titleTerms.length;
}
