/**
 * The widget routes count a streamed (chunked) body while it arrives and answer 413 as soon as
 * it passes 1 MB: a 100 MB body is never read in full (the stream below counts what was pulled).
 */
import { exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_CHARS } from '../../shared/protocol.ts';
import { MAX_BODY_BYTES } from '../../worker/http/parse.ts';
import { BASE } from '../helpers/admin.ts';
import { startSession } from '../helpers/socket.ts';
import { createPilot } from './runtime-helpers.ts';

const OFFERED = 100 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** A JSON body of `OFFERED` bytes that records how much of it the server pulled. */
function countingBody(prefix: string) {
  const state = { pulled: 0, finished: false };
  const filler = new TextEncoder().encode('x'.repeat(CHUNK));
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === 0) controller.enqueue(new TextEncoder().encode(prefix));
      if (state.pulled >= OFFERED) {
        controller.enqueue(new TextEncoder().encode('"}'));
        controller.close();
        state.finished = true;
        return;
      }
      controller.enqueue(filler);
      state.pulled += filler.length;
    },
  });
  return { stream, state };
}

async function post(path: string, stream: ReadableStream<Uint8Array>) {
  return exports.default.fetch(
    new Request(`${BASE}${path}`, {
      method: 'POST',
      headers: { origin: 'http://localhost:8787', 'content-type': 'application/json' },
      body: stream,
      // @ts-expect-error workerd needs this for a streamed request body
      duplex: 'half',
    }),
  );
}

describe('widget request bodies', () => {
  it('refuses a 100 MB chunked body to /session and /events with 413 after reading about 1 MB', async () => {
    const { publicKey } = await createPilot();
    const { body: session } = await startSession(publicKey);
    const cases: [string, string][] = [
      [`/v1/widget/${publicKey}/session`, '{"visitorId":"'],
      [`/v1/widget/${publicKey}/events`, `{"token":"${session!.token}","frames":[],"x":"`],
    ];
    for (const [path, prefix] of cases) {
      const { stream, state } = countingBody(prefix);
      const response = await post(path, stream);
      expect(`${path} -> ${response.status}`).toBe(`${path} -> 413`);
      const { error } = (await response.json()) as { error: { code: string } };
      expect(error.code).toBe('payload_too_large');
      // Stopped near the limit: far from the 100 MB offered (a few chunks may be in flight).
      expect(state.finished, path).toBe(false);
      expect(state.pulled, path).toBeLessThan(MAX_BODY_BYTES + 16 * CHUNK);
    }
  });

  it('refuses a beacon frame larger than a socket frame with 400 naming the frame', async () => {
    const { publicKey } = await createPilot();
    const { body: session } = await startSession(publicKey);
    const big = {
      v: 1,
      type: 'event',
      id: 'e-big',
      name: 'big',
      props: { blob: 'x'.repeat(MAX_FRAME_CHARS) },
    };
    const small = { v: 1, type: 'event', id: 'e-small', name: 'small', props: {} };
    const response = await exports.default.fetch(
      new Request(`${BASE}/v1/widget/${publicKey}/events`, {
        method: 'POST',
        headers: { origin: 'http://localhost:8787', 'content-type': 'application/json' },
        body: JSON.stringify({ token: session!.token, frames: [small, big] }),
      }),
    );
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { code: string; issues: { path: string; message: string }[] };
    };
    expect(error.code).toBe('invalid_input');
    expect(error.issues).toContainEqual({
      path: 'frames.1',
      message: `Frames are at most ${MAX_FRAME_CHARS} characters`,
    });
  });
});
