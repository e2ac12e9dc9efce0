/**
 * The insights chart: runs per day (or per hour for three days or less) of the chosen range and
 * version, drawn by uPlot, which is imported on demand (its own chunk, fetched when this chart
 * first draws: never part of the console's first load). The table under it holds the same
 * numbers for screen readers and keyboard users; the canvas itself is one labelled image.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { ApiClient } from '../api/client.ts';
import { type ApiFailure, failureText, unwrap } from '../api/errors.ts';
import { type Column, Table } from '../ui/table.tsx';
import { Alert } from '../ui/toast.tsx';
import {
  chartColumns,
  chartRange,
  SERIES,
  type Timeline,
  type TimelineRow,
  timelineRows,
  timelineSummary,
} from './insight-series.ts';

const HEIGHT = 240;

function useTimeline(
  api: ApiClient,
  flowId: string,
  range: { from: number | undefined; to: number | undefined },
  version: string,
) {
  const [timeline, setTimeline] = useState<Timeline | null>(null);
  const [failure, setFailure] = useState<ApiFailure | null>(null);
  useEffect(() => {
    setTimeline(null);
    if (!flowId) return;
    let live = true;
    const { from, to, bucket } = chartRange(range.from, range.to, Date.now());
    const query = { from, to, bucket, ...(version ? { version: Number(version) } : {}) };
    void unwrap(
      api.GET('/flows/{flowId}/insights/timeline', { params: { path: { flowId }, query } }),
    ).then((r) => {
      if (!live) return;
      if (r.ok) {
        setTimeline(r.data);
        setFailure(null);
      } else setFailure(r.failure);
    });
    return () => {
      live = false;
    };
  }, [api, flowId, range.from, range.to, version]);
  return { timeline, failure };
}

/** Draws `timeline` into `host` once uPlot has loaded; redraws on resize; cleans up. */
function usePlot(host: { current: HTMLDivElement | null }, timeline: Timeline | null) {
  useEffect(() => {
    const el = host.current;
    if (!el || !timeline) return;
    let plot: uPlot | null = null;
    let gone = false;
    const observer = new ResizeObserver(() =>
      plot?.setSize({ width: el.clientWidth, height: HEIGHT }),
    );
    void import('uplot').then(({ default: UPlot }) => {
      if (gone) return;
      // Axis text takes the page's colours (the canvas cannot read CSS variables itself).
      const style = getComputedStyle(el);
      const axis = { stroke: style.color, grid: { stroke: style.borderColor, width: 1 } };
      plot = new UPlot(
        {
          width: el.clientWidth,
          height: HEIGHT,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: true } },
          axes: [axis, { ...axis, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] }],
          series: [
            {},
            ...SERIES.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: 2,
              points: { show: timeline.buckets.length <= 62 },
            })),
          ],
        },
        chartColumns(timeline) as uPlot.AlignedData,
        el,
      );
      observer.observe(el);
    });
    return () => {
      gone = true;
      observer.disconnect();
      plot?.destroy();
    };
  }, [host, timeline]);
}

export function InsightsChart(props: {
  api: ApiClient;
  flowId: string;
  range: { from: number | undefined; to: number | undefined };
  version: string;
}) {
  const { timeline, failure } = useTimeline(props.api, props.flowId, props.range, props.version);
  const host = useRef<HTMLDivElement>(null);
  usePlot(host, timeline);
  if (failure) return <Alert>Could not load the chart: {failureText(failure)}</Alert>;
  if (!timeline) return <p role="status">Loading the chart…</p>;
  const unit = timeline.bucket === 'day' ? 'day' : 'hour';
  const columns: Column<TimelineRow>[] = [
    { header: unit === 'day' ? 'Day' : 'Hour', rowHeader: true, cell: (r) => r.label },
    ...SERIES.map((s) => ({ header: s.label, class: 'num', cell: (r: TimelineRow) => r[s.key] })),
  ];
  return (
    <section class="insights-chart" aria-labelledby="insights-chart-title">
      <h2 id="insights-chart-title">Over time</h2>
      <figure>
        <div ref={host} class="chart-host" role="img" aria-label={timelineSummary(timeline)} />
        <figcaption>
          <ul class="chart-legend" aria-label="Chart legend">
            {SERIES.map((s) => (
              <li key={s.key}>
                <span class={`chart-swatch chart-swatch-${s.key}`} aria-hidden="true" />
                {s.label}
              </li>
            ))}
          </ul>
        </figcaption>
      </figure>
      <Table
        caption={`Runs per ${unit}`}
        columns={columns}
        rows={timelineRows(timeline)}
        rowKey={(r) => r.key}
        empty={`No run in this range.`}
      />
    </section>
  );
}
