/**
 * The session answer as the lean start-up and the connection read it (widget/transport/session.ts):
 * what the server says is checked before anything is shown or stored.
 */
import { describe, expect, it } from 'vitest';
import { checkedMessages, forgetStaleRead, readSession } from '../../widget/transport/session.ts';

const session = {
  token: 'tok',
  expiresAt: Date.now() + 60_000,
  conversationId: 'c1',
  visitorId: 'v1',
  visitorKey: 'vk_1',
  displayName: 'Pilot',
  identified: false,
  page: { lastSeq: 2, messages: [] },
};

function memoryStore(entries: Record<string, string> = {}) {
  const data = new Map(Object.entries(entries));
  return {
    data,
    read: (key: string) => data.get(key) ?? null,
    remove: (key: string) => void data.delete(key),
  };
}

describe('widget session answer', () => {
  it('takes a 2xx session with a token, and nothing else', () => {
    expect(readSession({ status: 200, body: session })).toBe(session);
    expect(readSession({ status: 403, body: session })).toBeNull();
    expect(readSession({ status: 200, body: null })).toBeNull();
    expect(readSession({ status: 200, body: { ...session, token: 7 } })).toBeNull();
    expect(readSession({ status: 200, body: { ...session, page: { messages: [] } } })).toBeNull();
  });

  it('refuses a visitor key longer than the server issues, so storage stays bounded', () => {
    const longest = { ...session, visitorKey: 'k'.repeat(200) };
    expect(readSession({ status: 200, body: longest })).toBe(longest);
    expect(
      readSession({ status: 200, body: { ...session, visitorKey: 'k'.repeat(201) } }),
    ).toBeNull();
    expect(readSession({ status: 200, body: { ...session, visitorKey: { k: 1 } } })).toBeNull();
    expect(readSession({ status: 200, body: { ...session, visitorKey: null } })).not.toBeNull();
  });

  it('keeps only messages a socket would accept', () => {
    const good = { seq: 1, author: 'pilot', text: 'Hi', at: 1 };
    const messages = checkedMessages({
      lastSeq: 3,
      messages: [good, { seq: 2, author: 'admin', text: 'x', at: 1 }, { seq: 3, text: 5 }, null],
    });
    expect(messages).toEqual([good]);
    expect(checkedMessages({ lastSeq: 1, messages: { 0: good } as unknown as unknown[] })).toEqual(
      [],
    );
  });

  it('forgets a read position above the conversation (erased, numbering from 1 again)', () => {
    const store = memoryStore({ read: '9' });
    expect(forgetStaleRead({ lastSeq: 2 }, store)).toBe(true);
    expect(store.data.has('read')).toBe(false);
    const same = memoryStore({ read: '2' });
    expect(forgetStaleRead({ lastSeq: 2 }, same)).toBe(false);
    expect(same.data.get('read')).toBe('2');
  });
});
