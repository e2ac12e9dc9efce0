/**
 * A flood of `POST /session` from one address: the WIDGET_SESSION_LIMITER binding (120 a
 * minute per client IP, wrangler.toml) answers 429 `rate_limited` once the budget is spent,
 * while other addresses still get sessions.
 */
import { describe, expect, it } from 'vitest';
import { createPilot, expectClientError, request } from './helpers.ts';

const LIMIT = 120;

function sessionFrom(pilotKey: string, ip: string) {
  return request(`/v1/widget/${pilotKey}/session`, {
    method: 'POST',
    headers: {
      origin: 'https://shop.example.com',
      'content-type': 'application/json',
      'cf-connecting-ip': ip,
    },
    body: '{}',
  });
}

describe('session flood from one client', () => {
  it('answers 429 rate_limited past the per-address budget; another address is unaffected', async () => {
    const { publicKey } = await createPilot();
    const flooder = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 30; i++) {
      const response = await sessionFrom(publicKey, flooder);
      statuses.push(response.status);
      if (response.status === 429) {
        const { error } = await expectClientError(response, `session ${i}`);
        expect(error.code).toBe('rate_limited');
      } else await response.body?.cancel();
    }
    expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(LIMIT).every((s) => s === 429)).toBe(true);

    const other = await sessionFrom(publicKey, '198.51.100.78');
    expect(other.status).toBe(200);
    await other.body?.cancel();
  });
});
