import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../widget/config.ts';
import { backoffDelay } from '../../widget/transport/backoff.ts';

/** The loader's own <script> as readConfig sees it: its src, data-* attributes and nonce. */
function tag(src: string, data: Record<string, string>, nonce = '') {
  return { src, dataset: data, nonce } as unknown as HTMLScriptElement;
}

describe('the loader reads its script tag once', () => {
  it('takes the API origin from data-api, else from where widget.js came from, never the page', () => {
    const fromScript = readConfig(tag('https://cdn.example/widget.js?v=1', { pilotKey: 'pk_1' }));
    expect(fromScript?.api).toBe('https://cdn.example');
    const explicit = readConfig(
      tag('https://cdn.example/widget.js', { pilotKey: 'pk_1', api: 'https://api.example/x' }),
    );
    expect(explicit?.api).toBe('https://api.example');
  });

  it('defaults to after-interaction storage, keeps only known modes, and freezes the result', () => {
    const base = 'https://cdn.example/widget.js';
    const config = readConfig(tag(base, { pilotKey: 'pk_1' }));
    expect(config).toMatchObject({ storage: 'after-interaction', locale: null, nonce: null });
    expect(Object.isFrozen(config)).toBe(true);
    expect(readConfig(tag(base, { pilotKey: 'pk_1', storage: 'none' }))?.storage).toBe('none');
    expect(readConfig(tag(base, { pilotKey: 'pk_1', storage: 'always' }))?.storage).toBe('always');
    expect(readConfig(tag(base, { pilotKey: 'pk_1', storage: 'forever' }))?.storage).toBe(
      'after-interaction',
    );
    expect(readConfig(tag(base, { pilotKey: 'pk_1', locale: 'fr' }, 'n0nce'))).toMatchObject({
      locale: 'fr',
      nonce: 'n0nce',
    });
  });

  it('refuses a tag without a well-formed pilot key or with an unusable API origin', () => {
    for (const pilotKey of ['', 'demo', 'pk_', 'pk_<script>', `pk_${'a'.repeat(65)}`]) {
      expect(readConfig(tag('https://cdn.example/widget.js', { pilotKey }))).toBeNull();
    }
    expect(readConfig(tag('', { pilotKey: 'pk_1', api: 'not a url' }))).toBeNull();
  });
});

describe('reconnect backoff', () => {
  it('waits a random time up to a doubling ceiling, capped at 15 s', () => {
    fc.assert(
      fc.property(
        fc.nat(40),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, r) => {
          const delay = backoffDelay(attempt, () => r);
          const ceiling = Math.min(15_000, 500 * 2 ** attempt);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
    // Full jitter: tabs that lost the same server do not come back in lockstep.
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(3, () => 0.5)).toBe(2_000);
    expect(backoffDelay(30, () => 0.999_999)).toBe(15_000);
  });
});
