/** A proactive survey flow for the enrollment-log and insights tests. */
import { said, type Visitor, visit } from './runtime-helpers.ts';

/** A proactive survey: the question opens the flow; "no" goes through a webhook without onError. */
export function survey(webhookUrl: string) {
  return {
    name: 'Survey',
    trigger: { type: 'event' as const, name: 'survey' },
    variables: [{ name: 'mood', type: 'text' as const }],
    start: 'q',
    nodes: [
      {
        id: 'q',
        type: 'ask_question' as const,
        text: 'Happy with us?',
        input: {
          kind: 'buttons' as const,
          options: [
            { label: 'Yes', value: 'yes', next: 'thanks' },
            { label: 'No', value: 'no', next: 'call' },
          ],
        },
        saveTo: 'variable.mood',
      },
      {
        id: 'call',
        type: 'http_request' as const,
        method: 'POST' as const,
        url: webhookUrl,
        timeoutMs: 3000,
        next: 'sorry',
      },
      { id: 'sorry', type: 'send_message' as const, text: 'Sorry to hear that, we will call.' },
      { id: 'thanks', type: 'send_message' as const, text: 'Thanks, {{variable.mood}}!' },
    ],
  };
}

export async function surveyed(publicKey: string): Promise<Visitor> {
  const visitor = await visit(publicKey);
  visitor.socket.send({ type: 'event', name: 'survey' });
  await said(visitor.socket, 'Happy with us?');
  return visitor;
}

export function choose(visitor: Visitor, value: string) {
  const question = visitor.socket.messages().findLast((m) => m.choices)!;
  visitor.socket.send({ type: 'choice', seq: question.seq, value });
}
