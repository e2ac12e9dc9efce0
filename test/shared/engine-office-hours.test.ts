import { describe, expect, it } from 'vitest';
import { isOfficeOpen, localTime } from '../../shared/expr/office-hours.ts';

const hours = {
  weekly: [
    { day: 'mon' as const, from: '09:00', to: '17:00' },
    { day: 'fri' as const, from: '22:00', to: '02:00' },
  ],
  holidays: ['2026-12-25'],
};
const at = (iso: string) => Date.parse(iso);

describe('office hours', () => {
  it('reads the wall clock in an IANA timezone, across daylight saving', () => {
    expect(localTime(at('2026-07-06T07:30:00Z'), 'Europe/Berlin')).toMatchObject({
      day: 'mon',
      hour: 9,
      minute: 30,
    });
    expect(localTime(at('2026-01-05T07:30:00Z'), 'Europe/Berlin')).toMatchObject({
      day: 'mon',
      hour: 8,
    });
  });

  it('is open inside the weekly slot and closed outside it', () => {
    expect(isOfficeOpen(hours, 'Europe/Berlin', at('2026-07-06T07:30:00Z'))).toBe(true);
    expect(isOfficeOpen(hours, 'Europe/Berlin', at('2026-01-05T07:30:00Z'))).toBe(false);
    expect(isOfficeOpen(hours, 'Europe/Berlin', at('2026-07-06T15:00:00Z'))).toBe(false);
  });

  it('handles slots that run past midnight', () => {
    // Friday 23:00 and Saturday 01:00 in Tokyo.
    expect(isOfficeOpen(hours, 'Asia/Tokyo', at('2026-07-10T14:00:00Z'))).toBe(true);
    expect(isOfficeOpen(hours, 'Asia/Tokyo', at('2026-07-10T16:00:00Z'))).toBe(true);
    expect(isOfficeOpen(hours, 'Asia/Tokyo', at('2026-07-10T18:00:00Z'))).toBe(false);
  });

  it('is closed on holidays (local date) and when no hours are set', () => {
    const christmasMonday = {
      ...hours,
      weekly: [{ day: 'fri' as const, from: '00:00', to: '24:00' }],
    };
    expect(isOfficeOpen(christmasMonday, 'UTC', at('2026-12-25T12:00:00Z'))).toBe(false);
    expect(isOfficeOpen(christmasMonday, 'UTC', at('2026-12-18T12:00:00Z'))).toBe(true);
    expect(isOfficeOpen(undefined, 'UTC', at('2026-12-18T12:00:00Z'))).toBe(false);
  });

  it('falls back to UTC for an unknown timezone instead of throwing', () => {
    expect(localTime(at('2026-07-06T07:30:00Z'), 'Mars/Olympus')).toMatchObject({
      timezone: 'UTC',
      hour: 7,
    });
  });
});
