/**
 * A typo- and morphology-robust view of the knowledge: TF-IDF cosine over the character 3- to
 * 5-grams of each word (" strikethrough " shares most of its grams with " stikethrough " and
 * " formatting " with " format "). Word-bounded grams (the word padded with a space on each side),
 * sub-linear counts, smoothed IDF over the texts the matcher was built from; the question keeps
 * only grams the texts have, so its unknown words neither help nor dilute the match. Chosen on
 * StackFAQ validation threads (README's AI section): on titles alone it ranks the right article
 * first for 79.6% of validation questions (BM25 82.8%, title word vectors 74.0%).
 */
import { contentTerms } from './text.ts';

const MIN_GRAM = 4;
const MAX_GRAM = 5;
/** Words of a question looked at (as the word-vector match: a pasted essay costs no more). */
export const MAX_GRAM_TERMS = 32;
/** Longer "words" (URLs, hashes) add no more grams than this many characters. */
const MAX_WORD_CHARS = 40;

function gramCounts(words: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of words) {
    const padded = ` ${word.slice(0, MAX_WORD_CHARS)} `;
    for (let n = MIN_GRAM; n <= MAX_GRAM; n++)
      for (let i = 0; i + n <= padded.length; i++) {
        const gram = padded.slice(i, i + n);
        counts.set(gram, (counts.get(gram) ?? 0) + 1);
      }
  }
  return counts;
}

export class CharGramMatcher {
  private readonly idf = new Map<string, number>();
  /** Gram → the texts that have it, with the gram's weight in each (unit-length vectors). */
  private readonly postings = new Map<string, { doc: number; weight: number }[]>();
  private readonly size: number;

  constructor(texts: readonly string[]) {
    this.size = texts.length;
    const counts = texts.map((text) => gramCounts(contentTerms(text)));
    const df = new Map<string, number>();
    for (const c of counts) for (const gram of c.keys()) df.set(gram, (df.get(gram) ?? 0) + 1);
    for (const [gram, n] of df) this.idf.set(gram, Math.log((1 + texts.length) / (1 + n)) + 1);
    counts.forEach((c, doc) => {
      for (const [gram, weight] of this.unit(c)) {
        const list = this.postings.get(gram);
        if (list) list.push({ doc, weight });
        else this.postings.set(gram, [{ doc, weight }]);
      }
    });
  }

  /** Sub-linear TF × IDF over known grams, scaled to unit length. */
  private unit(counts: Map<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    let norm = 0;
    for (const [gram, count] of counts) {
      const idf = this.idf.get(gram);
      if (idf === undefined) continue;
      const weight = (1 + Math.log(count)) * idf;
      out.set(gram, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [gram, weight] of out) out.set(gram, weight / norm);
    return out;
  }

  /** Cosine of the question with each text (0..1), in the order the texts were given. */
  similarities(question: string): number[] {
    const scores = new Array<number>(this.size).fill(0);
    const query = this.unit(gramCounts(contentTerms(question).slice(0, MAX_GRAM_TERMS)));
    for (const [gram, weight] of query)
      for (const { doc, weight: other } of this.postings.get(gram) ?? [])
        scores[doc] = (scores[doc] as number) + weight * other;
    return scores;
  }
}
