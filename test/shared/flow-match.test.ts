import { describe, expect, it } from 'vitest';
import {
  explainSelection,
  type PublishedFlow,
  selectFlow,
  urlRuleMatches,
} from '../../shared/flow/match.ts';
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';
import { checkSettings } from '../../shared/flow/settings-check.ts';

const NOW = Date.parse('2026-11-24T10:00:00Z'); // a Tuesday
const flow = (trigger: unknown, extra: Record<string, unknown> = {}): Flow =>
  flowSchema.parse({
    schemaVersion: 1,
    name: 'F',
    pilotId: 'p',
    trigger,
    start: 'e',
    nodes: [{ id: 'e', type: 'end' }],
    ...extra,
  });
const published = (flowId: string, f: Flow): PublishedFlow => ({ flowId, version: 1, flow: f });

describe('trigger matching', () => {
  it.each([
    ['any', '', true],
    ['is', '/pricing', true],
    ['is', 'https://shop.example/pricing/', true],
    ['is_not', '/pricing', false],
    ['starts_with', '/pri', true],
    ['ends_with', '/pricing', true],
    ['contains', 'PRICING', true],
    ['not_contains', '/blog', true],
    ['matches', '^https://shop\\.example/(pricing|plans)', true],
    ['matches', '(a+)+$', false],
  ] as const)('URL rule %s %j on the pricing page -> %s', (op, value, expected) => {
    expect(urlRuleMatches({ op, value }, 'https://shop.example/pricing?utm_source=ads')).toBe(
      expected,
    );
  });

  it('page_visited checks URL rules (OR-ed), UTM and audience', () => {
    const f = flow({
      type: 'page_visited',
      urls: [
        { op: 'contains', value: '/pricing' },
        { op: 'contains', value: '/plans' },
      ],
      utm: { source: 'Ads' },
      audience: 'visitors',
    });
    const flows = [published('f', f)];
    const url = 'https://shop.example/plans?utm_source=ads';
    expect(selectFlow(flows, { type: 'page_visited', url })).not.toBeNull();
    expect(
      explainSelection(flows, { type: 'page_visited', url: 'https://shop.example/plans' }).rejected,
    ).toMatchObject([{ flowId: 'f', code: 'utm' }]);
    expect(
      explainSelection(
        flows,
        { type: 'page_visited', url },
        { data: { contact: { email: 'a@b.c' } } },
      ).rejected,
    ).toMatchObject([{ code: 'audience' }]);
    expect(
      explainSelection(flows, { type: 'page_visited', url: 'https://shop.example/blog' }).rejected,
    ).toMatchObject([{ code: 'url' }]);
  });

  it('page_visited conditions read the caller data', () => {
    const f = flow({
      type: 'page_visited',
      conditions: { field: 'visitor.country', op: 'in', value: ['DE', 'AT'] },
    });
    const input = { type: 'page_visited', url: 'https://x.example/' } as const;
    expect(
      selectFlow([published('f', f)], input, { data: { visitor: { country: 'DE' } } }),
    ).not.toBeNull();
    expect(
      selectFlow([published('f', f)], input, { data: { visitor: { country: 'US' } } }),
    ).toBeNull();
  });

  it('event triggers match the name and conditions on event properties', () => {
    const f = flow({
      type: 'event',
      name: 'cart_abandoned',
      conditions: {
        all: [
          { field: 'event.total', op: 'gte', value: 50 },
          { field: 'event.name', op: 'eq', value: 'cart_abandoned' },
        ],
      },
    });
    const flows = [published('f', f)];
    expect(
      selectFlow(flows, { type: 'event', name: 'cart_abandoned', props: { total: 120 } }),
    ).not.toBeNull();
    expect(
      selectFlow(flows, { type: 'event', name: 'cart_abandoned', props: { total: 20 } }),
    ).toBeNull();
    expect(selectFlow(flows, { type: 'event', name: 'signup', props: { total: 120 } })).toBeNull();
  });

  it('intent triggers need one of the intents at the minimum confidence', () => {
    const f = flow({ type: 'intent_detected', intents: ['refund'], minConfidence: 0.7 });
    const flows = [published('f', f)];
    expect(
      selectFlow(flows, { type: 'intent_detected', intent: 'refund', confidence: 0.8 }),
    ).not.toBeNull();
    expect(
      explainSelection(flows, { type: 'intent_detected', intent: 'refund', confidence: 0.6 })
        .rejected,
    ).toMatchObject([{ code: 'confidence' }]);
    expect(
      selectFlow(flows, { type: 'intent_detected', intent: 'hello', confidence: 1 }),
    ).toBeNull();
  });

  it('the lowest priority number wins, ties break on flow id', () => {
    const t = { type: 'new_conversation' };
    const flows = [
      published('b', flow(t, { priority: 5 })),
      published('a', flow(t, { priority: 5 })),
      published('c', flow(t, { priority: 50 })),
    ];
    expect(selectFlow(flows, { type: 'new_conversation' })?.flowId).toBe('a');
  });
});

describe('execution settings', () => {
  const t = { type: 'new_conversation' };
  const check = (settings: unknown, facts: Partial<Parameters<typeof checkSettings>[2]> = {}) =>
    checkSettings('f', flow(t, { settings }), { now: NOW, ...facts });

  it('start and stop at custom instants', () => {
    expect(check({ start: { mode: 'custom', at: '2026-12-01T00:00:00Z' } })).toMatchObject({
      ok: false,
      code: 'not_started',
    });
    expect(check({ stop: { mode: 'custom', at: '2026-11-24T09:00:00Z' } })).toMatchObject({
      ok: false,
      code: 'stopped',
    });
    expect(check({ start: { mode: 'custom', at: '2026-11-01T00:00:00+01:00' } })).toEqual({
      ok: true,
    });
  });

  it('frequency once and cooldowns use the run history the caller supplies', () => {
    const ran = () => ({ alreadyRan: true, lastRunAt: NOW - 60_000 });
    expect(check({ frequency: 'once' }, { history: ran })).toMatchObject({
      code: 'frequency_once',
    });
    expect(check({ frequency: 'once' }, { history: () => undefined })).toEqual({ ok: true });
    expect(
      check({ frequency: 'every_time', cooldownSeconds: 3600 }, { history: ran }),
    ).toMatchObject({ code: 'cooldown' });
    expect(check({ frequency: 'every_time', cooldownSeconds: 30 }, { history: ran })).toEqual({
      ok: true,
    });
  });

  it('time windows follow office hours in the pilot timezone', () => {
    const officeHours = {
      weekly: [{ day: 'tue' as const, from: '09:00', to: '17:00' }],
      holidays: [],
    };
    // 10:00 UTC is 11:00 in Berlin (open) and 05:00 in New York (closed).
    expect(
      check({ timeWindow: 'office_hours' }, { officeHours, timezone: 'Europe/Berlin' }),
    ).toEqual({ ok: true });
    expect(
      check({ timeWindow: 'office_hours' }, { officeHours, timezone: 'America/New_York' }),
    ).toMatchObject({ code: 'time_window' });
    expect(check({ timeWindow: 'outside_office_hours' }, { officeHoursOpen: false })).toEqual({
      ok: true,
    });
  });

  it('availability modes read agent availability', () => {
    const agents = [
      { id: 'u1', available: true, teams: ['sales'] },
      { id: 'u2', available: false, teams: ['support'] },
    ];
    expect(check({ availability: { mode: 'any_available' } }, { agents })).toEqual({ ok: true });
    expect(check({ availability: { mode: 'all_unavailable' } }, { agents })).toMatchObject({
      code: 'availability',
    });
    expect(
      check({ availability: { mode: 'specific_available', teams: ['support'] } }, { agents }),
    ).toMatchObject({ code: 'availability' });
    expect(
      check({ availability: { mode: 'specific_unavailable', users: ['u2'] } }, { agents }),
    ).toEqual({ ok: true });
    expect(check({ availability: { mode: 'any_available' } }, { agents: [] })).toMatchObject({
      code: 'availability',
    });
  });

  it('selectFlow skips a higher-priority flow its settings rule out', () => {
    const flows = [
      published('urgent', flow(t, { priority: 1, settings: { frequency: 'once' } })),
      published('normal', flow(t, { priority: 9 })),
    ];
    const history = (id: string) => (id === 'urgent' ? { alreadyRan: true } : undefined);
    expect(selectFlow(flows, { type: 'new_conversation' }, { now: NOW, history })?.flowId).toBe(
      'normal',
    );
  });
});
