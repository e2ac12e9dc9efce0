import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SimulateRequest, simulateFlow } from '../../shared/engine/simulate.ts';
import { flowSchema } from '../../shared/flow/schema.ts';
import { makeFlow } from './engine-test-helpers.ts';

const dir = join(import.meta.dirname, '../../examples/flows');
const examples = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .map((file) => flowSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))));

const words = fc.constantFrom('hi', 'yes', 'no', 'SO-12345', 'a@b.c', '42', 'pro', 'x', '');
/** Any script an admin could post: every event type, with odd values. */
const event = fc.oneof(
  fc.record({
    type: fc.constant('page_view'),
    url: fc.constantFrom(
      'https://shop.example/pricing?utm_source=ads',
      'https://x.example/',
      'not a url',
    ),
  }),
  fc.record(
    { type: fc.constant('message'), text: words.filter((w) => w !== '') },
    { requiredKeys: ['type', 'text'] },
  ),
  fc.record({
    type: fc.constant('message'),
    text: fc.constant('where is my order?'),
    intent: fc.record({
      name: fc.constantFrom('order_status', 'billing_issue', 'other'),
      confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    entities: fc.dictionary(fc.constantFrom('order_number', 'email'), words),
  }),
  fc.record({ type: fc.constant('choice'), value: words.filter((w) => w !== '') }),
  fc.record({
    type: fc.constant('event'),
    name: fc.constantFrom('cart_abandoned', 'other'),
    props: fc.dictionary(
      fc.constantFrom('total', 'item_count'),
      fc.oneof(fc.integer(), fc.string()),
    ),
  }),
  fc.record({ type: fc.constant('new_conversation') }),
);
const stub = fc.record(
  {
    status: fc.constantFrom(200, 404, 500),
    ok: fc.boolean(),
    text: words,
    body: fc.constant({ order: { status: 'shipped' } }),
  },
  { requiredKeys: [] },
);

describe('simulate', () => {
  it("shows a message's image, link buttons and cards in the transcript, rendered", () => {
    const flow = makeFlow([
      {
        id: 'promo',
        type: 'send_message',
        text: 'Hi {{contact.first_name | "there"}}, our plans:',
        image: { url: 'https://cdn.example/plans.png', alt: 'Plans for {{contact.company}}' },
        buttons: [{ label: 'Compare', url: 'https://shop.example/compare?c={{contact.company}}' }],
        cards: [{ title: 'Pro', text: '29 EUR a month', url: 'https://shop.example/pro' }],
      },
    ]);
    const result = simulateFlow(flow, {
      events: [{ type: 'new_conversation' }],
      context: { contact: { company: 'A&B' } },
    });
    expect(result.transcript).toEqual([
      {
        author: 'pilot',
        text: 'Hi there, our plans:',
        nodeId: 'promo',
        image: { url: 'https://cdn.example/plans.png', alt: 'Plans for A&B' },
        links: [{ label: 'Compare', url: 'https://shop.example/compare?c=A%26B' }],
        cards: [{ title: 'Pro', text: '29 EUR a month', url: 'https://shop.example/pro' }],
      },
    ]);
  });

  it('never throws and gives the same result twice for any example flow and any script', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.array(event, { maxLength: 8 }),
        fc.dictionary(fc.constantFrom('lookup', 'answer', 'handover', 'ticket', 'notify'), stub),
        fc.boolean(),
        (flow, events, effectResults, agentsAvailable) => {
          const request = {
            events,
            context: { effectResults, agentsAvailable },
          } as SimulateRequest;
          const first = simulateFlow(flow, request);
          expect(simulateFlow(flow, structuredClone(request))).toEqual(first);
          expect(['waiting', 'completed', 'failed', 'cancelled', 'not_triggered']).toContain(
            first.status,
          );
          expect(JSON.parse(JSON.stringify(first))).toEqual(first);
        },
      ),
      { numRuns: 300, seed: 20261124 },
    );
  });
});
