import { describe, expect, it } from 'vitest';
import {
  fromLocalInput,
  joinCooldown,
  resolveSettings,
  settingsProblems,
  splitCooldown,
  toLocalInput,
} from '../../console/forms/execution-settings-model.ts';
import {
  newVariable,
  parseDefault,
  patchVariable,
  variableProblems,
} from '../../console/forms/flow-manager-model.ts';
import {
  applySuggestion,
  openTemplateAt,
  scopeVariables,
  suggest,
  templateProblems,
} from '../../console/forms/template-model.ts';
import { testUrl, urlRuleProblem } from '../../console/forms/url-rules-model.ts';
import { renderTemplate } from '../../shared/expr/template.ts';

describe('URL rules and the test box', () => {
  it('says which rule matches a URL, as the runtime matcher decides', () => {
    const rules = [
      { op: 'is' as const, value: '/pricing' },
      { op: 'contains' as const, value: 'utm_source=ads' },
    ];
    expect(testUrl(rules, 'https://shop.example/pricing/?x=1')).toEqual({
      matches: true,
      ruleIndex: 0,
      text: 'Matches rule 1 (is /pricing)',
    });
    expect(testUrl(rules, 'https://shop.example/?utm_source=ads').text).toBe(
      'Matches rule 2 (contains utm_source=ads)',
    );
    expect(testUrl(rules, 'https://shop.example/pricing-old')).toEqual({
      matches: false,
      text: 'Does not match any rule',
    });
    expect(testUrl([], 'https://any.example/').matches).toBe(true);
  });

  it('flags a regex RE2 cannot run (lookaround, invalid) and an empty value', () => {
    // Flow regexes run on RE2 (linear time): nested quantifiers are safe, lookarounds unsupported.
    expect(urlRuleProblem({ op: 'matches', value: '(a+)+$' })).toBeNull();
    expect(urlRuleProblem({ op: 'matches', value: '(?=a)b' })).toMatch(
      /^Regex never matches: lookarounds/,
    );
    expect(urlRuleProblem({ op: 'matches', value: '([' })).toMatch(/invalid regular expression/);
    expect(urlRuleProblem({ op: 'contains', value: ' ' })).toBe('Enter a value');
    expect(urlRuleProblem({ op: 'any', value: '' })).toBeNull();
    expect(urlRuleProblem({ op: 'starts_with', value: '/docs' })).toBeNull();
  });
});

describe('template autocomplete', () => {
  it('lists every namespace in scope, with flow variables, pilot globals and entities', () => {
    const names = scopeVariables({
      variables: ['plan'],
      pilotVariables: ['support_email'],
      entities: ['order_id'],
      eventProps: ['total'],
    });
    for (const name of [
      'contact.first_name',
      'variable.plan',
      'pilot.support_email',
      'system.last_utterance',
      'event.name',
      'event.props.total',
      'entity.order_id',
      'visitor.page_url',
      'time.office_hours',
      'agents.available',
    ])
      expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('finds the unfinished template before the caret, and nothing once it is closed or in a fallback', () => {
    expect(openTemplateAt('Hi {{cont', 9)).toEqual({ start: 3, query: 'cont' });
    expect(openTemplateAt('Hi {{ ', 6)).toEqual({ start: 3, query: '' });
    expect(openTemplateAt('Hi {{contact.name}} ', 20)).toBeNull();
    expect(openTemplateAt('Hi {{contact.name | "the', 24)).toBeNull();
    expect(openTemplateAt('no template', 5)).toBeNull();
    expect(openTemplateAt(`{{${'x'.repeat(300)}`, 302)).toBeNull();
  });

  it('suggests prefix matches first, bounded, and inserts a closed template the engine renders', () => {
    const names = ['contact.email', 'variable.contact_pref', 'contact.first_name'];
    expect(suggest(names, 'contact')).toEqual([
      'contact.email',
      'contact.first_name',
      'variable.contact_pref',
    ]);
    expect(suggest(names, '', 2)).toHaveLength(2);
    const text = 'Hi {{cont!';
    const open = openTemplateAt(text, 9)!;
    const result = applySuggestion(text, 9, open, 'contact.first_name');
    expect(result).toEqual({ text: 'Hi {{contact.first_name}}!', caret: 25 });
    expect(renderTemplate(result.text, { contact: { first_name: 'Ada' } })).toBe('Hi Ada!');
    // An existing closing brace pair is reused, not doubled.
    const again = applySuggestion('{{var}} x', 5, { start: 0, query: 'var' }, 'variable.plan');
    expect(again.text).toBe('{{variable.plan}} x');
  });

  it('reports undeclared variables the way the validator does', () => {
    const problems = templateProblems('{{variable.nope}} {{variable.plan}} {{oops.x}}', {
      variables: new Set(['plan']),
    });
    expect(problems.map((p) => p.level)).toEqual(['error', 'error']);
    expect(problems[0]!.message).toContain('nope');
  });
});

describe('Flow Manager model', () => {
  it('types defaults by variable type and re-reads them when the type changes', () => {
    expect(parseDefault('number', ' 42 ')).toBe(42);
    expect(parseDefault('boolean', 'false')).toBe(false);
    expect(parseDefault('list', 'a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(parseDefault('text', '')).toBeUndefined();
    expect(patchVariable({ name: 'n', type: 'text', default: '7' }, { type: 'number' })).toEqual({
      name: 'n',
      type: 'number',
      default: 7,
    });
  });

  it('flags bad names, mistyped defaults and duplicates, and names new variables uniquely', () => {
    const problems = variableProblems([
      { name: 'plan', type: 'text' },
      { name: '1bad', type: 'text' },
      { name: 'plan', type: 'text' },
      { name: 'count', type: 'number', default: 'many' },
    ]);
    expect(problems.get(0)).toBeUndefined();
    expect(problems.get(1)).toMatch(/^Name: letters/);
    expect(problems.get(2)).toBe('Name: "plan" is used twice');
    expect(problems.get(3)).toBe('Default: not a number');
    expect(newVariable([{ name: 'var_2', type: 'text' }])).toEqual({ name: 'var_3', type: 'text' });
  });
});

describe('Execution settings model', () => {
  it('round-trips datetime-local values through ISO instants', () => {
    const iso = fromLocalInput('2026-12-24T18:30')!;
    expect(iso).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(toLocalInput(iso)).toBe('2026-12-24T18:30');
    expect(fromLocalInput('')).toBeNull();
    expect(toLocalInput('not a date')).toBe('');
  });

  it('shows a cooldown in its largest even unit', () => {
    expect(splitCooldown(5400)).toEqual({ amount: 90, unit: 'minutes' });
    expect(splitCooldown(7200)).toEqual({ amount: 2, unit: 'hours' });
    expect(splitCooldown(172_800)).toEqual({ amount: 2, unit: 'days' });
    expect(splitCooldown(undefined)).toBeNull();
    expect(joinCooldown(3, 'hours')).toBe(10_800);
  });

  it('names problems by field: a stop before the start, no people for a specific rule, a cooldown too long', () => {
    const base = resolveSettings(undefined);
    expect(settingsProblems(base)).toEqual({});
    expect(
      settingsProblems({
        ...base,
        start: { mode: 'custom', at: '2026-12-02T00:00:00Z' },
        stop: { mode: 'custom', at: '2026-12-01T00:00:00Z' },
      }),
    ).toEqual({ 'stop.at': 'The stop must come after the start' });
    expect(
      settingsProblems({ ...base, availability: { mode: 'specific_available', users: [] } }),
    ).toEqual({ availability: 'Pick at least one user or team' });
    expect(Object.keys(settingsProblems({ ...base, cooldownSeconds: 10 ** 12 }))).toEqual([
      'cooldownSeconds',
    ]);
  });
});
