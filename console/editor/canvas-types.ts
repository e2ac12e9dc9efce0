/** What the canvas draws for a node or a connection (xyflow `data`), derived from the flow. */
import type { Edge, Node } from '@xyflow/react';
import type { FlowNode, Trigger } from '../../shared/flow/schema.ts';
import type { StepStats } from '../ops/edge-traffic.ts';
import type { PortInfo } from './model/ports.ts';

/**
 * How a node looks in a comparison, a test run, a recorded run (`failed`: the step it failed
 * on) or a replay (`diverged`: where the draft's path parts from the run's; `run-only` and
 * `draft-only`: steps on one of the two paths).
 */
export type Mark =
  | 'added'
  | 'removed'
  | 'changed'
  | 'moved'
  | 'path'
  | 'current'
  | 'failed'
  | 'diverged'
  | 'run-only'
  | 'draft-only'
  | undefined;

export interface StepData extends Record<string, unknown> {
  node: FlowNode;
  ports: readonly PortInfo[];
  problem: 'error' | 'warning' | undefined;
  mark: Mark;
  isStart: boolean;
  readOnly: boolean;
  /** Conversations waiting at this step right now (the "Live" toggle), and how to list them. */
  live?: number;
  onLive?: (nodeId: string) => void;
  /** Insights: this step's counts, and the runs that left it by each port (its buttons). */
  stats?: StepStats;
  portRuns?: Readonly<Record<string, number>>;
  onPlus: (source: string, port: string, anchor: HTMLElement) => void;
}

export interface TriggerData extends Record<string, unknown> {
  trigger: Trigger;
  problem: 'error' | 'warning' | undefined;
  readOnly: boolean;
  onPlus: (source: string, port: string, anchor: HTMLElement) => void;
}

export interface PortEdgeData extends Record<string, unknown> {
  label: string;
  readOnly: boolean;
  /** Insights: the runs that took this connection, and the line width that shows it. */
  runs?: number;
  width?: number;
  onPlus: (source: string, port: string, anchor: HTMLElement) => void;
}

export type StepNode = Node<StepData, 'step'>;
export type TriggerNode = Node<TriggerData, 'trigger'>;
export type CanvasNode = StepNode | TriggerNode;
export type PortEdge = Edge<PortEdgeData, 'port'>;
