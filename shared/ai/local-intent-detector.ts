/**
 * The local intent classifier: TF-IDF over word 1–2-grams + character 2–5-grams, scored by an
 * averaged Passive-Aggressive multiclass linear model. Runs in the Worker/DO with no network;
 * trained when intents change, serialised to JSON (stored in KV), and loaded once per DO.
 */
import { EntityExtractor } from './entities.ts';
import type { IntentDefinition, IntentDetector, IntentResult } from './intent-detector.ts';
import {
  defaultMarginTrainOptions,
  type MarginTrainOptions,
  type SparseWeights,
  scoreVector,
  softmaxInPlace,
  trainMarginClassifier,
} from './margin-classifier.ts';
import {
  defaultFeatureOptions,
  type FeatureOptions,
  type SparseVector,
  TfidfVectorizer,
} from './text-features.ts';

export const LOCAL_MODEL_FORMAT = 'edgepilot-local-intent/1';

/** Softmax temperature over margins: picked on CLINC150 validation (README "AI pilot"). */
export const DEFAULT_TEMPERATURE = 10;

export interface LocalModelJson {
  format: typeof LOCAL_MODEL_FORMAT;
  labels: string[];
  features: string[];
  idf: number[];
  featureOptions: FeatureOptions;
  rowStart: number[];
  classes: number[];
  weights: number[];
  temperature: number;
  /** Training vectors are kept only for single-intent pilots (no rival class to learn from). */
  singleIntentPhrases?: string[];
}

export interface Classification {
  intent: string | null;
  confidence: number;
}

const round = (value: number) => Number(value.toPrecision(5));

function cosine(a: SparseVector, b: SparseVector): number {
  let dot = 0;
  let j = 0;
  for (let i = 0; i < a.indices.length; i++) {
    const index = a.indices[i] as number;
    while (j < b.indices.length && (b.indices[j] as number) < index) j++;
    if (j < b.indices.length && b.indices[j] === index) {
      dot += (a.values[i] as number) * (b.values[j] as number);
    }
  }
  return dot;
}

export class LocalIntentDetector implements IntentDetector {
  private readonly vectorizer: TfidfVectorizer;
  private readonly model: SparseWeights;
  private readonly labels: string[];
  private readonly temperature: number;
  private readonly entities: EntityExtractor;
  private readonly singleIntentVectors: SparseVector[];
  private readonly singleIntentPhrases: string[];

  private constructor(
    vectorizer: TfidfVectorizer,
    model: SparseWeights,
    labels: string[],
    temperature: number,
    entities: EntityExtractor,
    singleIntentPhrases: string[],
  ) {
    this.vectorizer = vectorizer;
    this.model = model;
    this.labels = labels;
    this.temperature = temperature;
    this.entities = entities;
    this.singleIntentPhrases = singleIntentPhrases;
    this.singleIntentVectors = singleIntentPhrases.map((phrase) =>
      sorted(vectorizer.transform(phrase)),
    );
  }

  static train(
    intents: readonly IntentDefinition[],
    options: {
      entities?: EntityExtractor;
      features?: FeatureOptions;
      training?: MarginTrainOptions;
      temperature?: number;
    } = {},
  ): LocalIntentDetector {
    const labels = intents.map((intent) => intent.name);
    const texts: string[] = [];
    const targets: number[] = [];
    intents.forEach((intent, label) => {
      for (const phrase of intent.trainingPhrases) {
        texts.push(phrase);
        targets.push(label);
      }
    });
    const vectorizer = TfidfVectorizer.fit(texts, options.features ?? defaultFeatureOptions);
    const model = trainMarginClassifier(
      texts.map((text) => vectorizer.transform(text)),
      targets,
      vectorizer.size,
      labels.length,
      options.training ?? defaultMarginTrainOptions,
    );
    return new LocalIntentDetector(
      vectorizer,
      model,
      labels,
      options.temperature ?? DEFAULT_TEMPERATURE,
      options.entities ?? new EntityExtractor(),
      labels.length === 1 ? texts : [],
    );
  }

  static fromJSON(json: LocalModelJson, entities: EntityExtractor = new EntityExtractor()) {
    if (json.format !== LOCAL_MODEL_FORMAT) throw new Error(`unknown model format ${json.format}`);
    const vocabulary = new Map(json.features.map((feature, index) => [feature, index]));
    const vectorizer = new TfidfVectorizer(
      vocabulary,
      Float32Array.from(json.idf),
      json.featureOptions,
    );
    const model: SparseWeights = {
      rowStart: Int32Array.from(json.rowStart),
      classes: Uint16Array.from(json.classes),
      weights: Float32Array.from(json.weights),
    };
    return new LocalIntentDetector(
      vectorizer,
      model,
      json.labels,
      json.temperature,
      entities,
      json.singleIntentPhrases ?? [],
    );
  }

  toJSON(): LocalModelJson {
    const features = new Array<string>(this.vectorizer.size);
    for (const [feature, index] of this.vectorizer.vocabulary) features[index] = feature;
    return {
      format: LOCAL_MODEL_FORMAT,
      labels: this.labels,
      features,
      idf: Array.from(this.vectorizer.idf, round),
      featureOptions: this.vectorizer.options,
      rowStart: Array.from(this.model.rowStart),
      classes: Array.from(this.model.classes),
      weights: Array.from(this.model.weights, round),
      temperature: this.temperature,
      ...(this.singleIntentPhrases.length ? { singleIntentPhrases: this.singleIntentPhrases } : {}),
    };
  }

  /** Approximate bytes held by the loaded model (typed arrays + vocabulary strings). */
  get memoryBytes(): number {
    let strings = 0;
    for (const feature of this.vectorizer.vocabulary.keys()) strings += 2 * feature.length + 40;
    return (
      strings +
      this.vectorizer.idf.byteLength +
      this.model.rowStart.byteLength +
      this.model.classes.byteLength +
      this.model.weights.byteLength
    );
  }

  get intents(): readonly string[] {
    return this.labels;
  }

  /** Best intent and its confidence, without entity extraction (the eval's hot loop). */
  classify(text: string): Classification {
    const vector = this.vectorizer.transform(text);
    if (this.labels.length === 0 || vector.indices.length === 0) {
      return { intent: null, confidence: 0 };
    }
    if (this.labels.length === 1) {
      // One intent has no rival to learn a margin against: use the nearest phrase's cosine.
      const query = sorted(vector);
      let best = 0;
      for (const phrase of this.singleIntentVectors) best = Math.max(best, cosine(query, phrase));
      return { intent: this.labels[0] as string, confidence: best };
    }
    const probabilities = softmaxInPlace(
      scoreVector(this.model, vector, this.labels.length),
      this.temperature,
    );
    let best = 0;
    for (let c = 1; c < probabilities.length; c++) {
      if ((probabilities[c] as number) > (probabilities[best] as number)) best = c;
    }
    return { intent: this.labels[best] as string, confidence: probabilities[best] as number };
  }

  detect(text: string): IntentResult {
    return { ...this.classify(text), entities: this.entities.extract(text) };
  }
}

function sorted(vector: SparseVector): SparseVector {
  const order = Array.from(vector.indices.keys()).sort(
    (a, b) => (vector.indices[a] as number) - (vector.indices[b] as number),
  );
  return {
    indices: Int32Array.from(order, (i) => vector.indices[i] as number),
    values: Float32Array.from(order, (i) => vector.values[i] as number),
  };
}
