import { describe, expect, it } from 'vitest';
import { EntityExtractor, entityDefinitionSchema } from '../../shared/ai/entities.ts';

const now = new Date('2026-11-24T10:00:00Z');
const values = (matches: { name: string; value: string }[], name: string) =>
  matches.filter((m) => m.name === name).map((m) => m.value);

describe('entity extraction', () => {
  const extractor = new EntityExtractor([
    {
      kind: 'list',
      name: 'plan',
      values: [
        { value: 'pro', synonyms: ['professional', 'pro plan'] },
        { value: 'enterprise', synonyms: ['business edition'] },
      ],
    },
    { kind: 'regex', name: 'order_id', pattern: 'ORD-\\d{5}' },
  ]);

  it('maps list synonyms to their canonical value, ignoring case', () => {
    expect(values(extractor.extract('Upgrade me to the Business Edition', now), 'plan')).toEqual([
      'enterprise',
    ]);
    expect(values(extractor.extract('is PROFESSIONAL worth it', now), 'plan')).toEqual(['pro']);
  });

  it('does not match a list value inside another word', () => {
    expect(values(extractor.extract('this product is great', now), 'plan')).toEqual([]);
  });

  it('finds regex entities', () => {
    expect(values(extractor.extract('status of ORD-12345 please', now), 'order_id')).toEqual([
      'ORD-12345',
    ]);
  });

  it('reads a hyphen inside a code as a separator, not a minus sign', () => {
    expect(values(extractor.extract('status of ORD-12345 please', now), 'number')).toEqual([
      '12345',
    ]);
    expect(values(extractor.extract('room 4-2', now), 'number')).toEqual(['4', '2']);
    expect(values(extractor.extract('it is -5 degrees', now), 'number')).toEqual(['-5']);
  });

  it('finds email, url, phone, number and date/time system entities', () => {
    const found = extractor.extract(
      'mail jane.doe@example.com or call +1 415 555 2671 about https://shop.example.com/cart, 3 seats, tomorrow at 3pm',
      now,
    );
    expect(values(found, 'email')).toEqual(['jane.doe@example.com']);
    expect(values(found, 'url')).toEqual(['https://shop.example.com/cart']);
    expect(values(found, 'phone')).toEqual(['+14155552671']);
    expect(values(found, 'number')).toEqual(['3']);
    const [when] = values(found, 'datetime');
    expect(new Date(when as string).getUTCDate()).toBe(25);
  });
});

describe('entity validation', () => {
  it('rejects regexes RE2 cannot compile (lookarounds, backreferences, bad syntax)', () => {
    for (const pattern of ['(?=a)b', 'x(?<!y)', '(x)\\1', '(?<n>x)\\k<n>', '(unclosed']) {
      const result = entityDefinitionSchema.safeParse({ kind: 'regex', name: 'x', pattern });
      expect(result.success, pattern).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['pattern']);
    }
  });

  it('reserves the system entity names', () => {
    const result = entityDefinitionSchema.safeParse({
      kind: 'list',
      name: 'email',
      values: [{ value: 'x' }],
    });
    expect(result.error?.issues[0]?.path).toEqual(['name']);
  });
});
