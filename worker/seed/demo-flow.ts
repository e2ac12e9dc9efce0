import type { Flow } from '../../shared/flow/schema.ts';

export const DEMO_PILOT_ID = 'pilot_demo';
export const DEMO_PUBLIC_KEY = 'pk_demo';
export const DEMO_FLOW_ID = 'flow_demo_welcome';

/** The seeded demo flow: page visited (any URL) -> greeting -> two buttons -> templated reply -> end. */
export const demoFlow: Flow = {
  schemaVersion: 1,
  name: 'Demo welcome',
  description: 'Greets every visitor and asks what brought them here.',
  pilotId: DEMO_PILOT_ID,
  priority: 100,
  trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
  variables: [{ name: 'topic', type: 'text' }],
  start: 'greet',
  nodes: [
    {
      id: 'greet',
      type: 'send_message',
      text: 'Hi there! I am the edgepilot demo pilot.',
      next: 'ask',
    },
    {
      id: 'ask',
      type: 'ask_question',
      text: 'What brings you here today?',
      input: {
        kind: 'buttons',
        options: [
          { label: 'Pricing', value: 'pricing', next: 'reply' },
          { label: 'Support', value: 'support', next: 'reply' },
        ],
      },
      saveTo: 'variable.topic',
    },
    {
      id: 'reply',
      type: 'send_message',
      text: 'Great, let us talk about {{variable.topic | "that"}}. A teammate will follow up soon.',
      next: 'done',
    },
    { id: 'done', type: 'end' },
  ],
};
