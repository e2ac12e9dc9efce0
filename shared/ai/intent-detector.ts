/**
 * The intent-detector interface the runtime calls for visitor messages no run is waiting on.
 * Implementations: the keyword baseline below (a placeholder and the eval's baseline), the
 * local NLU classifier, Workers AI, an OpenAI-compatible endpoint — all behind this interface.
 */

/** One intent as admins define it (SPEC 3.4 pilot intents). */
export interface IntentDefinition {
  name: string;
  description?: string;
  trainingPhrases: string[];
}

/** An extracted entity value, available to flows as `entity.<name>`. */
export interface EntityMatch {
  name: string;
  value: string;
  /** The text the value was found in. */
  text: string;
}

export interface IntentResult {
  /** Best intent, or null when nothing matched at all. */
  intent: string | null;
  /** 0..1; compare with a trigger's `minConfidence`. */
  confidence: number;
  entities: EntityMatch[];
}

export interface IntentDetector {
  detect(text: string): IntentResult | Promise<IntentResult>;
}

const tokenize = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * KeywordIntentDetector — a deliberately simple baseline: the share of a training phrase's
 * words found in the message, best phrase wins. Not the product's classifier.
 */
export class KeywordIntentDetector implements IntentDetector {
  private readonly phrases: { intent: string; words: Set<string> }[];

  constructor(intents: readonly IntentDefinition[]) {
    this.phrases = intents.flatMap((intent) =>
      intent.trainingPhrases.map((phrase) => ({
        intent: intent.name,
        words: new Set(tokenize(phrase)),
      })),
    );
  }

  detect(text: string): IntentResult {
    const words = new Set(tokenize(text));
    let best: IntentResult = { intent: null, confidence: 0, entities: [] };
    for (const phrase of this.phrases) {
      if (phrase.words.size === 0) continue;
      let hits = 0;
      for (const word of phrase.words) if (words.has(word)) hits++;
      const confidence = hits / Math.max(phrase.words.size, words.size);
      if (confidence > best.confidence) best = { intent: phrase.intent, confidence, entities: [] };
    }
    return best;
  }
}
