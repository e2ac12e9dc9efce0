import { describe, expect, inject, it } from 'vitest';
import { answersPerMessage, FaultVisitor, startSession } from './visitor.ts';

const base = inject('faultBase');
const MESSAGES = 12;

/** Sends MESSAGES messages one by one, each once the previous one is answered. */
async function converse(visitor: FaultVisitor, label: string) {
  for (let i = 0; i < MESSAGES; i++) {
    visitor.send({ type: 'message', text: `${label} ${i}` });
    await visitor.until(
      () => answersPerMessage(visitor.transcript()).filter((m) => m.answers > 0).length > i,
      `the answer to "${label} ${i}"`,
    );
  }
  await visitor.until(() => visitor.unacknowledged === 0, 'every frame acknowledged');
}

function expectExactlyOnceInOrder(visitor: FaultVisitor, label: string) {
  const transcript = visitor.transcript();
  expect(transcript.map((m) => m.seq)).toEqual(transcript.map((_, i) => i + 1));
  expect(answersPerMessage(transcript)).toEqual(
    Array.from({ length: MESSAGES }, (_, i) => ({ text: `${label} ${i}`, answers: 1 })),
  );
}

describe('socket drops', () => {
  for (const every of [2, 3, 5]) {
    it(`loses and duplicates nothing when the socket drops after every ${every} frames`, async () => {
      const session = await startSession(base);
      const visitor = new FaultVisitor(base, session, (v) => {
        if (v.framesOnSocket % every === 0) v.drop();
      });
      await visitor.connect();
      await converse(visitor, `drop${every}`);
      expect(visitor.reconnects).toBeGreaterThan(0);
      expectExactlyOnceInOrder(visitor, `drop${every}`);
      visitor.close();
    });
  }

  // The messenger reads batches: a turn's frames arrive (or are lost) as one WebSocket message.
  for (const every of [2, 3, 5]) {
    it(`loses and duplicates nothing when a batching socket drops after every ${every} messages`, async () => {
      const session = await startSession(base);
      const visitor = new FaultVisitor(
        base,
        session,
        (v) => {
          if (v.framesOnSocket % every === 0) v.drop();
        },
        true,
      );
      await visitor.connect();
      await converse(visitor, `batch${every}`);
      expect(visitor.reconnects).toBeGreaterThan(0);
      expectExactlyOnceInOrder(visitor, `batch${every}`);
      visitor.close();
    });
  }

  it('stores a message exactly once when the socket drops right after sending it', async () => {
    const session = await startSession(base);
    const visitor = new FaultVisitor(base, session);
    await visitor.connect();
    for (let i = 0; i < MESSAGES; i++) {
      visitor.send({ type: 'message', text: `blind ${i}` });
      // The visitor cannot know whether the frame arrived: it is sent again after reconnecting.
      visitor.drop();
      await visitor.until(
        () => answersPerMessage(visitor.transcript()).filter((m) => m.answers > 0).length > i,
        `the answer to "blind ${i}"`,
      );
    }
    await visitor.until(() => visitor.unacknowledged === 0, 'every frame acknowledged');
    expectExactlyOnceInOrder(visitor, 'blind');
    visitor.close();
  });

  it('gives a second tab of the same visitor the whole conversation exactly once', async () => {
    const session = await startSession(base);
    const first = new FaultVisitor(base, session, (v) => {
      if (v.framesOnSocket % 3 === 0) v.drop();
    });
    await first.connect();
    await converse(first, 'tabs');
    const second = new FaultVisitor(base, session);
    await second.connect();
    await second.until(
      () => second.transcript().length === first.transcript().length,
      'the replayed history',
    );
    expect(second.deliveries).toBe(first.transcript().length);
    expect(second.transcript()).toEqual(first.transcript());
    first.close();
    second.close();
  });
});
