import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { answersPerMessage, FaultVisitor, startSession } from './visitor.ts';

const base = inject('faultBase');

function messageFrame(text: string) {
  return { v: 1 as const, type: 'message', id: randomUUID(), text };
}

describe('duplicated and reordered client frames', () => {
  it('stores and answers each message once when every frame arrives three times', async () => {
    const visitor = new FaultVisitor(base, await startSession(base));
    await visitor.connect();
    const frames = Array.from({ length: 5 }, (_, i) => messageFrame(`dup ${i}`));
    for (const frame of frames) {
      visitor.sendRaw(frame);
      visitor.sendRaw(frame);
    }
    for (const frame of frames) visitor.sendRaw(frame);
    await visitor.until(
      () => answersPerMessage(visitor.transcript()).filter((m) => m.answers > 0).length === 5,
      'five answers',
    );
    // Give late duplicates time to arrive: nothing more may appear.
    const settled = visitor.transcript().length;
    visitor.send({ type: 'message', text: 'marker' });
    await visitor.until(
      () => answersPerMessage(visitor.transcript()).some((m) => m.text === 'marker' && m.answers),
      'the marker answer',
    );
    expect(visitor.transcript().length).toBe(settled + 2);
    expect(answersPerMessage(visitor.transcript())).toEqual([
      ...frames.map((f) => ({ text: f.text, answers: 1 })),
      { text: 'marker', answers: 1 },
    ]);
    visitor.close();
  });

  it('keeps arrival order and applies each frame once when frames arrive out of order with repeats', async () => {
    const visitor = new FaultVisitor(base, await startSession(base));
    await visitor.connect();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => messageFrame(`reordered ${x}`));
    for (const frame of [c!, a!, c!, d!, b!, a!, d!, b!]) visitor.sendRaw(frame);
    await visitor.until(
      () => answersPerMessage(visitor.transcript()).filter((m) => m.answers > 0).length === 4,
      'four answers',
    );
    const seen = answersPerMessage(visitor.transcript());
    expect(seen.map((m) => m.text)).toEqual([c!, a!, d!, b!].map((f) => f.text));
    expect(seen.every((m) => m.answers === 1)).toBe(true);
    visitor.close();
  });

  it('answers a frame repeated on a second socket only once', async () => {
    const session = await startSession(base);
    const one = new FaultVisitor(base, session);
    const two = new FaultVisitor(base, session);
    await one.connect();
    await two.connect();
    const frame = messageFrame('two sockets');
    one.sendRaw(frame);
    two.sendRaw(frame);
    await one.until(
      () => answersPerMessage(one.transcript()).some((m) => m.answers > 0),
      'the answer',
    );
    one.send({ type: 'message', text: 'after' });
    await one.until(
      () => answersPerMessage(one.transcript()).some((m) => m.text === 'after' && m.answers),
      'the second answer',
    );
    expect(answersPerMessage(one.transcript())).toEqual([
      { text: 'two sockets', answers: 1 },
      { text: 'after', answers: 1 },
    ]);
    one.close();
    two.close();
  });
});
