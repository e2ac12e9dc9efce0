/**
 * `identify` frames set contact attributes on the visitor's conversation. One frame is small
 * (64 KB), but fresh field names frame after frame grew the stored contact without end: every
 * turn reads it, so a single visitor made each of their turns take seconds. The merged contact
 * is bounded; a frame past the bound is refused whole with its id.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../shared/errors.ts';
import type { ServerFrame } from '../../shared/protocol.ts';
import {
  MAX_CONTACT_CHARS,
  MAX_CONTACT_FIELDS,
} from '../../worker/conversation/contact-attributes.ts';
import { createPilot, eventually, visit } from './runtime-helpers.ts';

const fieldsFrom = (from: number, count: number, value = 'x') =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${from + i}`, value]));

const answerTo = (frames: ServerFrame[], id: string) =>
  frames.find((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);

describe('contact attributes from identify', () => {
  it(`refuses an identify that would give the contact more than ${MAX_CONTACT_FIELDS} attributes or ${MAX_CONTACT_CHARS} characters`, async () => {
    const { publicKey } = await createPilot();
    const visitor = await visit(publicKey);
    const frames = visitor.socket.frames;
    const identify = async (id: string, contact: Record<string, unknown>) => {
      visitor.socket.ws.send(JSON.stringify({ v: 1, type: 'identify', id, contact }));
      return eventually(
        async () => answerTo(frames, id),
        (f) => f !== undefined,
        `the answer to ${id}`,
      );
    };

    // Within the bound: stored (acknowledged).
    expect(await identify('first', { email: 'a@example.com', fields: fieldsFrom(0, 60) })).toEqual({
      v: 1,
      type: 'ack',
      id: 'first',
    });
    // 60 more fresh names would make 121 attributes: refused whole, naming the field.
    const tooMany = await identify('second', { fields: fieldsFrom(60, 60) });
    expect(tooMany).toMatchObject({ type: 'error', code: ErrorCode.payloadTooLarge, id: 'second' });
    expect(tooMany?.type === 'error' && tooMany.message).toMatch(/contact\.fields/);
    // Few attributes but too many characters: refused too.
    const tooLong = await identify('third', { fields: fieldsFrom(200, 35, 'y'.repeat(1000)) });
    expect(tooLong).toMatchObject({ type: 'error', code: ErrorCode.payloadTooLarge, id: 'third' });
    // Changing attributes the contact already has stays possible; the conversation goes on.
    expect(
      await identify('fourth', { email: 'b@example.com', fields: fieldsFrom(0, 60, 'z') }),
    ).toEqual({
      v: 1,
      type: 'ack',
      id: 'fourth',
    });
    visitor.socket.send({ type: 'message', text: 'still there?' });
    await visitor.socket.waitForMessages(
      (messages) => messages.some((m) => m.text === 'Fallback answer.'),
      'the fallback answer',
    );
    visitor.socket.close();
  });
});
