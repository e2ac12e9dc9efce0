/** The settings pages' pure models: intent, entity, variable and article forms; keys; teams. */
import { describe, expect, it } from 'vitest';
import {
  memberNames,
  SCOPE_CHOICES,
  scopesText,
  toggleScope,
} from '../../console/settings/access-model.ts';
import {
  entityBody,
  entityFormOf,
  entitySummary,
  parseValueLine,
  parseVariableValue,
  variableBody,
  variableFormOf,
} from '../../console/settings/entity-model.ts';
import {
  classifyVerdict,
  emptyIntentForm,
  intentBody,
  intentFormOf,
  intentProblems,
} from '../../console/settings/intent-model.ts';
import { articleBody, askConfidence, askHeadline } from '../../console/settings/knowledge-model.ts';
import { linesOf, percent, textList } from '../../console/settings/text.ts';
import { currentNavItem } from '../../console/shell/nav.ts';
import { entityDefinitionSchema } from '../../shared/ai/entities.ts';
import { intentDefinitionSchema } from '../../shared/ai/intent-schema.ts';

const phrases = [
  'I want my money back',
  'refund please',
  'Refund please',
  'give me a refund',
  'can I get a refund',
  'charge me back',
];

describe('intent form', () => {
  it('sends trimmed, de-duplicated phrases that the server schema accepts, and reads them back', () => {
    const form = {
      ...emptyIntentForm,
      name: ' refund ',
      phrases: `  ${phrases.join('\n  ')}\n\n`,
      entities: ['email', 'email'],
    };
    const body = intentBody(form);
    expect(body).toEqual({
      name: 'refund',
      trainingPhrases: [
        'I want my money back',
        'refund please',
        'give me a refund',
        'can I get a refund',
        'charge me back',
      ],
      entities: ['email'],
    });
    expect(intentDefinitionSchema.strict().safeParse(body).success).toBe(true);
    const back = intentFormOf({ ...body, id: 'i1', pilotId: 'p', createdAt: 1, updatedAt: 1 });
    expect(intentBody(back)).toEqual(body);
  });

  it('names what to fix before sending: a bad name, fewer than 5 different phrases', () => {
    expect(intentProblems({ ...emptyIntentForm, phrases: 'a\nA\nb' })).toEqual({
      name: 'Name the intent',
      phrases: 'Give at least 5 different training phrases (2 so far)',
    });
    expect(
      intentProblems({ ...emptyIntentForm, name: '9lives', phrases: phrases.join('\n') }).name,
    ).toMatch(/not starting with a digit/);
    expect(
      intentProblems({ ...emptyIntentForm, name: 'ok_1', phrases: phrases.join('\n') }),
    ).toEqual({});
  });

  it('says whether anything is trained, matched, and how sure', () => {
    const base = { entities: [], trainedAt: 1 };
    expect(classifyVerdict({ ...base, intent: 'refund', confidence: 0.874 })).toBe(
      'Intent: refund (confidence 87%)',
    );
    expect(classifyVerdict({ ...base, intent: null, confidence: 0 })).toBe('No intent matched.');
    expect(classifyVerdict({ ...base, trainedAt: null, intent: null, confidence: 0 })).toMatch(
      /No intent is trained yet/,
    );
  });
});

describe('entity and variable forms', () => {
  it('reads list values as value: synonyms, which the server schema accepts, and round-trips them', () => {
    expect(parseValueLine(' pro : professional, premium ,, Premium')).toEqual({
      value: 'pro',
      synonyms: ['professional', 'premium'],
    });
    const body = entityBody({
      kind: 'list',
      name: 'plan',
      values: 'pro: professional\nfree\n:\n',
      pattern: '',
    });
    expect(body).toEqual({
      kind: 'list',
      name: 'plan',
      values: [
        { value: 'pro', synonyms: ['professional'] },
        { value: 'free', synonyms: [] },
      ],
    });
    expect(entityDefinitionSchema.safeParse(body).success).toBe(true);
    expect(entityFormOf(body).values).toBe('pro: professional\nfree');
    expect(entitySummary(body)).toBe('2 values');
    const regex = entityBody({ kind: 'regex', name: 'order', values: '', pattern: ' ORD-\\d+ ' });
    expect(regex).toEqual({ kind: 'regex', name: 'order', pattern: 'ORD-\\d+' });
    expect(entitySummary(regex)).toBe('Pattern ORD-\\d+');
  });

  it('types a variable value by its type and names a value that does not fit', () => {
    expect(parseVariableValue('number', ' 42.5 ')).toEqual({ ok: true, value: 42.5 });
    expect(parseVariableValue('number', 'forty')).toEqual({ ok: false, message: 'Not a number' });
    expect(parseVariableValue('boolean', 'true')).toEqual({ ok: true, value: true });
    expect(parseVariableValue('boolean', 'yes')).toMatchObject({ ok: false });
    expect(parseVariableValue('list', 'a\n\n b ')).toEqual({ ok: true, value: ['a', 'b'] });
    expect(parseVariableValue('text', '   ')).toEqual({ ok: true, value: null });
    const built = variableBody({ name: ' phone ', type: 'number', value: '4930', description: '' });
    expect(built).toEqual({ ok: true, body: { name: 'phone', type: 'number', value: 4930 } });
    expect(variableFormOf({ name: 'days', type: 'list', value: ['mon', 'tue'] })).toEqual({
      name: 'days',
      type: 'list',
      value: 'mon\ntue',
      description: '',
    });
    // An unknown stored type is edited as text rather than breaking the form.
    expect(variableFormOf({ name: 'x', type: 'weird', value: 1 }).type).toBe('text');
  });
});

describe('knowledge, keys and teams', () => {
  const ask = {
    outcome: 'answered' as const,
    reply: 'Yes',
    citations: [],
    confidence: 0.42,
    coverage: 0.8,
    minConfidence: 0.2,
    bestArticle: null,
    why: 'because',
  };
  it('says what the visitor gets and how sure the pilot is against its threshold', () => {
    expect(askHeadline(ask)).toBe('The pilot answers');
    expect(askHeadline({ ...ask, outcome: 'noAnswer' })).toMatch(/fallback/);
    expect(askHeadline({ ...ask, outcome: 'handoverRequested' })).toMatch(/hands over/);
    expect(askConfidence(ask)).toBe(
      'Confidence 42% (answers at 20% or more); the best passage covers 80% of the question',
    );
    expect(articleBody({ title: ' T ', url: ' https://x.example/a ', body: ' b ' })).toEqual({
      title: 'T',
      url: 'https://x.example/a',
      body: 'b',
    });
  });

  it('keeps scopes in a stable order and names team members (unknown ids as ids)', () => {
    expect(SCOPE_CHOICES.map((c) => c.scope)).toEqual(['read', 'write']);
    expect(toggleScope(['write'], 'read', true)).toEqual(['read', 'write']);
    expect(toggleScope(['read', 'write'], 'read', false)).toEqual(['write']);
    expect(scopesText(['write', 'read'])).toBe('read, write');
    const users = [{ id: 'u1', name: 'Rita', email: 'r@x.example', createdAt: 0, updatedAt: 0 }];
    expect(memberNames(['u1', 'u9'], users)).toBe('Rita, u9');
    expect(memberNames([], users)).toBe('Nobody');
  });

  it('bounds and cleans form text', () => {
    expect(linesOf('a\n\n b \n'.repeat(3000)).length).toBe(2000);
    expect(percent(1.7)).toBe('100%');
    expect(percent(Number.NaN)).toBe('0%');
    expect(textList({ t: ['a', 1, null, 'b'] }, 't')).toEqual(['a', 'b']);
  });
});

describe('settings navigation', () => {
  it('marks each settings page in the nav, with or without a pilot in the path', () => {
    expect(currentNavItem('/admin/intents')?.label).toBe('Intents');
    expect(currentNavItem('/admin/intents/pilot_1')?.label).toBe('Intents');
    expect(currentNavItem('/admin/entities/pilot_1')?.label).toBe('Entities and variables');
    expect(currentNavItem('/admin/knowledge/pilot_1')?.label).toBe('Knowledge');
    expect(currentNavItem('/admin/api-keys')?.label).toBe('API keys');
    expect(currentNavItem('/admin/team')?.label).toBe('Team');
    expect(currentNavItem('/admin/pilots/pilot_1')?.label).toBe('Pilots');
  });
});
