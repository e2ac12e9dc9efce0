/** The one close-code table both the worker and the widget use by name. */
import { describe, expect, it } from 'vitest';
import { afterClose, CloseCode, isTerminalCloseCode } from '../../shared/errors.ts';

describe('WebSocket close codes', () => {
  it('gives every reason its own code in our range', () => {
    const codes = Object.values(CloseCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code >= 4000 && code <= 4999).toBe(true);
    // An idle socket is not a server restart: the two are told apart by the client and in logs.
    expect(CloseCode.idle).not.toBe(CloseCode.goingAway);
  });

  it('marks only a bad token and a shutdown as terminal', () => {
    const terminal = Object.entries(CloseCode)
      .filter(([, code]) => isTerminalCloseCode(code))
      .map(([name]) => name);
    expect(terminal.sort()).toEqual(['shutdown', 'unauthorized']);
    expect(isTerminalCloseCode(1000)).toBe(false);
    expect(isTerminalCloseCode(1006)).toBe(false);
  });

  it('parks the widget only on too many sockets (no reconnect loop while other tabs hold them)', () => {
    const parked = Object.entries(CloseCode)
      .filter(([, code]) => afterClose(code) === 'park')
      .map(([name]) => name);
    expect(parked).toEqual(['tooManySockets']);
    expect(afterClose(1006)).toBe('retry');
  });
});
