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

/** What one question's words are to a table's words: the same (stem), or how near in GloVe space. */
interface Comparison {
  terms: string[];
  /** Per question word: 1 for each table word that is it or shares its stem. */
  same: Uint8Array[];
  /** Per question word (null without a vector): similarity above the floor to each table vector. */
  near: (Float32Array | null)[];
}

/**
 * The distinct words of a set of texts and their vectors at unit length. Shared by the title and
 * the lead matchers of a knowledge base (the lead repeats the title's words), so a question's
 * words are compared with each distinct word once, not once per matcher; the last comparison is
 * kept for the next matcher asking about the same question.
 */
export class WordTable {
  readonly vectors: WordVectors;
  readonly words: string[] = [];
  private readonly wordOf = new Map<string, number>();
  /** Word ids by their first UTF-16 unit: only those can be a question word or share its stem. */
  private readonly byFirst = new Map<number, number[]>();
  /** Vocabulary rows of the distinct words that have a vector. */
  private readonly rows: number[] = [];
  private readonly slotOf = new Map<number, number>();
  private matrix = new Float32Array(0);
  private last: Comparison | null = null;

  constructor(vectors: WordVectors) {
    this.vectors = vectors;
  }

  /** The word's id in the table, and its vector's slot (−1 when it has none). */
  add(term: string): { word: number; slot: number } {
    let word = this.wordOf.get(term);
    if (word === undefined) {
      word = this.words.length;
      this.wordOf.set(term, word);
      this.words.push(term);
      const first = term.charCodeAt(0);
      const ids = this.byFirst.get(first);
      if (ids) ids.push(word);
      else this.byFirst.set(first, [word]);
    }
    const row = this.vectors.row(term);
    if (row < 0) return { word, slot: -1 };
    let slot = this.slotOf.get(row);
    if (slot === undefined) {
      slot = this.rows.length;
      this.slotOf.set(row, slot);
      this.rows.push(row);
      this.last = null;
    }
    return { word, slot };
  }

  private unitRows(): Float32Array {
    const dims = this.vectors.dims;
    if (this.matrix.length === this.rows.length * dims) return this.matrix;
    const matrix = new Float32Array(this.rows.length * dims);
    this.rows.forEach((row, slot) => {
      matrix.set(this.vectors.unit(row), slot * dims);
    });
    this.matrix = matrix;
    return matrix;
  }

  compare(terms: string[]): Comparison {
    const last = this.last;
    if (last && last.terms.length === terms.length && last.terms.every((t, i) => t === terms[i]))
      return last;
    const dims = this.vectors.dims;
    const matrix = this.unitRows();
    const near = terms.map((term) => {
      const row = this.vectors.row(term);
      if (row < 0) return null;
      const q = this.vectors.unit(row);
      const sims = new Float32Array(this.rows.length);
      for (let slot = 0; slot < sims.length; slot++) {
        let dot = 0;
        for (let d = 0, at = slot * dims; d < dims; d++, at++)
          dot += (q[d] as number) * (matrix[at] as number);
        sims[slot] = Math.max(0, (dot - SIMILARITY_FLOOR) / (1 - SIMILARITY_FLOOR));
      }
      return sims;
    });
    const same = terms.map((term) => {
      const matches = new Uint8Array(this.words.length);
      // Same first letter or no match (every word was compared before: O(table) per term).
      const ids = term ? (this.byFirst.get(term.charCodeAt(0)) ?? []) : [];
      for (let k = 0; k < ids.length; k++) {
        const i = ids[k] as number;
        const word = this.words[i] as string;
        if (word === term || sameStem(word, term)) matches[i] = 1;
      }
      return matches;
    });
    this.last = { terms, same, near };
    return this.last;
  }
}

export class TitleMatcher {
  private readonly table: WordTable;
  private readonly titles: { words: number[]; slots: number[] }[];
  private readonly df = new Map<string, number>();

  /** `table`: share one with another matcher over the same knowledge (see WordTable). */
  constructor(
    vectors: WordVectors,
    articles: readonly (Pick<ArticleEntry, 'title'> | { terms: readonly string[] })[],
    table = new WordTable(vectors),
  ) {
    this.table = table;
    // `terms`: the title's content terms already read (answer.ts reads each text once for all views).
    this.titles = articles.map((article) => {
      const slots: number[] = [];
      const words: number[] = [];
      for (const term of new Set(
        'terms' in article ? article.terms : contentTerms(article.title),
      )) {
        this.df.set(term, (this.df.get(term) ?? 0) + 1);
        const { word, slot } = table.add(term);
        words.push(word);
        if (slot >= 0) slots.push(slot);
      }
      return { words, slots };
    });
  }

  private idf(term: string): number {
    return Math.log(1 + this.titles.length / (1 + (this.df.get(term) ?? 0)));
  }

  /** Soft coverage of the question by each title (0..1), in the order of the articles. */
  similarities(question: string): number[] {
    return this.similaritiesOf(contentTerms(question));
  }

  /** The same from the question's content terms, read once for every view (answer.ts). */
  similaritiesOf(questionTerms: readonly string[]): number[] {
    const terms = questionTerms.slice(0, MAX_QUESTION_TERMS);
    const weights = terms.map((term) => this.idf(term));
    const total = weights.reduce((a, b) => a + b, 0);
    const scores = new Array<number>(this.titles.length).fill(0);
    if (total === 0) return scores;
    const { same, near } = this.table.compare(terms);
    // Plain loops: this runs for every article and question term of every visitor question, and
    // a closure per article and term was most of what it allocated.
    for (let t = 0; t < this.titles.length; t++) {
      const { words, slots } = this.titles[t] as { words: number[]; slots: number[] };
      let sum = 0;
      for (let i = 0; i < terms.length; i++) {
        const matches = same[i] as Uint8Array;
        let best = 0;
        for (let w = 0; w < words.length && best < 1; w++)
          if (matches[words[w] as number] === 1) best = 1;
        const sims = near[i];
        if (sims && best < 1)
          for (let k = 0; k < slots.length; k++)
            best = Math.max(best, sims[slots[k] as number] as number);
        sum += (weights[i] as number) * best;
      }
      scores[t] = sum / total;
    }
    return scores;
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
