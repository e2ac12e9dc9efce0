/**
 * Local word vectors (GloVe, pruned and quantized by scripts/build-word-vectors.mjs, reduced to
 * 50 dims by scripts/reduce-word-vectors.mjs): what lets the pilot match "package" with "parcel"
 * or "arrive" with "delivery" with no network. The data module (~0.5 MB gzip) is imported on the first knowledge question, never on a plain chat
 * message, and decoded once per isolate.
 */

export class WordVectors {
  readonly dims: number;
  private readonly index: Map<string, number>;
  private readonly values: Int8Array;
  private readonly norms: Float32Array;

  constructor(words: readonly string[], values: Int8Array, dims: number) {
    if (values.length !== words.length * dims) throw new Error('word vectors: size mismatch');
    this.dims = dims;
    this.values = values;
    this.index = new Map(words.map((word, i) => [word, i]));
    this.norms = new Float32Array(words.length);
    for (let i = 0; i < words.length; i++) {
      let sum = 0;
      for (let d = i * dims; d < (i + 1) * dims; d++) sum += (values[d] as number) ** 2;
      this.norms[i] = Math.sqrt(sum) || 1;
    }
  }

  get size(): number {
    return this.norms.length;
  }

  /** Row of a word, or -1 when the word is not among the kept vocabulary. */
  row(word: string): number {
    return this.index.get(word) ?? -1;
  }

  /** A row scaled to unit length (so a dot product of two is their cosine). */
  unit(row: number): Float32Array {
    const { dims, values } = this;
    const out = new Float32Array(dims);
    const norm = this.norms[row] as number;
    for (let d = 0; d < dims; d++) out[d] = (values[row * dims + d] as number) / norm;
    return out;
  }

  /** Cosine similarity of two rows (−1..1); 0 when either word has no vector. */
  cosine(a: number, b: number): number {
    if (a < 0 || b < 0) return 0;
    const { dims, values } = this;
    let dot = 0;
    for (let d = 0; d < dims; d++)
      dot += (values[a * dims + d] as number) * (values[b * dims + d] as number);
    return dot / ((this.norms[a] as number) * (this.norms[b] as number));
  }
}

/** Unpacks two 4-bit levels a byte (level + 8, high nibble first) into signed levels. */
export function unpackNibbles(packed: Uint8Array): Int8Array {
  const out = new Int8Array(packed.length * 2);
  for (let i = 0; i < packed.length; i++) {
    const byte = packed[i] as number;
    out[2 * i] = (byte >> 4) - 8;
    out[2 * i + 1] = (byte & 15) - 8;
  }
  return out;
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let loading: Promise<WordVectors> | null = null;

/** The shipped vectors, loaded on first use and shared by every pilot in the isolate. */
export function loadWordVectors(): Promise<WordVectors> {
  loading ??= import('./word-vectors.data.ts').then(
    (data) =>
      new WordVectors(data.WORDS.split(' '), unpackNibbles(fromBase64(data.VECTORS)), data.DIMS),
  );
  return loading;
}
