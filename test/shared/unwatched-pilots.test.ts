/**
 * The per-isolate "nobody watches this pilot" notes (worker/conversation/unwatched-pilots.ts):
 * one isolate serves conversations of any number of pilots, so the map must stay bounded.
 */
import { describe, expect, it } from 'vitest';
import { MAX_UNWATCHED_PILOTS } from '../../worker/conversation/live-push.ts';
import { UnwatchedPilots } from '../../worker/conversation/unwatched-pilots.ts';

describe('unwatched pilots per isolate', () => {
  it(`keeps at most ${MAX_UNWATCHED_PILOTS} pilots when more than that go unwatched, forgetting the oldest`, () => {
    const notes = new UnwatchedPilots(MAX_UNWATCHED_PILOTS);
    const pilots = MAX_UNWATCHED_PILOTS * 3 + 7;
    for (let n = 0; n < pilots; n++) {
      notes.set(`pilot_${n}`, 1_000 + n);
      expect(notes.size).toBeLessThanOrEqual(MAX_UNWATCHED_PILOTS);
    }
    expect(notes.size).toBe(MAX_UNWATCHED_PILOTS);
    // The newest notes are kept (a pilot noted a moment ago still skips its push)…
    expect(notes.get(`pilot_${pilots - 1}`)).toBe(1_000 + pilots - 1);
    expect(notes.get(`pilot_${pilots - MAX_UNWATCHED_PILOTS}`)).toBe(
      1_000 + pilots - MAX_UNWATCHED_PILOTS,
    );
    // …and the oldest are forgotten (that pilot is only asked again one push sooner).
    expect(notes.get(`pilot_${pilots - MAX_UNWATCHED_PILOTS - 1}`)).toBeUndefined();
    expect(notes.get('pilot_0')).toBeUndefined();
  });

  it('renews a pilot noted again without growing, and keeps it as the newest', () => {
    const notes = new UnwatchedPilots(3);
    notes.set('a', 1);
    notes.set('b', 2);
    notes.set('c', 3);
    notes.set('a', 10); // renewed: now the newest
    expect(notes.size).toBe(3);
    notes.set('d', 4); // forgets b, the oldest, not the renewed a
    expect([notes.get('a'), notes.get('b'), notes.get('c'), notes.get('d')]).toEqual([
      10,
      undefined,
      3,
      4,
    ]);
    notes.delete('c');
    expect(notes.size).toBe(2);
  });
});
