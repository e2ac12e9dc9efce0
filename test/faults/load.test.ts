import { describe, expect, inject, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { runLoad } from '../../bench/lib/load.mjs';

const base = inject('faultBase');

// CI size; `npm run bench` runs the full 1,000 x 10 and reports its time and p99.
const CONVERSATIONS = 200;
const MESSAGES = 10;

describe('load on loopback', () => {
  it(`answers ${CONVERSATIONS} concurrent conversations of ${MESSAGES} messages each exactly once and in order`, async () => {
    const result = await runLoad(base, { conversations: CONVERSATIONS, messages: MESSAGES });
    expect(result.problems).toEqual([]);
    expect(result.answered).toBe(CONVERSATIONS * MESSAGES);
  });
});
