/**
 * Insights over time: the bucket plan of a date range (hour or day buckets, aligned to the
 * range's start so a day bucket is the viewer's local day when `from` is their midnight) and the
 * dense series made from sparse per-bucket counts. Pure: used by the admin route and the console.
 */

export const BUCKET_MS = { hour: 3_600_000, day: 86_400_000 } as const;
export type Bucket = keyof typeof BUCKET_MS;
export const BUCKETS = Object.keys(BUCKET_MS) as Bucket[];

/** At most this many buckets per answer: 400 days, or 16 days and 16 hours by the hour. */
export const MAX_BUCKETS = 400;
/** Ranges up to this long are shown by the hour when no bucket is asked for. */
export const HOURLY_UP_TO_MS = 3 * BUCKET_MS.day;

export const TIMELINE_KEYS = [
  'triggered',
  'started',
  'completed',
  'dropped',
  'handedOver',
  'failed',
] as const;
export type TimelineKey = (typeof TIMELINE_KEYS)[number];
export type TimelineCounts = Record<TimelineKey, number>;
export interface TimelinePoint extends TimelineCounts {
  /** Epoch ms where the bucket starts (it ends where the next starts). */
  start: number;
}

/** Hour buckets for short ranges (three days or less), day buckets otherwise. */
export function autoBucket(from: number, to: number): Bucket {
  return to - from <= HOURLY_UP_TO_MS ? 'hour' : 'day';
}

/** How many buckets of `bucket` cover [from, to): the last one may be partial. */
export function bucketCount(from: number, to: number, bucket: Bucket): number {
  return Math.max(0, Math.ceil((to - from) / BUCKET_MS[bucket]));
}

/**
 * Every bucket of the range, in order, with the counts of `rows` (bucket index → counts) and
 * zeros where nothing happened. Indexes outside the range are ignored; at most MAX_BUCKETS.
 */
export function denseSeries(
  from: number,
  to: number,
  bucket: Bucket,
  rows: readonly ({ index: number } & Partial<TimelineCounts>)[],
): TimelinePoint[] {
  const count = Math.min(MAX_BUCKETS, bucketCount(from, to, bucket));
  const size = BUCKET_MS[bucket];
  const points: TimelinePoint[] = Array.from({ length: count }, (_, i) => ({
    start: from + i * size,
    triggered: 0,
    started: 0,
    completed: 0,
    dropped: 0,
    handedOver: 0,
    failed: 0,
  }));
  for (const row of rows) {
    const point = Number.isInteger(row.index) ? points[row.index] : undefined;
    if (!point) continue;
    for (const key of TIMELINE_KEYS) point[key] += Number(row[key] ?? 0);
  }
  return points;
}
