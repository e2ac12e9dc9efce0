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
} from '@xyflow/react';
import { useMemo, useState } from 'preact/hooks';
import type { Flow } from '../../shared/flow/schema.ts';
import { edgeWidth, runsText, type StepStats } from '../ops/edge-traffic.ts';
import type { CanvasNode, Mark, PortEdge } from './canvas-types.ts';
import { type Position, TRIGGER_ID } from './model/commands.ts';
import { triggerPosition } from './model/layout.ts';
import { portsOf } from './model/ports.ts';
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

export function buildNodes(
  props: CanvasProps,
  dragging: ReadonlyMap<string, Position>,
): CanvasNode[] {
  const { flow, selection, problems, marks, readOnly, onPlus, live, onLive, traffic, stats } =
    props;
  const selected = new Set(selection);
  const trigger: CanvasNode = {
    id: TRIGGER_ID,
    type: 'trigger',
    position: dragging.get(TRIGGER_ID) ?? triggerPosition(flow),
    deletable: false,
    draggable: false,
    selected: selected.has(TRIGGER_ID),
    ariaLabel: 'Trigger',
    data: { trigger: flow.trigger, problem: problems.get(TRIGGER_ID), readOnly, onPlus },
  };
  const steps: CanvasNode[] = flow.nodes.map((node) => ({
    id: node.id,
    type: 'step',
    position: dragging.get(node.id) ?? node.position ?? { x: 0, y: 0 },
    selected: selected.has(node.id),
    ariaLabel: `Step ${node.label || node.id} (${node.type})`,
    data: {
      node,
      ports: portsOf(node),
      problem: problems.get(node.id),
      mark: marks?.get(node.id),
      isStart: node.id === flow.start,
      readOnly,
      ...(live?.get(node.id) && onLive ? { live: live.get(node.id), onLive } : {}),
      ...(stats
        ? {
            stats: stats.get(node.id) ?? { entered: 0, completed: 0, failed: 0, dropped: 0 },
            portRuns: Object.fromEntries(
              portsOf(node).map((p) => [p.port, traffic?.get(`${node.id}|${p.port}`) ?? 0]),
            ),
          }
        : {}),
      onPlus,
    },
  }));
  return [trigger, ...steps];
}

/** An edge's insights (runs, width, the count in its accessible name), when traffic is shown. */
function trafficOf(traffic: ReadonlyMap<string, number> | undefined, id: string, busiest: number) {
  if (!traffic) return { data: {}, text: '' };
  const runs = traffic.get(id) ?? 0;
  return { data: { runs, width: edgeWidth(runs, busiest) }, text: `: ${runsText(runs)}` };
}

export function buildEdges(props: CanvasProps): PortEdge[] {
  const { flow, readOnly, onPlus, taken, traffic } = props;
  const busiest = Math.max(0, ...(traffic?.values() ?? []));
  const ids = new Set(flow.nodes.map((n) => n.id));
  const edges: PortEdge[] = [];
  if (ids.has(flow.start))
    edges.push({
      id: `${TRIGGER_ID}|start`,
      type: 'port',
      source: TRIGGER_ID,
      sourceHandle: 'start',
      target: flow.start,
      deletable: false,
      ...(taken?.has(`${TRIGGER_ID}|start`) ? { className: 'edge-taken' } : {}),
      ariaLabel: `start to ${flow.start}${trafficOf(traffic, `${TRIGGER_ID}|start`, busiest).text}`,
      data: {
        label: 'start',
        readOnly,
        onPlus,
        ...trafficOf(traffic, `${TRIGGER_ID}|start`, busiest).data,
      },
    });
  for (const node of flow.nodes)
    for (const port of portsOf(node))
      if (port.target !== undefined && ids.has(port.target))
        edges.push({
          id: `${node.id}|${port.port}`,
          type: 'port',
          source: node.id,
          sourceHandle: port.port,
          target: port.target,
          ...(taken?.has(`${node.id}|${port.port}`) ? { className: 'edge-taken' } : {}),
          ariaLabel: `${node.id} ${port.label} to ${port.target}${taken?.has(`${node.id}|${port.port}`) ? ' (taken)' : ''}${trafficOf(traffic, `${node.id}|${port.port}`, busiest).text}`,
          data: {
            label: port.label,
            readOnly,
            onPlus,
            ...trafficOf(traffic, `${node.id}|${port.port}`, busiest).data,
          },
        });
  return edges;
}

export function Canvas(props: CanvasProps) {
  const [dragging, setDragging] = useState<Map<string, Position>>(new Map());
  const nodes = useMemo(() => buildNodes(props, dragging), [props, dragging]);
  const edges = useMemo(
    () => buildEdges(props),
    [props.flow, props.readOnly, props.onPlus, props.taken, props.traffic],
  );

  const onNodesChange = (changes: NodeChange<CanvasNode>[]) => {
    const moved = new Map<string, Position>();
    const inFlight = new Map(dragging);
    let dropped = false;
    let selection: Set<string> | null = null;
    for (const change of changes) {
      if (change.type === 'position' && change.position) {
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
      onInit={props.onInit}
      nodesDraggable={!props.readOnly}
      nodesConnectable={!props.readOnly}
      deleteKeyCode={props.readOnly ? null : ['Delete', 'Backspace']}
      fitView
      minZoom={0.1}
      onlyRenderVisibleElements
      proOptions={{ hideAttribution: true }}
      aria-label="Flow canvas"
    >
      <Background />
      {props.flow.nodes.length <= MINIMAP_MAX_STEPS && (
        <MiniMap pannable zoomable ariaLabel="Mini map" />
      )}
      <Controls />
    </ReactFlow>
  );
}
