import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packFrames, serverFrameSchema } from '../../shared/protocol.ts';
import { checkServerFrame, parseServerFrames } from '../../widget/transport/server-frame.ts';

/** The one frame a bare socket message holds, or null (the widget leaves it out). */
const parseServerFrame = (raw: string) => {
  const frames = parseServerFrames(raw);
  return frames.length === 1 ? frames[0] : null;
};

const text = fc.string({ maxLength: 8 });
const message = fc.record(
  {
    seq: fc.integer(),
    author: fc.constantFrom('visitor', 'pilot', 'agent', 'system'),
    text,
    at: fc.integer(),
    choices: fc.array(fc.record({ label: text, value: text }), { maxLength: 3 }),
    input: text,
    clientId: text,
    image: fc.record({ url: text, alt: text }),
    links: fc.array(
      fc.record(
        { label: text, url: text, newTab: fc.boolean() },
        { requiredKeys: ['label', 'url'] },
      ),
      { maxLength: 3 },
    ),
    cards: fc.array(
      fc.record({ title: text, text, imageUrl: text, url: text }, { requiredKeys: ['title'] }),
      { maxLength: 3 },
    ),
    post: fc.record(
      { size: fc.constantFrom('small', 'large'), title: text, preview: text },
      { requiredKeys: ['size'] },
    ),
  },
  { requiredKeys: ['seq', 'author', 'text', 'at'] },
);
const frame = fc
  .oneof(
    fc.record({ type: fc.constant('welcome'), conversationId: text, lastSeq: fc.integer() }),
    fc.record({ type: fc.constant('message'), message }),
    fc.record({ type: fc.constant('ack'), id: text }),
    fc.record(
      { type: fc.constant('error'), code: text, message: text, id: text },
      { requiredKeys: ['type', 'code', 'message'] },
    ),
    fc.record({
      type: fc.constant('typing'),
      author: fc.constantFrom('pilot', 'agent'),
      active: fc.boolean(),
    }),
    fc.record({ type: fc.constant('redirect'), url: text, newTab: fc.boolean() }),
    fc.record(
      {
        type: fc.constant('banner'),
        text,
        url: text,
        style: fc.constantFrom('info', 'success', 'warning'),
      },
      { requiredKeys: ['type', 'text', 'style'] },
    ),
  )
  .map((f) => ({ v: 1, ...f }));

/** Breaks one field of a valid frame (or of its message) the way a buggy server might. */
const mutated = fc
  .tuple(frame, fc.nat(), fc.oneof(fc.constant(undefined), fc.jsonValue(), text), fc.boolean())
  .map(([f, pick, value, deep]) => {
    const target: Record<string, unknown> =
      deep && 'message' in f ? { ...(f.message as object) } : { ...f };
    const keys = Object.keys(target);
    const key = keys[pick % keys.length] ?? 'v';
    if (value === undefined) delete target[key];
    else target[key] = value;
    return deep && 'message' in f ? { ...f, message: target } : target;
  });

describe('the widget lean server-frame parser', () => {
  it('accepts exactly the frames the shared zod schema accepts', () => {
    fc.assert(
      fc.property(fc.oneof(frame, mutated, fc.jsonValue()), (value) => {
        const expected = serverFrameSchema.safeParse(value).success;
        expect(parseServerFrame(JSON.stringify(value)) !== null).toBe(expected);
        // A page view's answer is checked as `response.json()` parsed it, without a round trip.
        expect(checkServerFrame(JSON.parse(JSON.stringify(value))) !== null).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses a message whose image, link button, card or post part misses or mistypes a field', () => {
    const bad = [
      { image: { url: 'https://x.test/a.png' } },
      { image: 'https://x.test/a.png' },
      { links: [{ label: 'Go' }] },
      { links: [{ label: 'Go', url: '/go', newTab: 'yes' }] },
      { links: { label: 'Go', url: '/go' } },
      { cards: [{ text: 'no title' }] },
      { cards: [{ title: 'T', imageUrl: 7 }] },
      { post: { size: 'huge' } },
      { post: { size: 'large', title: 7 } },
      { post: { title: 'no size' } },
      { post: 'large' },
    ];
    for (const rich of bad) {
      const value = {
        v: 1,
        type: 'message',
        message: { seq: 1, author: 'pilot', text: 'Hi', at: 1, ...rich },
      };
      expect(serverFrameSchema.safeParse(value).success).toBe(false);
      expect(parseServerFrame(JSON.stringify(value))).toBeNull();
    }
  });

  it('refuses text that is not JSON and frames of unknown types or versions', () => {
    expect(parseServerFrame('pong')).toBeNull();
    expect(parseServerFrame('{"v":2,"type":"ack","id":"a"}')).toBeNull();
    expect(parseServerFrame('{"v":1,"type":"toString"}')).toBeNull();
    expect(parseServerFrame('{"v":1,"type":"ack","id":"a"}')).toEqual({
      v: 1,
      type: 'ack',
      id: 'a',
    });
  });

  it('reads a batch as its frames in order, leaving out only the frames the schema refuses', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(frame, mutated), { maxLength: 8 }), (values) => {
        const texts = values.map((value) => JSON.stringify(value));
        const expected = values.filter((value) => serverFrameSchema.safeParse(value).success);
        // However the frames are packed (one batch, several, or each bare), the widget reads
        // the same frames in the same order.
        for (const maxChars of [1, 200, 1 << 20]) {
          const read = packFrames(texts, maxChars).flatMap((message) => parseServerFrames(message));
          expect(read).toEqual(expected);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('packFrames (the server side of a batch)', () => {
  it('keeps every message within the bound, sends one frame bare, and a larger frame alone', () => {
    const small = JSON.stringify({ v: 1, type: 'ack', id: 'a' });
    const big = JSON.stringify({ v: 1, type: 'ack', id: 'x'.repeat(500) });
    expect(packFrames([small])).toEqual([small]);
    const packed = packFrames([small, small, big, small, small, small], 120);
    for (const message of packed)
      if (message !== big) expect(message.length).toBeLessThanOrEqual(120);
    expect(packed).toContain(big);
    expect(packed.flatMap((m) => parseServerFrames(m)).length).toBe(6);
    // A thousand frames never make one message over the bound.
    const many = packFrames(
      Array.from({ length: 1000 }, () => small),
      4096,
    );
    expect(many.length).toBeGreaterThan(1);
    for (const message of many) expect(message.length).toBeLessThanOrEqual(4096);
  });
});
