import { describe, expect, it } from 'vitest';
import { EntityExtractor } from '../../shared/ai/entities.ts';
import type { IntentDefinition } from '../../shared/ai/intent-detector.ts';
import { intentDefinitionSchema } from '../../shared/ai/intent-schema.ts';
import { LocalIntentDetector } from '../../shared/ai/local-intent-detector.ts';

const intents: IntentDefinition[] = [
  {
    name: 'order_status',
    trainingPhrases: [
      'where is my order',
      'has my package shipped yet',
      'track my order',
      'when will my parcel arrive',
      'what is the status of my delivery',
      'my order has not arrived',
    ],
  },
  {
    name: 'refund',
    trainingPhrases: [
      'I want my money back',
      'how do I get a refund',
      'refund my purchase please',
      'can I return this for a refund',
      'I would like to be reimbursed',
      'return an item and get money back',
    ],
  },
  {
    name: 'pricing',
    trainingPhrases: [
      'how much does it cost',
      'what are your prices',
      'is there a free plan',
      'how expensive is the pro plan',
      'pricing for teams',
      'monthly subscription price',
    ],
  },
];

describe('local intent detector', () => {
  const detector = LocalIntentDetector.train(intents);

  it('recognises paraphrases it was not trained on, including typos', () => {
    expect(detector.detect('where is my parcel?').intent).toBe('order_status');
    expect(detector.detect('i want a refnd for my purchase').intent).toBe('refund');
    expect(detector.detect('what does the pro plan cost per month').intent).toBe('pricing');
  });

  it('is confident on a close paraphrase and unsure on an unrelated message', () => {
    const close = detector.detect('track my package');
    const unrelated = detector.detect('the giraffe sings opera');
    expect(close.confidence).toBeGreaterThan(0.7);
    expect(unrelated.confidence).toBeLessThan(close.confidence);
    expect(detector.detect('zzz qqq').confidence).toBeLessThan(0.7);
  });

  it('returns no intent for a message with no known words at all', () => {
    expect(detector.detect('!!!')).toEqual({ intent: null, confidence: 0, entities: [] });
  });

  it('answers identically after a round trip through stored JSON', () => {
    const loaded = LocalIntentDetector.fromJSON(JSON.parse(JSON.stringify(detector.toJSON())));
    for (const text of ['where is my order', 'refund please', 'price of teams plan', 'hello']) {
      const before = detector.classify(text);
      const after = loaded.classify(text);
      expect(after.intent).toBe(before.intent);
      expect(after.confidence).toBeCloseTo(before.confidence, 3);
    }
  });

  it('still loads a model stored before confidences used phrase similarity', () => {
    // KV holds models written by the previous release: no `phrases` field.
    const { phrases: _phrases, ...stored } = JSON.parse(JSON.stringify(detector.toJSON()));
    const legacy = LocalIntentDetector.fromJSON(stored);
    for (const text of ['where is my order', 'refund please', 'the giraffe sings opera']) {
      const result = legacy.detect(text);
      expect(result.intent).toBe(detector.classify(text).intent);
      expect(result.confidence).toBeGreaterThan(0);
      expect(result.confidence).toBeLessThanOrEqual(1);
    }
    expect(legacy.detect('track my package').confidence).toBeGreaterThan(0.5);
    expect(legacy.toJSON()).not.toHaveProperty('phrases');
  });

  it('still loads a single-intent model stored with its phrases under the old field', () => {
    const single = LocalIntentDetector.train([intents[0] as IntentDefinition]);
    const { phrases, ...rest } = JSON.parse(JSON.stringify(single.toJSON()));
    const legacy = LocalIntentDetector.fromJSON({ ...rest, singleIntentPhrases: phrases[0] });
    expect(legacy.detect('where is my order').confidence).toBeGreaterThan(0.9);
    expect(legacy.detect('tell me a joke about cats').confidence).toBeLessThan(0.3);
  });

  it('trains the same model every time (seeded)', () => {
    const again = LocalIntentDetector.train(intents);
    expect(JSON.stringify(again.toJSON())).toBe(JSON.stringify(detector.toJSON()));
  });

  it('scores a single-intent pilot by similarity instead of always being sure', () => {
    const single = LocalIntentDetector.train([intents[0] as IntentDefinition]);
    expect(single.detect('where is my order').confidence).toBeGreaterThan(0.9);
    expect(single.detect('tell me a joke about cats').confidence).toBeLessThan(0.3);
  });

  it('returns the entities found in the message with the intent', () => {
    const withEntities = LocalIntentDetector.train(intents, {
      entities: new EntityExtractor([{ kind: 'regex', name: 'order_id', pattern: '#(\\d{4,})' }]),
    });
    const result = withEntities.detect('where is my order #12345');
    expect(result.intent).toBe('order_status');
    expect(result.entities).toContainEqual({ name: 'order_id', value: '12345', text: '#12345' });
  });
});

describe('intent validation', () => {
  it('rejects names starting with a digit and intents with fewer than five phrases', () => {
    const bad = intentDefinitionSchema.safeParse({ name: '1st', trainingPhrases: ['a', 'b'] });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['name', 'trainingPhrases']));
    expect(
      intentDefinitionSchema.safeParse({
        name: 'order_status',
        trainingPhrases: ['a', 'b', 'c', 'd', 'e'],
      }).success,
    ).toBe(true);
  });
});
