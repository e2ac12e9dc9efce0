/**
 * The insights page's pure parts: the chart's range and buckets, its table alternative, the
 * canvas's line widths and the translation of recorded ports to the canvas's ports.
 */
import { describe, expect, it } from 'vitest';
import {
  canvasPort,
  edgeTraffic,
  edgeWidth,
  MAX_WIDTH,
  MIN_WIDTH,
  runsText,
} from '../../console/ops/edge-traffic.ts';
import { compareNodeRows, type Insights } from '../../console/ops/insight-rows.ts';
import {
  chartColumns,
  chartRange,
  DEFAULT_DAYS,
  SERIES,
  startOfDay,
  type Timeline,
  timelineRows,
  timelineSummary,
} from '../../console/ops/insight-series.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import {
  autoBucket,
  BUCKET_MS,
  bucketCount,
  denseSeries,
  HOURLY_UP_TO_MS,
  MAX_BUCKETS,
} from '../../shared/insights/timeline.ts';

const HOUR = BUCKET_MS.hour;
const DAY = BUCKET_MS.day;

describe('insights over time: buckets', () => {
  it('counts by the hour up to three days and by the day beyond', () => {
    expect(autoBucket(0, HOURLY_UP_TO_MS)).toBe('hour');
    expect(autoBucket(0, HOURLY_UP_TO_MS + 1)).toBe('day');
    expect(bucketCount(0, 3 * HOUR, 'hour')).toBe(3);
    expect(bucketCount(0, 3 * HOUR + 1, 'hour')).toBe(4);
    expect(bucketCount(5, 5, 'day')).toBe(0);
  });

  it('fills every bucket of the range, zeros included, and ignores rows outside it', () => {
    const series = denseSeries(1000, 1000 + 3 * HOUR, 'hour', [
      { index: 2, triggered: 4, failed: 1 },
      { index: 0, triggered: 1 },
      { index: 3, triggered: 99 },
      { index: -1, triggered: 99 },
      { index: 1.5, triggered: 99 },
    ]);
    expect(series.map((p) => [p.start, p.triggered, p.failed])).toEqual([
      [1000, 1, 0],
      [1000 + HOUR, 0, 0],
      [1000 + 2 * HOUR, 4, 1],
    ]);
  });

  it('never makes more than MAX_BUCKETS buckets, however long the range', () => {
    expect(denseSeries(0, 10 * MAX_BUCKETS * DAY, 'day', []).length).toBe(MAX_BUCKETS);
  });

  it('shows the last 30 local days without dates, and hours for a short range', () => {
    const now = new Date(2026, 10, 26, 15, 30).getTime();
    const range = chartRange(undefined, undefined, now);
    expect(range.to).toBe(new Date(2026, 10, 27).getTime());
    expect(range.from).toBe(new Date(2026, 10, 27 - DEFAULT_DAYS).getTime());
    expect(range.bucket).toBe('day');
    expect(bucketCount(range.from, range.to, 'day')).toBe(DEFAULT_DAYS);
    const today = startOfDay(now);
    expect(chartRange(today, startOfDay(now, 1), now).bucket).toBe('hour');
  });
});

describe('insights over time: chart data and its table', () => {
  const timeline: Timeline = {
    flowId: 'f',
    from: 0,
    to: 3 * DAY,
    version: null,
    bucket: 'day',
    buckets: [0, 1, 2].map((i) => ({
      start: i * DAY,
      triggered: i === 1 ? 5 : 0,
      started: i === 1 ? 4 : 0,
      completed: i === 1 ? 2 : 0,
      dropped: 0,
      handedOver: i === 1 ? 1 : 0,
      failed: i === 1 ? 1 : 0,
    })),
  };

  it('gives uPlot x in seconds and one column per series in legend order', () => {
    const columns = chartColumns(timeline);
    expect(columns[0]).toEqual([0, 86_400, 172_800]);
    expect(columns.length).toBe(1 + SERIES.length);
    expect(columns[1 + SERIES.findIndex((s) => s.key === 'triggered')]).toEqual([0, 5, 0]);
  });

  it('lists only the buckets with runs in the table, and sums every series in the summary', () => {
    const rows = timelineRows(timeline);
    expect(rows.map((r) => [r.key, r.triggered, r.failed])).toEqual([[String(DAY), 5, 1]]);
    const summary = timelineSummary(timeline);
    expect(summary).toContain('Runs per day');
    expect(summary).toContain(
      '5 triggered, 4 started, 2 completed, 0 dropped, 1 handed over, 1 failed',
    );
  });
});

describe('insights on the canvas', () => {
  it('scales a line with its runs: unused thinnest, busiest widest, a single run still visible', () => {
    expect(edgeWidth(0, 10)).toBe(MIN_WIDTH);
    expect(edgeWidth(10, 10)).toBe(MAX_WIDTH);
    expect(edgeWidth(5, 10)).toBe(MAX_WIDTH / 2);
    expect(edgeWidth(1, 1000)).toBeGreaterThan(MIN_WIDTH);
    expect(edgeWidth(1, 1000)).toBeLessThan(edgeWidth(500, 1000));
    // Nothing counted, or a bad count: thin, never NaN or wider than the widest.
    expect(edgeWidth(3, 0)).toBe(MIN_WIDTH);
    expect(edgeWidth(Number.NaN, 5)).toBe(MIN_WIDTH);
    expect(edgeWidth(50, 10)).toBe(MAX_WIDTH);
    expect(runsText(1)).toBe('1 run');
    expect(runsText(2)).toBe('2 runs');
  });

  const flow = {
    schemaVersion: 1,
    pilotId: 'p',
    name: 'f',
    trigger: { type: 'event', name: 'x' },
    start: 'q',
    nodes: [
      {
        id: 'q',
        type: 'ask_question',
        text: 'Happy?',
        input: {
          kind: 'buttons',
          options: [
            { label: 'Yes', value: 'yes', next: 'a' },
            { label: 'No', value: 'no', next: 'b' },
          ],
        },
      },
      { id: 'a', type: 'send_message', text: 'A' },
      { id: 'b', type: 'send_message', text: 'B' },
    ],
  } as unknown as Flow;

  it('maps a recorded button (option:<value>) to its port on the canvas, and counts the start line', () => {
    expect(canvasPort(flow, 'q', 'option:no')).toBe('input.options[1].next');
    expect(canvasPort(flow, 'q', 'option:maybe')).toBe('option:maybe');
    expect(canvasPort(flow, 'a', 'next')).toBe('next');
    const insights = {
      nodes: [
        { nodeId: 'q', nodeType: 'ask_question', entered: 7, completed: 5, failed: 0, dropped: 2 },
      ],
      edges: [
        { nodeId: 'q', port: 'option:yes', runs: 3 },
        { nodeId: 'q', port: 'option:no', runs: 2 },
      ],
    } as Insights;
    const traffic = edgeTraffic(flow, insights);
    expect(Object.fromEntries(traffic)).toEqual({
      'q|input.options[0].next': 3,
      'q|input.options[1].next': 2,
      '__trigger__|start': 7,
    });
  });

  it('compares the steps of two versions side by side, busiest first', () => {
    const a = {
      nodes: [
        { nodeId: 'q', entered: 3 },
        { nodeId: 'a', entered: 1 },
      ],
    } as Insights;
    const b = {
      nodes: [
        { nodeId: 'q', entered: 4 },
        { nodeId: 'b', entered: 2 },
      ],
    } as Insights;
    expect(compareNodeRows(a, b).map((r) => [r.key, r.a, r.b])).toEqual([
      ['q', 3, 4],
      ['b', 0, 2],
      ['a', 1, 0],
    ]);
  });
});
