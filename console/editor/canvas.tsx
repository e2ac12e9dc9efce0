/**
 * The canvas: @xyflow/react (through preact/compat) drawing the flow document. The document is
 * the only source of truth: nodes and edges are derived from it, and every change the canvas
 * reports (drag end, arrow-key move, connect, delete, select) becomes an editor command.
 * While a drag is in flight its positions live here and are committed once, on drop.
 */
import {
  Background,
  type Connection,
  Controls,
  MiniMap,
  type NodeChange,
  ReactFlow,
  type ReactFlowInstance,
  type Viewport,
} from '@xyflow/react';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Flow } from '../../shared/flow/schema.ts';
import type { StepStats } from '../ops/edge-traffic.ts';
import { createCanvasElements } from './canvas-elements.ts';
import { createOpening, fitAll, type Opening, viewRect } from './canvas-opening.ts';
import type { CanvasNode, Mark, PortEdge } from './canvas-types.ts';
import { type Position, TRIGGER_ID } from './model/commands.ts';
import { PortEdgeView } from './port-edge.tsx';
import { StepNodeView, TriggerNodeView } from './step-node.tsx';

const nodeTypes = { step: StepNodeView, trigger: TriggerNodeView };
const edgeTypes = { port: PortEdgeView };
/**
 * Above this many steps the minimap is left out: it draws every step (not only the visible
 * ones) and subscribes to the store once per step, so each canvas update re-ran 1,000
 * selectors; `npm run bench -- --only=consoleEditor` measured its longest task on opening a
 * 1,000-step flow at 4x throttle at about 3.4-3.9 s with it and 1.3-2.0 s without.
 */
export const MINIMAP_MAX_STEPS = 300;
/**
 * Flows with more steps than this open in batches (canvas-opening.ts), at most `OPEN_BUDGET`
 * of drawing per task (a connection in view costs 1, a step in view `STEP_COST`, out of view
 * `OFF_VIEW_COST`). Each batch also costs a store update that every drawn step and connection
 * hears, whatever its size: a budget that shrank under load (to 8) made 150-200 long tasks
 * instead of 30-70 and no shorter longest task, so the budget is fixed.
 */
export const OPEN_BATCHED_ABOVE = 100;
export const OPEN_BUDGET = 60;
const ZOOM = { min: 0.1, max: 2 };

/** While a large flow's opening is being prepared, no step is let in (only the trigger). */
const NO_STEP = () => false;

/**
 * The canvas's opening: until `begin` runs (xyflow's onInit, when the pane has its size) only
 * the trigger is handed over. For a small flow `begin` fits the view and every step is in
 * (`admit` null). For a large one it prepares the opening (every step's box and connections:
 * a task's worth of work at 1,000 steps, so a task of its own), fits the view to the whole
 * flow, then hands the steps over a batch per task (`busy` meanwhile). `batch` counts the
 * batches so far (a dependency for what depends on `admit`).
 */
function useOpening(flow: Flow) {
  const [batched] = useState(() => flow.nodes.length > OPEN_BATCHED_ABOVE);
  const latest = useRef(flow);
  latest.current = flow;
  const [opening, setOpening] = useState<Opening | null>(null);
  const [batch, setBatch] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const begin = (rf: ReactFlowInstance<CanvasNode, PortEdge>, pane: HTMLElement | null) => {
    const size = { width: pane?.clientWidth ?? 0, height: pane?.clientHeight ?? 0 };
    if (!batched) {
      void rf.setViewport(fitAll(latest.current, size, ZOOM));
      return;
    }
    const step = (prepared: Opening, viewport: Viewport) => {
      prepared.next(viewRect(viewport, size), OPEN_BUDGET);
      setBatch((n) => n + 1);
      if (!prepared.done()) timer.current = setTimeout(() => step(prepared, rf.getViewport()), 0);
    };
    timer.current = setTimeout(() => {
      const prepared = createOpening(latest.current);
      const fitted = prepared.fit(size, ZOOM);
      void rf.setViewport(fitted);
      setOpening(prepared);
      timer.current = setTimeout(() => step(prepared, fitted), 0);
    }, 0);
  };
  // `admit` stays the same function once every step is in (it then lets all in), so that the
  // end of the opening does not hand xyflow the same nodes and edges once more.
  return {
    admit: batched ? (opening?.admits ?? NO_STEP) : null,
    batch,
    busy: batched && !opening?.done(),
    begin,
  };
}

/**
 * Fit every step, drawn or not (the Controls' fit button, tidy-up). xyflow fits only measured
 * nodes by default, and with onlyRenderVisibleElements a step out of view is not drawn (so not
 * measured) until it comes into view; `includeHiddenNodes` makes it use the size estimated for
 * those (canvas-elements.ts). The canvas hides no node, so nothing else changes.
 */
export const FIT_ALL = { includeHiddenNodes: true } as const;

export interface CanvasProps {
  flow: Flow;
  selection: readonly string[];
  problems: ReadonlyMap<string, 'error' | 'warning'>;
  marks?: ReadonlyMap<string, Mark>;
  /** Edges to draw as "taken" (a run's or a test's path), as `source|port`. */
  taken?: ReadonlySet<string>;
  readOnly: boolean;
  /** Live counts: conversations waiting at each step, and what clicking a count does. */
  live?: ReadonlyMap<string, number>;
  onLive?: (nodeId: string) => void;
  /** Insights: runs per connection (`source|port`) and counts per step. */
  traffic?: ReadonlyMap<string, number>;
  stats?: ReadonlyMap<string, StepStats>;
  onSelect: (ids: string[]) => void;
  onMove: (positions: Map<string, Position>, how: 'drag' | 'keyboard') => void;
  onConnect: (source: string, port: string, target: string) => void;
  /** Deleted steps and connections, as one edit (xyflow deletes a step's edges with it). */
  onDelete: (ids: string[], ports: { source: string; port: string }[]) => void;
  onPlus: (source: string, port: string, anchor: HTMLElement) => void;
  onInit?: (instance: ReactFlowInstance<CanvasNode, PortEdge>) => void;
}

export function Canvas(props: CanvasProps) {
  const [dragging, setDragging] = useState<Map<string, Position>>(new Map());
  const [elements] = useState(createCanvasElements);
  const { flow, selection, problems, marks, taken, readOnly, live, onLive, onPlus } = props;
  const { traffic, stats } = props;
  const { admit, batch, busy, begin } = useOpening(flow);
  const pane = useRef<HTMLDivElement>(null);
  // xyflow's first render (its store, panes, handlers) is about as long as the rest of the
  // editor's: a large flow gets it in a task of its own, after the editor around it is drawn.
  const [mounted, setMounted] = useState(() => flow.nodes.length <= OPEN_BATCHED_ABOVE);
  useEffect(() => {
    if (mounted) return;
    const timer = setTimeout(() => setMounted(true), 0);
    return () => clearTimeout(timer);
  }, [mounted]);
  const nodes = useMemo(
    () =>
      elements.nodes(
        { flow, selection, problems, marks, readOnly, live, onLive, onPlus, traffic, stats },
        dragging,
        admit,
      ),
    [
      elements,
      flow,
      selection,
      problems,
      marks,
      readOnly,
      live,
      onLive,
      onPlus,
      traffic,
      stats,
      dragging,
      admit,
      batch, // what `admit` lets in grows with each batch
    ],
  );
  const edges = useMemo(
    () => elements.edges({ flow, selection, problems, taken, readOnly, onPlus, traffic }, admit),
    [elements, flow, taken, readOnly, onPlus, traffic, admit, batch],
  );

  const onNodesChange = (changes: NodeChange<CanvasNode>[]) => {
    const moved = new Map<string, Position>();
    const inFlight = new Map(dragging);
    let dropped = false;
    let selection: Set<string> | null = null;
    for (const change of changes) {
      if (change.type === 'dimensions' && change.dimensions)
        elements.measured(change.id, change.dimensions);
      else if (change.type === 'position' && change.position) {
        if (change.dragging) inFlight.set(change.id, change.position);
        else moved.set(change.id, change.position);
      } else if (change.type === 'position' && !change.dragging && inFlight.has(change.id)) {
        moved.set(change.id, inFlight.get(change.id) as Position);
        dropped = true;
      } else if (change.type === 'select') {
        selection ??= new Set(props.selection);
        if (change.selected) selection.add(change.id);
        else selection.delete(change.id);
      }
    }
    if (moved.size) {
      for (const id of moved.keys()) inFlight.delete(id);
      moved.delete(TRIGGER_ID);
      if (moved.size) props.onMove(moved, dropped || dragging.size ? 'drag' : 'keyboard');
    }
    if (inFlight.size !== dragging.size || changes.some((c) => c.type === 'position'))
      setDragging(inFlight);
    if (selection) props.onSelect([...selection]);
  };

  const onConnect = (c: Connection) => {
    if (c.source && c.target && c.target !== TRIGGER_ID)
      props.onConnect(c.source, c.sourceHandle ?? 'next', c.target);
  };

  if (!mounted)
    return (
      <div class="canvas-pending" aria-busy="true">
        <p role="status">Opening the canvas…</p>
      </div>
    );
  return (
    <ReactFlow<CanvasNode, PortEdge>
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      edgeTypes={edgeTypes}
      onNodesChange={onNodesChange}
      onDelete={({ nodes: gone, edges: cut }) => {
        const ids = gone.map((n) => n.id).filter((id) => id !== TRIGGER_ID);
        const ports = cut
          .filter((e) => e.source !== TRIGGER_ID)
          .map((e) => ({ source: e.source, port: e.sourceHandle ?? 'next' }));
        if (ids.length || ports.length) props.onDelete(ids, ports);
      }}
      onConnect={onConnect}
      ref={pane}
      aria-busy={busy || undefined}
      onInit={(rf) => {
        props.onInit?.(rf);
        begin(rf, pane.current);
      }}
      nodesDraggable={!props.readOnly}
      nodesConnectable={!props.readOnly}
      deleteKeyCode={props.readOnly ? null : ['Delete', 'Backspace']}
      minZoom={ZOOM.min}
      maxZoom={ZOOM.max}
      onlyRenderVisibleElements
      proOptions={{ hideAttribution: true }}
      aria-label="Flow canvas"
    >
      <Background />
      {props.flow.nodes.length <= MINIMAP_MAX_STEPS && (
        <MiniMap pannable zoomable ariaLabel="Mini map" />
      )}
      <Controls fitViewOptions={FIT_ALL} />
    </ReactFlow>
  );
}
