import { describe, expect, it } from 'vitest';
import { HISTORY_LENGTH, systemNamespace } from '../../shared/engine/system-vars.ts';
import { input, makeFlow, play, say } from './engine-test-helpers.ts';

const transcript = Array.from({ length: 14 }, (_, i) => ({
  author: i % 2 === 0 ? 'visitor' : 'pilot',
  text: `message ${i + 1}`,
}));

describe('system variables', () => {
  it('give the last 10 messages, the last visitor words and the last reply', () => {
    const system = systemNamespace({
      messages: [...transcript, { author: 'system', text: 'Ada joined' }],
      conversationUserId: 'v_1',
      locale: 'de-DE',
    });
    expect(system.conversation_history).toHaveLength(HISTORY_LENGTH);
    expect(system.conversation_history).toEqual(transcript.slice(-10));
    expect(system).toMatchObject({
      last_utterance: 'message 13',
      last_response: 'message 14',
      conversation_user_id: 'v_1',
      locale: 'de-DE',
    });
  });

  it('are empty, not missing, in a new conversation', () => {
    expect(systemNamespace({ messages: [] })).toEqual({
      last_utterance: '',
      last_response: '',
      conversation_history: [],
    });
  });

  it('let later nodes of the same event read what the pilot just said', () => {
    const flow = makeFlow([
      say('a', 'Our shop opens at 9.', 'b'),
      say('b', 'To repeat: {{system.last_response}}', 'c'),
      say('c', 'We talked {{system.conversation_history}}'),
    ]);
    const { says } = play(flow, [], {
      data: { system: systemNamespace({ messages: [{ author: 'visitor', text: 'hours?' }] }) },
    });
    expect(says[1]).toBe('To repeat: Our shop opens at 9.');
    // Lists render as comma-separated text; the history holds the visitor's and both replies.
    expect(says[2]).toContain('hours?');
    expect(says[2]).toContain('To repeat: Our shop opens at 9.');
  });

  it('give the answer the visitor just typed as last_utterance', () => {
    const flow = makeFlow([
      {
        id: 'ask',
        type: 'ask_question',
        text: 'What do you need?',
        input: { kind: 'text' },
        next: 'echo',
      },
      say('echo', 'You said: {{system.last_utterance}}'),
    ]);
    expect(play(flow, [input('a bigger plan')]).says).toEqual([
      'What do you need?',
      'You said: a bigger plan',
    ]);
  });
});
