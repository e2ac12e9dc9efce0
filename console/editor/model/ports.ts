/**
 * The output ports of each node type, named exactly as the flow format names the field that
 * holds the target id (`next`, `else`, `branches[0].next`, `input.options[1].next`, `onError`…),
 * with a human label for handles and menus. Reading uses shared `nodePorts`; writing sets the
 * same path on a copy of the node.
 */
import type { FlowNode } from '../../../shared/flow/schema.ts';
import { nodePorts } from '../../../shared/flow/schema.ts';

export interface PortInfo {
  /** The format's field path of the port, e.g. `input.options[0].next`. */
  readonly port: string;
  /** What the handle shows: `next`, `else`, an option's label, `onError`… */
  readonly label: string;
  readonly target: string | undefined;
}

const INDEXED = /^(branches|paths|input\.options)\[(\d+)\]\.next$/;

function portLabel(node: FlowNode, port: string): string {
  const match = INDEXED.exec(port);
  if (!match) return port;
  const index = Number(match[2]);
  if (node.type === 'ask_question' && match[1] === 'input.options' && 'options' in node.input) {
    const option = node.input.options?.[index];
    return option ? option.label || option.value : port;
  }
  if (node.type === 'condition' && match[1] === 'branches') return `branch ${index + 1}`;
  if (node.type === 'split' && match[1] === 'paths') {
    const path = node.paths[index];
    return path ? `${path.percent}%` : port;
  }
  return port;
}

/**
 * Ports per node object, read once: nodes are never changed in place (every edit makes a new
 * object), and the canvas, its opening and the layout each ask for them (on a 1,000-step flow
 * that was a quarter of the first render, bench/profile-editor.mjs).
 */
const portCache = new WeakMap<FlowNode, readonly PortInfo[]>();

/** Every output port of a node in display order, with its label and current target. */
export function portsOf(node: FlowNode): readonly PortInfo[] {
  let ports = portCache.get(node);
  if (!ports) {
    ports = nodePorts(node).map(({ port, target }) => ({
      port,
      label: portLabel(node, port),
      target,
    }));
    portCache.set(node, ports);
  }
  return ports;
}

export function hasPort(node: FlowNode, port: string): boolean {
  return nodePorts(node).some((p) => p.port === port);
}

/**
 * A copy of `node` with the port set to `target` (undefined removes the field: a missing port
 * ends the run). Unknown ports leave the node unchanged.
 */
export function withPort(node: FlowNode, port: string, target: string | undefined): FlowNode {
  if (!hasPort(node, port)) return node;
  const match = INDEXED.exec(port);
  if (!match) return setKey(node, port, target) as FlowNode;
  const index = Number(match[2]);
  const copy = structuredClone(node) as FlowNode & Record<string, unknown>;
  const list =
    match[1] === 'input.options'
      ? (copy as { input: { options?: Record<string, unknown>[] } }).input.options
      : (copy[match[1] as string] as Record<string, unknown>[] | undefined);
  const item = list?.[index];
  if (item) setInPlace(item, 'next', target);
  return copy;
}

function setKey<T extends object>(object: T, key: string, value: string | undefined): T {
  const copy = { ...object } as Record<string, unknown>;
  setInPlace(copy, key, value);
  return copy as T;
}

function setInPlace(object: Record<string, unknown>, key: string, value: string | undefined) {
  if (value === undefined) delete object[key];
  else object[key] = value;
}

/** A copy of `node` with every port that points at one of `ids` removed. */
export function withoutPortsTo(node: FlowNode, ids: ReadonlySet<string>): FlowNode {
  let out = node;
  for (const { port, target } of nodePorts(node))
    if (target !== undefined && ids.has(target)) out = withPort(out, port, undefined);
  return out;
}

/** A copy of `node` whose ports are renamed through `map`; targets not in `map` are dropped. */
export function remapPorts(node: FlowNode, map: ReadonlyMap<string, string>): FlowNode {
  let out = node;
  for (const { port, target } of nodePorts(node))
    if (target !== undefined) out = withPort(out, port, map.get(target));
  return out;
}
