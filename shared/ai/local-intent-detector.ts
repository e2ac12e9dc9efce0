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
  /**
   * Training phrases per label, for the similarity part of the confidence. Absent in models
   * stored before it existed: those keep the softmax-only confidence they were tuned with until
   * the pilot's intents change and the model is rebuilt.
   */
  phrases?: string[][];
  /** Legacy (before `phrases`): the phrases of a single-intent model. */
  singleIntentPhrases?: string[];
}

export interface Classification {
  intent: string | null;
  confidence: number;
}

const round = (value: number) => Number(value.toPrecision(5));

/**
 * The phrases of a stored model. Models written before the similarity term have none (a
 * single-intent one kept its phrases under `singleIntentPhrases`): null = softmax only.
 */
function legacyPhrases(json: LocalModelJson): string[][] | null {
  if (Array.isArray(json.phrases)) return json.phrases;
  if (Array.isArray(json.singleIntentPhrases) && json.labels.length === 1)
    return [json.singleIntentPhrases];
  return null;
}

export class LocalIntentDetector implements IntentDetector {
  private readonly vectorizer: TfidfVectorizer;
  private readonly model: SparseWeights;
  private readonly labels: string[];
  private readonly temperature: number;
  private readonly entities: EntityExtractor;
  /** Null for a legacy stored model without phrases (softmax-only confidence). */
  private readonly phrases: string[][] | null;
  /** Phrase vectors per label, built on first use: only intents that get predicted cost memory. */
  private readonly phraseVectors: (SparseVector[] | undefined)[] = [];

  private constructor(
    vectorizer: TfidfVectorizer,
    model: SparseWeights,
    labels: string[],
    temperature: number,
    entities: EntityExtractor,
    phrases: string[][] | null,
  ) {
    this.vectorizer = vectorizer;
    this.model = model;
    this.labels = labels;
    this.temperature = temperature;
    this.entities = entities;
    this.phrases = phrases;
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
      intents.map((intent) => [...intent.trainingPhrases]),
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
      legacyPhrases(json),
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
      ...(this.phrases ? { phrases: this.phrases } : {}),
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

  /**
   * Best intent and its confidence, without entity extraction (the eval's hot loop).
   * Confidence = softmax probability × √(cosine to the intent's nearest training phrase): a
   * linear model over few intents is confidently wrong on unrelated messages, the similarity
   * term is not (README "AI pilot": out-of-scope recall measured both ways).
   */
  classify(text: string): Classification {
    const vector = this.vectorizer.transform(text);
    if (this.labels.length === 0 || vector.indices.length === 0) {
      return { intent: null, confidence: 0 };
    }
    let best = 0;
    let probability = 1;
    if (this.labels.length > 1) {
      const probabilities = softmaxInPlace(
        scoreVector(this.model, vector, this.labels.length),
        this.temperature,
      );
      for (let c = 1; c < probabilities.length; c++) {
        if ((probabilities[c] as number) > (probabilities[best] as number)) best = c;
      }
      probability = probabilities[best] as number;
    }
    if (!this.phrases) return { intent: this.labels[best] as string, confidence: probability };
    const similarity = this.nearestPhraseSimilarity(best, vector);
    // One intent has no rival to learn a margin against: the similarity alone is the confidence.
    const confidence =
      this.labels.length === 1 ? similarity : probability * Math.sqrt(Math.max(0, similarity));
    return { intent: this.labels[best] as string, confidence };
  }

  private nearestPhraseSimilarity(label: number, vector: SparseVector): number {
    let phrases = this.phraseVectors[label];
    if (!phrases) {
      phrases = (this.phrases?.[label] ?? []).map((phrase) => this.vectorizer.transform(phrase));
      this.phraseVectors[label] = phrases;
    }
    const query = new Map<number, number>();
    for (let k = 0; k < vector.indices.length; k++) {
      query.set(vector.indices[k] as number, vector.values[k] as number);
    }
    let best = 0;
    for (const phrase of phrases) {
      let dot = 0;
      for (let k = 0; k < phrase.indices.length; k++) {
        const q = query.get(phrase.indices[k] as number);
        if (q !== undefined) dot += q * (phrase.values[k] as number);
      }
      if (dot > best) best = dot;
    }
    return Math.min(1, best);
  }

  detect(text: string): IntentResult {
    return { ...this.classify(text), entities: this.entities.extract(text) };
  }
}
