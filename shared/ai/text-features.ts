/**
 * Text features for the local intent classifier: word unigrams + bigrams and character
 * n-grams inside word boundaries (robust to typos and inflection), weighted TF-IDF with
 * sublinear term frequency and L2-normalised — the classic strong baseline for short texts.
 */

/** Lower-cases, strips accents and splits into letter/digit tokens. */
export function tokenize(text: string): string[] {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? []
  );
}

export interface FeatureOptions {
  /** Character n-gram sizes, e.g. [3, 5] for 3..5. */
  charMin: number;
  charMax: number;
  wordBigrams: boolean;
}

export const defaultFeatureOptions: FeatureOptions = { charMin: 2, charMax: 5, wordBigrams: true };

/** Raw feature strings with counts; prefixes keep word and char features apart. */
export function rawFeatures(
  text: string,
  options: FeatureOptions = defaultFeatureOptions,
): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const words = tokenize(text);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    add(`w:${word}`);
    if (options.wordBigrams && i + 1 < words.length) add(`b:${word} ${words[i + 1]}`);
    const padded = ` ${word} `;
    for (let n = options.charMin; n <= options.charMax; n++) {
      for (let j = 0; j + n <= padded.length; j++) add(`c:${padded.slice(j, j + n)}`);
    }
  }
  return counts;
}

/** A sparse vector: parallel arrays of feature indices and values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** Vocabulary + IDF learned from training texts; turns text into TF-IDF sparse vectors. */
export class TfidfVectorizer {
  readonly vocabulary: Map<string, number>;
  readonly idf: Float32Array;
  readonly options: FeatureOptions;

  constructor(vocabulary: Map<string, number>, idf: Float32Array, options: FeatureOptions) {
    this.vocabulary = vocabulary;
    this.idf = idf;
    this.options = options;
  }

  static fit(
    texts: readonly string[],
    options: FeatureOptions = defaultFeatureOptions,
  ): TfidfVectorizer {
    const documentFrequency = new Map<string, number>();
    for (const text of texts) {
      for (const key of rawFeatures(text, options).keys()) {
        documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
      }
    }
    const vocabulary = new Map<string, number>();
    const idfValues: number[] = [];
    for (const [key, df] of documentFrequency) {
      vocabulary.set(key, idfValues.length);
      // Smoothed IDF as in scikit-learn: rare features weigh more, none weigh zero.
      idfValues.push(Math.log((1 + texts.length) / (1 + df)) + 1);
    }
    return new TfidfVectorizer(vocabulary, Float32Array.from(idfValues), options);
  }

  get size(): number {
    return this.idf.length;
  }

  transform(text: string): SparseVector {
    const entries: [number, number][] = [];
    let norm = 0;
    for (const [key, count] of rawFeatures(text, this.options)) {
      const index = this.vocabulary.get(key);
      if (index === undefined) continue;
      const value = (1 + Math.log(count)) * (this.idf[index] as number);
      entries.push([index, value]);
      norm += value * value;
    }
    norm = Math.sqrt(norm) || 1;
    const indices = new Int32Array(entries.length);
    const values = new Float32Array(entries.length);
    entries.forEach(([index, value], i) => {
      indices[i] = index;
      values[i] = value / norm;
    });
    return { indices, values };
  }
}
