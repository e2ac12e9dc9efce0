import { describe, expect, it } from 'vitest';
import {
  type FlowListItem,
  filterFlows,
  flowStatus,
  startOfDay,
  statusLabel,
  triggerLabel,
} from '../../console/flows/flow-summary.ts';

const flow = (id: string, draft: Record<string, unknown>, pilotId = 'pilot_a'): FlowListItem => ({
  id,
  pilotId,
  revision: 1,
  publishedVersion: null,
  updatedAt: 0,
  draft,
});

describe('flows list summary', () => {
  it('says draft before the first publish, published vN while live, unpublished after, and does not guess before the versions are known', () => {
    expect(statusLabel(flowStatus(null, 0))).toBe('Draft');
    expect(statusLabel(flowStatus(null, null))).toBe('…');
    expect(statusLabel(flowStatus(3, 3))).toBe('Published v3');
    expect(statusLabel(flowStatus(2, null))).toBe('Published v2');
    expect(statusLabel(flowStatus(null, 4))).toBe('Unpublished');
  });

  it('names each trigger type with its key setting', () => {
    expect(triggerLabel({ type: 'page_visited', urls: [] })).toBe('Page visited: any page');
    expect(
      triggerLabel({
        type: 'page_visited',
        urls: [
          { op: 'contains', value: '/pricing' },
          { op: 'is', value: '/plans' },
          { op: 'starts_with', value: '/docs' },
        ],
      }),
    ).toBe('Page visited: /pricing, /plans…');
    expect(triggerLabel({ type: 'event', name: 'signup' })).toBe('Event: signup');
    expect(triggerLabel({ type: 'intent_detected', intents: ['refund', 'billing'] })).toBe(
      'Intent detected: refund, billing',
    );
    expect(triggerLabel({ type: 'new_conversation' })).toBe('New conversation');
    expect(triggerLabel(undefined)).toBe('No trigger');
  });

  it('searches name, description and id case-insensitively, filters by pilot, sorts by priority then name', () => {
    const flows = [
      flow('flow_1', { name: 'Pricing helper', priority: 20 }),
      flow('flow_2', { name: 'Welcome', description: 'Greets on PRICING pages', priority: 5 }),
      flow('flow_3', { name: 'Refunds', priority: 5 }, 'pilot_b'),
      flow('flow_4', { name: 'Another', priority: 5 }),
    ];
    expect(filterFlows(flows, '', '').map((f) => f.id)).toEqual([
      'flow_4',
      'flow_3',
      'flow_2',
      'flow_1',
    ]);
    expect(filterFlows(flows, '  pricing ', '').map((f) => f.id)).toEqual(['flow_2', 'flow_1']);
    expect(filterFlows(flows, '', 'pilot_b').map((f) => f.id)).toEqual(['flow_3']);
    expect(filterFlows(flows, 'flow_1', 'pilot_a').map((f) => f.id)).toEqual(['flow_1']);
    expect(filterFlows(flows, 'pricing', 'pilot_b')).toEqual([]);
  });

  it('counts runs today from local midnight', () => {
    const at = new Date(2026, 10, 26, 15, 30);
    expect(startOfDay(at)).toBe(new Date(2026, 10, 26).getTime());
  });
});
