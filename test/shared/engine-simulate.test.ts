import { describe, expect, it } from 'vitest';
import { simulateFlow } from '../../shared/engine/simulate.ts';
import { makeFlow } from './engine-test-helpers.ts';

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
});
