import { describe, expect, it } from 'vitest';
import {
  MAX_SCENARIOS,
  parseScenarios,
  upsertScenario,
} from '../../console/editor/model/scenarios.ts';

const scenario = (name: string) => ({
  name,
  request: {
    events: [{ type: 'page_view' as const, url: 'https://x.example/pricing' }],
    context: {},
  },
});

describe('saved test scenarios', () => {
  it('reads back what was stored and treats anything unreadable as no scenarios', () => {
    const stored = JSON.stringify([scenario('a')]);
    expect(parseScenarios(stored).map((s) => s.name)).toEqual(['a']);
    expect(parseScenarios(null)).toEqual([]);
    expect(parseScenarios('{not json')).toEqual([]);
    // A tampered entry (an event simulate would refuse) drops the list rather than crash later.
    expect(
      parseScenarios(JSON.stringify([{ name: 'x', request: { events: [{ type: 'wait' }] } }])),
    ).toEqual([]);
  });

  it('replaces a scenario of the same name and keeps at most the newest 50', () => {
    let list = upsertScenario([], scenario('a'));
    list = upsertScenario(list, { ...scenario('a'), request: { events: [], context: {} } });
    expect(list).toHaveLength(1);
    expect(list[0]?.request.events).toEqual([]);
    for (let i = 0; i < MAX_SCENARIOS + 5; i++) list = upsertScenario(list, scenario(`s${i}`));
    expect(list).toHaveLength(MAX_SCENARIOS);
    expect(list.at(-1)?.name).toBe(`s${MAX_SCENARIOS + 4}`);
  });
});
