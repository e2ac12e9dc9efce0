/**
 * The mutable working set of one `step` call: scope, effects, log and counters. It never leaks:
 * `step` turns it into a fresh `RunState` and plain arrays at the end.
 */
import type { Flow, FlowNode } from '../flow/schema.ts';
import { buildScope, type Scope } from './scope.ts';
import { withMessage } from './system-vars.ts';
import type {
  Effect,
  EngineContext,
  IoEffect,
  RunState,
  StepLog,
  StepResult,
  StepStatus,
} from './types.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type IoEffectInput = DistributiveOmit<IoEffect, 'nodeId' | 'idempotencyKey' | 'awaitResult'>;

const nodeMaps = new WeakMap<Flow, Map<string, FlowNode>>();
const saidReaders = new WeakMap<Flow, boolean>();

/** Whether a flow reads what the pilot said (`system.last_response` / `conversation_history`). */
function readsSaid(flow: Flow): boolean {
  let reads = saidReaders.get(flow);
  if (reads === undefined) {
    const text = JSON.stringify(flow.nodes);
    reads = text.includes('system.last_response') || text.includes('system.conversation_history');
    saidReaders.set(flow, reads);
  }
  return reads;
}

/** Node lookup by id, built once per flow object (flows are immutable snapshots). */
export function nodeMap(flow: Flow): Map<string, FlowNode> {
  let map = nodeMaps.get(flow);
  if (!map) {
    map = new Map(flow.nodes.map((node) => [node.id, node]));
    nodeMaps.set(flow, map);
  }
  return map;
}

export class Run {
  readonly effects: Effect[] = [];
  readonly log: StepLog[] = [];
  readonly state: RunState;
  readonly ctx: EngineContext;
  readonly scope: Scope;
  readonly nodes: Map<string, FlowNode>;
  steps: number;

  // Plain fields (no parameter properties) so Node can run this file with type stripping.
  constructor(state: RunState, ctx: EngineContext) {
    this.state = state;
    this.ctx = ctx;
    this.scope = buildScope(ctx, state.variables);
    this.nodes = nodeMap(ctx.flow);
    this.steps = state.steps ?? 0;
  }

  /** Declared type of a flow variable, for coercion on save. */
  variableType(name: string): string | undefined {
    return this.ctx.flow.variables.find((variable) => variable.name === name)?.type;
  }

  say(effect: Omit<Extract<Effect, { type: 'say' }>, 'type'>): void {
    this.effects.push({ type: 'say', ...effect });
    // Later nodes of this event see what was just said (`system.last_response`, history);
    // only flows that read them pay for it.
    if (readsSaid(this.ctx.flow))
      this.scope.system = withMessage(
        this.scope.system as Record<string, unknown> | undefined,
        'pilot',
        effect.text,
      );
  }

  io(node: FlowNode, effect: IoEffectInput, awaitResult: boolean): void {
    this.effects.push({
      ...effect,
      nodeId: node.id,
      idempotencyKey: `${this.state.runId}:${this.steps}:${node.id}`,
      awaitResult,
    } as IoEffect);
  }

  record(
    node: FlowNode,
    status: StepStatus,
    extra?: { port?: string; choice?: string; error?: string; durationMs?: number },
  ): void {
    const entry: StepLog = {
      nodeId: node.id,
      nodeType: node.type,
      at: this.ctx.now,
      version: this.state.version,
      status,
      durationMs: extra?.durationMs ?? 0,
    };
    if (extra?.port !== undefined) entry.port = extra.port;
    if (extra?.choice !== undefined) entry.choice = extra.choice;
    if (extra?.error !== undefined) entry.error = extra.error;
    this.log.push(entry);
  }

  /** The run waits on `nodeId` for the visitor or for an effect result. */
  wait(nodeId: string, waitingFor: 'input' | 'effect', attempts = 0): StepResult {
    const state: RunState = {
      runId: this.state.runId,
      flowId: this.state.flowId,
      version: this.state.version,
      status: 'waiting',
      nodeId,
      waitingFor,
      attempts,
      waitingSince: this.ctx.now,
      steps: this.steps,
      variables: this.scope.variable,
    };
    return { state, effects: this.effects, log: this.log };
  }

  finish(status: 'completed' | 'failed' | 'cancelled', error?: string): StepResult {
    const state: RunState = {
      runId: this.state.runId,
      flowId: this.state.flowId,
      version: this.state.version,
      status,
      nodeId: null,
      steps: this.steps,
      variables: this.scope.variable,
    };
    if (error !== undefined) state.error = error;
    return { state, effects: this.effects, log: this.log };
  }
}
