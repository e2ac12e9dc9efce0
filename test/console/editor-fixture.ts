import type { Flow } from '../../shared/flow/schema.ts';
import { flowSchema } from '../../shared/flow/schema.ts';

/** The SPEC 3.5 example flow, parsed (defaults applied) as the editor holds it. */
export function pricingFlow(): Flow {
  return flowSchema.parse({
    schemaVersion: 1,
    name: 'Pricing helper',
    pilotId: 'pilot_1',
    trigger: { type: 'page_visited', urls: [{ op: 'contains', value: '/pricing' }] },
    variables: [{ name: 'plan', type: 'text', default: 'free' }],
    start: 'greet',
    nodes: [
      {
        id: 'greet',
        type: 'send_message',
        text: 'Hi {{contact.first_name | "there"}}!',
        next: 'ask',
      },
      {
        id: 'ask',
        type: 'ask_question',
        text: 'Which plan?',
        input: {
          kind: 'buttons',
          options: [
            { label: 'Free', value: 'free', next: 'done' },
            { label: 'Pro', value: 'pro', next: 'done' },
          ],
        },
        saveTo: 'variable.plan',
      },
      { id: 'done', type: 'end' },
    ],
  });
}
