/**
 * The nodes and edges the canvas hands xyflow, kept from one render to the next. Pure (no DOM).
 *
 * xyflow compares each node object with the one it had: the same object keeps its measured
 * size and handle positions; a new object without `measured` loses them, and with
 * `onlyRenderVisibleElements` a node without handle positions is always rendered, so that it
 * can be measured. Rebuilding every object on every editor render (as the canvas did) made a
 * 1,000-step flow mount, measure and unmount all 1,000 steps again after each state change
 * while it opened: `npm run bench -- --only=consoleEditor` saw four such passes of 1-2.6 s each.
 *
 * So: an object is reused while nothing it shows changed; a step that only moved or changed
 * selection, problem or mark gets a new object carrying the size xyflow reported (xyflow then
 * keeps its handle positions); a step whose content changed is left unmeasured so xyflow
 * measures it again (its handles may have moved). A step never measured yet gets an estimated
 * size and handle positions (see `estimateStep`), so that on open xyflow renders the steps in
 * view only; each is measured exactly once it is drawn.
 */
import { Position as Side } from '@xyflow/system';
import type { Flow, FlowNode } from '../../shared/flow/schema.ts';
import { edgeWidth, runsText, type StepStats } from '../ops/edge-traffic.ts';
import type { CanvasNode, Mark, PortEdge, StepNode, TriggerNode } from './canvas-types.ts';
import { type Position, TRIGGER_ID } from './model/commands.ts';
import { triggerPosition } from './model/layout.ts';
import { type PortInfo, portsOf } from './model/ports.ts';
import { nodeSummary } from './node-summary.ts';

const ORIGIN: Position = { x: 0, y: 0 };

/** Which steps the canvas hands to xyflow while a large flow opens (null: all of them). */
export type Admit = ((id: string) => boolean) | null;

type OnPlus = (source: string, port: string, anchor: HTMLElement) => void;

/** What the canvas shows, as the editor passes it (the part the elements depend on). */
export interface CanvasInput {
  flow: Flow;
  selection: readonly string[];
  problems: ReadonlyMap<string, 'error' | 'warning'>;
  marks?: ReadonlyMap<string, Mark> | undefined;
  taken?: ReadonlySet<string> | undefined;
  readOnly: boolean;
  live?: ReadonlyMap<string, number> | undefined;
  onLive?: ((nodeId: string) => void) | undefined;
  onPlus: OnPlus;
  /** Insights: runs per connection (`nodeId|port`) and counts per step, when shown. */
  traffic?: ReadonlyMap<string, number> | undefined;
  stats?: ReadonlyMap<string, StepStats> | undefined;
}

const NO_STATS: StepStats = { entered: 0, completed: 0, failed: 0, dropped: 0 };

export interface Size {
  width: number;
  height: number;
}

/*
 * A step card's geometry (console/editor/editor.css), measured in Chromium: 240 px wide; the
 * ports list starts 56 px down plus the summary's lines; each port row is 25 px with its handle
 * 2 px below the row's top; handles are 6 px; the input handle sits on the left edge, halfway
 * down. Only steps not drawn yet use these numbers.
 */
export const CARD_WIDTH = 240;
const PORTS_TOP = 56.3;
const TEXT_GAP = 3.2;
const TEXT_LINE = 18;
const TEXT_CHARS_PER_LINE = 32;
const PORT_ROW = 25;
const HANDLE = 6;
const HANDLE_IN_ROW = 2.2;
/** The ports list's top margin (not there when the step has no port). */
const PORTS_MARGIN = 4.8;

/** An estimate of a step card's size and handle positions, from its summary and ports. */
export function estimateStep(node: FlowNode, ports: readonly PortInfo[]) {
  const summary = nodeSummary(node);
  const shown = summary.length > 90 ? 91 : summary.length;
  const lines = shown ? Math.ceil(shown / TEXT_CHARS_PER_LINE) : 0;
  const top = PORTS_TOP + (lines ? TEXT_GAP + lines * TEXT_LINE : 0);
  const height = ports.length ? top + ports.length * PORT_ROW : top - PORTS_MARGIN;
  const handles = [
    {
      type: 'target' as const,
      position: Side.Left,
      x: -HANDLE / 2,
      y: height / 2 - HANDLE / 2,
      width: HANDLE,
      height: HANDLE,
    },
    ...ports.map((p, i) => ({
      id: p.port,
      type: 'source' as const,
      position: Side.Right,
      x: CARD_WIDTH - HANDLE - 0.5,
      y: top + i * PORT_ROW + HANDLE_IN_ROW,
      width: HANDLE,
      height: HANDLE,
    })),
  ];
  return { width: CARD_WIDTH, height, handles };
}

/** True when `a` and `b` differ at most in `position` (a move, not an edit). */
export function sameExceptPosition(a: FlowNode, b: FlowNode): boolean {
  if (a === b) return true;
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  if (ak.length !== bk.length) return false;
  for (const k of ak)
    if (k !== 'position' && (a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k])
      return false;
  return true;
}

interface StepKey {
  node: FlowNode;
  position: Position;
  selected: boolean;
  problem: 'error' | 'warning' | undefined;
  mark: Mark;
  isStart: boolean;
  readOnly: boolean;
  live: number | undefined;
  onLive: ((nodeId: string) => void) | undefined;
  onPlus: OnPlus;
  /** Insights (the canvas of the insights page): same maps, same objects. */
  traffic: ReadonlyMap<string, number> | undefined;
  stats: ReadonlyMap<string, StepStats> | undefined;
}

interface TriggerKey {
  trigger: Flow['trigger'];
  problem: 'error' | 'warning' | undefined;
  readOnly: boolean;
  onPlus: OnPlus;
  position: Position;
  selected: boolean;
}

const sameKey = <K extends object>(a: K, b: K) =>
  (Object.keys(a) as (keyof K)[]).every((k) => a[k] === b[k]);

/**
 * A cache of canvas elements for one canvas. `nodes` and `edges` return arrays whose objects
 * are the previous call's wherever nothing changed; `measured` records a size xyflow reported
 * (its `dimensions` node change).
 */
export function createCanvasElements() {
  let steps = new Map<string, { key: StepKey; out: StepNode }>();
  let trigger: { key: TriggerKey; out: TriggerNode } | null = null;
  let edgeCache = new Map<string, { key: Record<string, unknown>; out: PortEdge }>();
  const sizes = new Map<string, Size>();

  function stepNode(key: StepKey, previous: { key: StepKey; out: StepNode } | undefined): StepNode {
    const { node } = key;
    const ports = previous && previous.key.node === node ? previous.out.data.ports : portsOf(node);
    const base: StepNode = {
      id: node.id,
      type: 'step',
      position: key.position,
      selected: key.selected,
      ariaLabel: `Step ${node.label || node.id} (${node.type})`,
      data: {
        node,
        ports,
        problem: key.problem,
        mark: key.mark,
        isStart: key.isStart,
        readOnly: key.readOnly,
        ...(key.live && key.onLive ? { live: key.live, onLive: key.onLive } : {}),
        ...(key.stats
          ? {
              stats: key.stats.get(node.id) ?? NO_STATS,
              portRuns: Object.fromEntries(
                ports.map((p) => [p.port, key.traffic?.get(`${node.id}|${p.port}`) ?? 0]),
              ),
            }
          : {}),
        onPlus: key.onPlus,
      },
    };
    const size = sizes.get(node.id);
    if (previous && !sameExceptPosition(previous.key.node, node)) {
      // Edited: leave it unmeasured so that xyflow measures it (and its handles) again.
      return base;
    }
    if (size) return { ...base, measured: size };
    const estimate = estimateStep(node, ports);
    return {
      ...base,
      initialWidth: estimate.width,
      initialHeight: estimate.height,
      handles: estimate.handles,
    };
  }

  return {
    /** xyflow measured `id` at `size` (a `dimensions` node change). */
    measured(id: string, size: Size) {
      sizes.set(id, size);
    },

    /** The canvas nodes; while a large flow opens, only the steps `admit` lets in (null: all). */
    nodes(
      input: CanvasInput,
      dragging: ReadonlyMap<string, Position>,
      admit: Admit = null,
    ): CanvasNode[] {
      const { flow, problems, marks, readOnly, onPlus, live, onLive, traffic, stats } = input;
      const selected = new Set(input.selection);
      const triggerKey: TriggerKey = {
        trigger: flow.trigger,
        problem: problems.get(TRIGGER_ID),
        readOnly,
        onPlus,
        position: dragging.get(TRIGGER_ID) ?? triggerPosition(flow),
        selected: selected.has(TRIGGER_ID),
      };
      // The trigger's position is derived anew each time: compare it by value.
      const samePlace =
        trigger?.key.position.x === triggerKey.position.x &&
        trigger.key.position.y === triggerKey.position.y;
      if (
        !trigger ||
        !samePlace ||
        !sameKey({ ...trigger.key, position: ORIGIN }, { ...triggerKey, position: ORIGIN })
      )
        trigger = {
          key: triggerKey,
          out: {
            id: TRIGGER_ID,
            type: 'trigger',
            position: triggerKey.position,
            deletable: false,
            draggable: false,
            selected: triggerKey.selected,
            ariaLabel: 'Trigger',
            data: { trigger: flow.trigger, problem: triggerKey.problem, readOnly, onPlus },
          },
        };
      const out: CanvasNode[] = [trigger.out];
      const next = new Map<string, { key: StepKey; out: StepNode }>();
      for (const node of flow.nodes) {
        if (admit && !admit(node.id)) continue;
        const key: StepKey = {
          node,
          position: dragging.get(node.id) ?? node.position ?? ORIGIN,
          selected: selected.has(node.id),
          problem: problems.get(node.id),
          mark: marks?.get(node.id),
          isStart: node.id === flow.start,
          readOnly,
          live: onLive ? live?.get(node.id) : undefined,
          onLive: onLive && live?.get(node.id) ? onLive : undefined,
          onPlus,
          traffic,
          stats,
        };
        const previous = steps.get(node.id);
        const entry =
          previous && sameKey(previous.key, key) ? previous : { key, out: stepNode(key, previous) };
        next.set(node.id, entry);
        out.push(entry.out);
      }
      steps = next;
      if (sizes.size > flow.nodes.length) {
        const ids = new Set(flow.nodes.map((n) => n.id));
        for (const id of sizes.keys()) if (!ids.has(id)) sizes.delete(id);
      }
      return out;
    },

    /** The connections between steps `admit` lets in (null: all steps). */
    edges(input: CanvasInput, admit: Admit = null): PortEdge[] {
      const { flow, readOnly, onPlus, taken, traffic } = input;
      const busiest = Math.max(0, ...(traffic?.values() ?? []));
      // Insights: the runs that took a connection, its width, and the count in its name.
      const trafficOf = (id: string) => {
        if (!traffic) return { data: {}, text: '' };
        const runs = traffic.get(id) ?? 0;
        return { data: { runs, width: edgeWidth(runs, busiest) }, text: `: ${runsText(runs)}` };
      };
      const ids = new Set(flow.nodes.flatMap((n) => (!admit || admit(n.id) ? [n.id] : [])));
      const out: PortEdge[] = [];
      const next = new Map<string, { key: Record<string, unknown>; out: PortEdge }>();
      const add = (key: Record<string, unknown>, make: () => PortEdge) => {
        const id = key.id as string;
        const previous = edgeCache.get(id);
        const entry = previous && sameKey(previous.key, key) ? previous : { key, out: make() };
        next.set(id, entry);
        out.push(entry.out);
      };
      if (ids.has(flow.start)) {
        const id = `${TRIGGER_ID}|start`;
        const isTaken = taken?.has(id) ?? false;
        const t = trafficOf(id);
        add({ id, target: flow.start, isTaken, readOnly, onPlus, traffic, busiest }, () => ({
          id,
          type: 'port',
          source: TRIGGER_ID,
          sourceHandle: 'start',
          target: flow.start,
          deletable: false,
          ...(isTaken ? { className: 'edge-taken' } : {}),
          ariaLabel: `start to ${flow.start}${t.text}`,
          data: { label: 'start', readOnly, onPlus, ...t.data },
        }));
      }
      for (const node of flow.nodes) {
        if (!ids.has(node.id)) continue;
        const previous = steps.get(node.id);
        const ports = previous?.key.node === node ? previous.out.data.ports : portsOf(node);
        for (const port of ports) {
          if (port.target === undefined || !ids.has(port.target)) continue;
          const id = `${node.id}|${port.port}`;
          const isTaken = taken?.has(id) ?? false;
          const { target, label } = port;
          const t = trafficOf(id);
          add({ id, target, label, isTaken, readOnly, onPlus, traffic, busiest }, () => ({
            id,
            type: 'port',
            source: node.id,
            sourceHandle: port.port,
            target,
            ...(isTaken ? { className: 'edge-taken' } : {}),
            ariaLabel: `${node.id} ${label} to ${target}${isTaken ? ' (taken)' : ''}${t.text}`,
            data: { label, readOnly, onPlus, ...t.data },
          }));
        }
      }
      edgeCache = next;
      return out;
    },
  };
}
