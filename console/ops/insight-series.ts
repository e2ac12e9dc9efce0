/**
 * The insights chart's data: the date range it covers, its series (labels and colours) and the
 * same numbers as table rows (the chart's text alternative). Pure.
 */

import {
  autoBucket,
  type Bucket,
  TIMELINE_KEYS,
  type TimelineKey,
} from '../../shared/insights/timeline.ts';
import type { components } from '../api/client.ts';

export type Timeline = components['schemas']['InsightsTimeline'];

/** Without a "From" date the chart shows the last 30 days (today included). */
export const DEFAULT_DAYS = 30;

/**
 * Colours readable on the light and the dark theme alike (the chart is drawn on a canvas, so
 * CSS cannot switch them); every series is also named in the legend and the table.
 */
export const SERIES: readonly { key: TimelineKey; label: string; color: string }[] = [
  { key: 'triggered', label: 'Triggered', color: '#6366f1' },
  { key: 'started', label: 'Started', color: '#0891b2' },
  { key: 'completed', label: 'Completed', color: '#16a34a' },
  { key: 'dropped', label: 'Dropped', color: '#ca8a04' },
  { key: 'handedOver', label: 'Handed over', color: '#c026d3' },
  { key: 'failed', label: 'Failed', color: '#dc2626' },
];

/**
 * The chart's range from the filter's epochs (either may be missing): up to the end of today,
 * from local midnight 29 days before the end, so day buckets are the viewer's days.
 */
export function chartRange(
  from: number | undefined,
  to: number | undefined,
  now: number,
): { from: number; to: number; bucket: Bucket } {
  const end = to ?? startOfDay(now, 1);
  const start = from ?? startOfDay(end - 1, 1 - DEFAULT_DAYS);
  return { from: start, to: end, bucket: autoBucket(start, end) };
}

/** Local midnight of the day of `at`, moved by `days`. */
export function startOfDay(at: number, days = 0): number {
  const d = new Date(at);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days).getTime();
}

/** uPlot's aligned data: x in seconds, then one column per series, in SERIES order. */
export function chartColumns(timeline: Timeline): number[][] {
  return [
    timeline.buckets.map((b) => b.start / 1000),
    ...SERIES.map((s) => timeline.buckets.map((b) => b[s.key])),
  ];
}

const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const hourFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** How a bucket is named in the table: its day, or its day and hour. */
export function bucketLabel(start: number, bucket: Bucket): string {
  return (bucket === 'day' ? dayFormat : hourFormat).format(start);
}

export interface TimelineRow extends Record<TimelineKey, number> {
  key: string;
  label: string;
}

/**
 * The table under the chart: one row per bucket with at least one run (a month of empty days
 * would bury the few that count; the chart shows the empty ones).
 */
export function timelineRows(timeline: Timeline): TimelineRow[] {
  return timeline.buckets
    .filter((b) => TIMELINE_KEYS.some((k) => b[k] > 0))
    .map((b) => ({ ...b, key: String(b.start), label: bucketLabel(b.start, timeline.bucket) }));
}

/** A sentence summing the chart up, for its accessible name. */
export function timelineSummary(timeline: Timeline): string {
  const sum = (k: TimelineKey) => timeline.buckets.reduce((n, b) => n + b[k], 0);
  const unit = timeline.bucket === 'day' ? 'day' : 'hour';
  return `Runs per ${unit}, ${bucketLabel(timeline.from, timeline.bucket)} to ${bucketLabel(timeline.to - 1, timeline.bucket)}: ${SERIES.map((s) => `${sum(s.key)} ${s.label.toLowerCase()}`).join(', ')}. The table below lists every ${unit} with runs.`;
}
