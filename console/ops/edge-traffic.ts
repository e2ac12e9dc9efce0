/**
 * Insights on the canvas: how many runs took each connection (the line's width) and each
 * button option, and what each step counts. The engine records a button by its value
 * (`option:<value>`); the canvas names ports as the flow format does
 * (`input.options[1].next`), so ports are translated against the version shown. Pure.
 */
import type { Flow } from '../../shared/flow/schema.ts';
import type { components } from '../api/client.ts';

type Insights = components['schemas']['Insights'];
const TRIGGER_ID = '__trigger__';

/** Line widths in px: an unused connection is thinnest, the busiest is MAX_WIDTH. */
export const MIN_WIDTH = 1;
export const MAX_WIDTH = 12;
const USED_MIN_WIDTH = 2;

/**
 * A connection's width, proportional to its runs against the busiest one: 0 runs → MIN_WIDTH,
 * the busiest → MAX_WIDTH, the rest in between in proportion (never below USED_MIN_WIDTH, so a
 * connection taken once still reads as taken).
 */
export function edgeWidth(runs: number, busiest: number): number {
  if (!(runs > 0) || !(busiest > 0)) return MIN_WIDTH;
  const share = Math.min(1, runs / busiest);
  return Math.round(Math.max(USED_MIN_WIDTH, share * MAX_WIDTH) * 10) / 10;
}

/** The canvas port of an engine-recorded port on `node` (unchanged when it is already one). */
export function canvasPort(flow: Flow, nodeId: string, port: string): string {
  if (!port.startsWith('option:')) return port;
  const node = flow.nodes.find((n) => n.id === nodeId);
  const value = port.slice('option:'.length);
  if (node?.type !== 'ask_question' || !('options' in node.input)) return port;
  const index = (node.input.options ?? []).findIndex((o) => o.value === value);
  return index >= 0 ? `input.options[${index}].next` : port;
}

/**
 * Runs per canvas edge id (`source|port`), the trigger's start line included (runs that
 * entered the start step).
 */
export function edgeTraffic(flow: Flow, insights: Insights): Map<string, number> {
  const traffic = new Map<string, number>();
  for (const e of insights.edges) {
    const id = `${e.nodeId}|${canvasPort(flow, e.nodeId, e.port)}`;
    traffic.set(id, (traffic.get(id) ?? 0) + e.runs);
  }
  const start = insights.nodes.find((n) => n.nodeId === flow.start);
  if (start) traffic.set(`${TRIGGER_ID}|start`, start.entered);
  return traffic;
}

export interface StepStats {
  entered: number;
  completed: number;
  failed: number;
  dropped: number;
}

/** Per step its counts; steps nobody entered are absent (the canvas shows them as 0). */
export function stepStats(insights: Insights): Map<string, StepStats> {
  return new Map(
    insights.nodes.map((n) => [
      n.nodeId,
      { entered: n.entered, completed: n.completed, failed: n.failed, dropped: n.dropped },
    ]),
  );
}

/** "1 run" / "3 runs". */
export function runsText(runs: number): string {
  return `${runs} run${runs === 1 ? '' : 's'}`;
}
