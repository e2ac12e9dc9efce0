import type { Flow } from '../../shared/flow/schema.ts';

export const DEMO_PILOT_ID = 'pilot_demo';
export const DEMO_PUBLIC_KEY = 'pk_demo';
export const DEMO_FLOW_ID = 'flow_demo_welcome';

/**
 * The seeded demo flow: page visited (any URL) -> greeting -> two buttons -> templated reply ->
 * end. A visitor who types a question instead of picking a button is answered from the pilot's
 * knowledge (`onInvalid` -> `ai_answer`), not told to pick an option: the first thing a visitor
 * does in a demo is often to ask something. No answer says so honestly; asking for a person hands
 * over, and with nobody online asks for an email instead of promising a follow-up.
 */
export const demoFlow: Flow = {
  schemaVersion: 1,
  name: 'Demo welcome',
  description:
    'Greets every visitor and asks what brought them here; a typed question is answered from the knowledge base.',
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
      // Anything typed instead of a button is a question: answer it at once.
      retries: 0,
      onInvalid: 'answer',
    },
    {
      id: 'reply',
      type: 'send_message',
      text: 'Great, let us talk about {{variable.topic | "that"}}. Ask me anything, or ask to talk to a person.',
      next: 'done',
    },
    {
      id: 'answer',
      type: 'ai_answer',
      next: 'done',
      noAnswer: 'no_answer',
      handoverRequested: 'human',
    },
    {
      id: 'no_answer',
      type: 'send_message',
      text: "I don't have an answer to that yet. You can ask it another way, or ask to talk to a person.",
      next: 'done',
    },
    {
      id: 'human',
      type: 'handover',
      next: 'done',
      unavailable: 'ask_email',
    },
    {
      id: 'ask_email',
      type: 'ask_question',
      text: 'Nobody is online right now. Leave your email and a person will write back.',
      input: { kind: 'email' },
      // On the contact: the agent who takes the conversation sees where to write.
      saveTo: 'contact.email',
      next: 'thanks',
      // One "that does not look like an email" first; then it was a question after all.
      retries: 1,
      onInvalid: 'answer',
    },
    {
      id: 'thanks',
      type: 'send_message',
      text: 'Thanks, we will write to {{contact.email}}. Meanwhile, ask me anything.',
      next: 'done',
    },
    { id: 'done', type: 'end' },
  ],
};
