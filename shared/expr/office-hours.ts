/**
 * Office hours in the pilot's IANA timezone: weekly slots plus holidays. Pure; local time
 * comes from `Intl.DateTimeFormat` (the runtime's tz database), never hand-rolled offsets.
 */
import { z } from 'zod';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'Use HH:MM (00:00-24:00)');

export const officeHoursSchema = z.object({
  /** Open slots per weekday; `from` > `to` runs past midnight into the next day. */
  weekly: z
    .array(z.object({ day: z.enum(WEEKDAYS), from: clock, to: clock }))
    .max(100)
    .default([]),
  /** Local dates (YYYY-MM-DD) when the office is closed all day. */
  holidays: z.array(z.iso.date()).max(1000).default([]),
});
export type OfficeHours = z.infer<typeof officeHoursSchema>;

/** The wall clock in a timezone. */
export interface LocalTime {
  /** YYYY-MM-DD */
  date: string;
  day: Weekday;
  dayIndex: number;
  hour: number;
  minute: number;
  timezone: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timezone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timezone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timezone, cached);
  }
  return cached;
}

/** True when `timezone` is an IANA name this runtime knows. */
export function isValidTimezone(timezone: string): boolean {
  try {
    formatter(timezone);
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock time at `now` (epoch ms) in `timezone`; unknown zones fall back to UTC. */
export function localTime(now: number, timezone = 'UTC'): LocalTime {
  const zone = isValidTimezone(timezone) ? timezone : 'UTC';
  const parts: Record<string, string> = {};
  for (const part of formatter(zone).formatToParts(new Date(now))) parts[part.type] = part.value;
  const day = (parts.weekday ?? 'Sun').slice(0, 3).toLowerCase() as Weekday;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    day,
    dayIndex: Math.max(0, WEEKDAYS.indexOf(day)),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    timezone: zone,
  };
}

function minutes(clockText: string): number {
  const [h, m] = clockText.split(':');
  return Number(h) * 60 + Number(m);
}

/** Whether the office is open at `now`. No weekly slots means never open. */
export function isOfficeOpen(hours: OfficeHours | undefined, timezone: string, now: number) {
  if (!hours) return false;
  const local = localTime(now, timezone);
  if (hours.holidays.includes(local.date)) return false;
  const at = local.hour * 60 + local.minute;
  const yesterday = WEEKDAYS[(local.dayIndex + 6) % 7];
  return hours.weekly.some((slot) => {
    const from = minutes(slot.from);
    const to = minutes(slot.to);
    if (from <= to) return slot.day === local.day && at >= from && at < to;
    // Overnight slot: the evening part today, the early-morning part the day after.
    return (slot.day === local.day && at >= from) || (slot.day === yesterday && at < to);
  });
}
