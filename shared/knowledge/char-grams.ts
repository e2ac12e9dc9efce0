/**
 * A typo- and morphology-robust view of the knowledge: TF-IDF cosine over the character 4- and
 * 5-grams of each word (" strikethrough " shares most of its grams with " stikethrough " and
 * " formatting " with " format "). Word-bounded grams (the word padded with a space on each side),
 * sub-linear counts, smoothed IDF over the texts the matcher was built from; the question keeps
 * only grams the texts have, so its unknown words neither help nor dilute the match. Chosen on
 * StackFAQ validation threads (README's AI section): on titles alone it ranks the right article
 * first for 79.6% of validation questions as 3- to 5-grams (BM25 82.8%, title word vectors 74.0%);
 * 3-grams were dropped after (faint likenesses in small help centers), fused figures unchanged.
 */
import { contentTerms } from './text.ts';

const MIN_GRAM = 4;
const MAX_GRAM = 5;
/** Words of a question looked at (as the word-vector match: a pasted essay costs no more). */
export const MAX_GRAM_TERMS = 32;
/** Longer "words" (URLs, hashes) add no more grams than this many characters. */
const MAX_WORD_CHARS = 40;

/**
 * Postings (a gram in a text) one matcher holds at most, whatever the knowledge base's size. Each
 * text gets an equal share (MAX_POSTINGS / texts) of distinct grams, taken from its first words
 * on; a text past its share is matched on its start only, and with more texts than postings none
 * is (BM25 and the vector views still find them). The matchers live as long as the isolate
 * (answer.ts caches them per index): at a pilot's largest knowledge (8,000,000 characters, e.g.
 * 10,000 articles) the two char views together hold at most 2 × 150,000 postings in typed arrays
 * (12 bytes each: ~3.6 MB, plus the grams' strings) and build in ~0.1–0.2 s on the first question
 * (measured on a loaded 2-core machine; 2,000 × 2,000-char leads took 6–8 s and ~100 MB before).
 * All texts are read in full below ~375 grams each (≥ 400 articles' leads, ~2,000 titles);
 * StackFAQ's 100 articles never reach their share, so the fitted model never met the cap.
 */
export const MAX_POSTINGS = 150_000;

/** Distinct grams of the words, in order of first appearance, at most `limit` of them. */
function gramCounts(
  words: readonly string[],
  limit = Number.POSITIVE_INFINITY,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const word of words) {
    const padded = ` ${word.slice(0, MAX_WORD_CHARS)} `;
    for (let n = MIN_GRAM; n <= MAX_GRAM; n++)
      for (let i = 0; i + n <= padded.length; i++) {
        const gram = padded.slice(i, i + n);
        const count = counts.get(gram);
        if (count !== undefined) counts.set(gram, count + 1);
        else if (counts.size < limit) counts.set(gram, 1);
        else return counts;
      }
  }
  return counts;
}

/** A question's grams with their counts, as every CharGramMatcher reads them. */
export type QuestionGrams = ReadonlyMap<string, number>;

/** A question's grams from its content terms (`contentTerms`): one count for all the matchers. */
export function questionGrams(terms: readonly string[]): QuestionGrams {
  return gramCounts(terms.slice(0, MAX_GRAM_TERMS));
}

export class CharGramMatcher {
  /** Gram → its slot in `idf` and `offsets`. */
  private readonly slots = new Map<string, number>();
  private readonly idf: Float64Array;
  /**
   * Postings packed by gram (compressed rows): the texts that have the gram of slot s and its
   * weight in each (unit-length vectors) are docs/weights[offsets[s] .. offsets[s + 1]).
   */
  private readonly offsets: Int32Array;
  private readonly docs: Int32Array;
  private readonly weights: Float64Array;
  private readonly size: number;

  /** `texts`: strings, or their content terms already read (contentTerms; answer.ts shares them). */
  constructor(texts: readonly (string | readonly string[])[]) {
    this.size = texts.length;
    const share = Math.floor(MAX_POSTINGS / Math.max(1, texts.length));
    // Each text's grams as slots and sub-linear counts, read once (its Map is dropped at once).
    const df: number[] = [];
    const docSlots: Int32Array[] = [];
    const docTf: Float64Array[] = [];
    for (const text of texts) {
      const counts =
        share > 0
          ? gramCounts(typeof text === 'string' ? contentTerms(text) : text, share)
          : new Map<string, number>();
      const slots = new Int32Array(counts.size);
      const tf = new Float64Array(counts.size);
      let k = 0;
      for (const [gram, count] of counts) {
        let slot = this.slots.get(gram);
        if (slot === undefined) {
          slot = df.length;
          this.slots.set(gram, slot);
          df.push(0);
        }
        df[slot] = (df[slot] as number) + 1;
        slots[k] = slot;
        tf[k++] = 1 + Math.log(count);
      }
      docSlots.push(slots);
      docTf.push(tf);
    }
    this.idf = Float64Array.from(df, (n) => Math.log((1 + texts.length) / (1 + n)) + 1);
    this.offsets = new Int32Array(df.length + 1);
    for (let s = 0; s < df.length; s++)
      this.offsets[s + 1] = (this.offsets[s] as number) + (df[s] as number);
    const total = this.offsets[df.length] as number;
    this.docs = new Int32Array(total);
    this.weights = new Float64Array(total);
    const next = this.offsets.slice(0, df.length);
    docSlots.forEach((slots, doc) => {
      const tf = docTf[doc] as Float64Array;
      let sum = 0;
      for (let k = 0; k < slots.length; k++)
        sum += ((tf[k] as number) * (this.idf[slots[k] as number] as number)) ** 2;
      const norm = Math.sqrt(sum) || 1;
      for (let k = 0; k < slots.length; k++) {
        const slot = slots[k] as number;
        const at = next[slot] as number;
        next[slot] = at + 1;
        this.docs[at] = doc;
        this.weights[at] = ((tf[k] as number) * (this.idf[slot] as number)) / norm;
      }
    });
  }

  /** Postings held (≤ MAX_POSTINGS): what the matcher's memory and build time grow with. */
  get postings(): number {
    return this.docs.length;
  }

  /** Sub-linear TF × IDF of a gram (0 for a gram none of the texts has). */
  private weight(gram: string, count: number): number {
    const slot = this.slots.get(gram);
    return slot === undefined ? 0 : (1 + Math.log(count)) * (this.idf[slot] as number);
  }

  /** Length of the vector of known grams (1 when there are none, so nothing divides by 0). */
  private norm(counts: QuestionGrams): number {
    let sum = 0;
    // forEach, not for-of: no [gram, count] pair made per gram on the hot path.
    counts.forEach((count, gram) => {
      sum += this.weight(gram, count) ** 2;
    });
    return Math.sqrt(sum) || 1;
  }

  /** Cosine of the question with each text (0..1), in the order the texts were given. */
  similarities(question: string): number[] {
    return this.similaritiesOf(questionGrams(contentTerms(question)));
  }

  /** The same from the question's grams (`questionGrams`), read once for every matcher. */
  similaritiesOf(counts: QuestionGrams): number[] {
    const scores = new Array<number>(this.size).fill(0);
    const norm = this.norm(counts);
    counts.forEach((count, gram) => {
      const weight = this.weight(gram, count) / norm;
      if (weight === 0) return;
      const slot = this.slots.get(gram) as number;
      const end = this.offsets[slot + 1] as number;
      for (let i = this.offsets[slot] as number; i < end; i++) {
        const doc = this.docs[i] as number;
        scores[doc] = (scores[doc] as number) + weight * (this.weights[i] as number);
      }
    });
    return scores;
  }
}
