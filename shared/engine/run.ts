/**
 * The mutable working set of one `step` call: scope, effects, log and counters. It never leaks:
 * `step` turns it into a fresh `RunState` and plain arrays at the end.
 */

import { type RenderBudget, renderBudget, sizeWithin } from '../expr/size.ts';
import { renderJsonText, renderTemplate, renderUrl, renderValue } from '../expr/template.ts';
import type { Flow, FlowNode } from '../flow/schema.ts';
import { MAX_EVENT_OUTPUT_CHARS, MAX_SCOPE_CHARS, MAX_VALUE_CHARS } from './limits.ts';
import { buildScope, type Scope, withVariable } from './scope.ts';
import { withMessage } from './system-vars.ts';
import {
  type Effect,
  type EngineContext,
  type IoEffect,
  RunError,
  type RunState,
  type StepLog,
  type StepResult,
  type StepStatus,
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
  /**
   * Set when something this event made would pass a limit (limits.ts): the node that did it is
   * failed and the run ends with this code. Nothing past the limit is ever built.
   */
  failure: string | null = null;
  /** Characters of the effects emitted so far in this event. */
  private output = 0;
  /** JSON size of each variable, so the scope total is kept without re-measuring it. */
  private readonly sizes = new Map<string, number>();
  private scopeSize = 0;

  // Plain fields (no parameter properties) so Node can run this file with type stripping.
  constructor(state: RunState, ctx: EngineContext) {
    this.state = state;
    this.ctx = ctx;
    this.scope = buildScope(ctx, state.variables);
    this.nodes = nodeMap(ctx.flow);
    this.steps = state.steps ?? 0;
    for (const [name, value] of Object.entries(state.variables)) {
      const size = sizeWithin(value, MAX_SCOPE_CHARS) ?? MAX_SCOPE_CHARS;
      this.sizes.set(name, size);
      this.scopeSize += size;
    }
  }

  /** Ends this event's work with `code` (the first failure wins). */
  fail(code: string): void {
    this.failure ??= code;
  }

  /**
   * Sets `variable.<name>` (undefined clears it). A value over MAX_VALUE_CHARS, or one that
   * would take the run's variables over MAX_SCOPE_CHARS, is not stored: the run fails instead.
   */
  setVariable(name: string, value: unknown): void {
    if (this.failure) return;
    const size = value === undefined ? 0 : sizeWithin(value, MAX_VALUE_CHARS);
    if (size === null) {
      this.fail(RunError.valueTooLarge);
      return;
    }
    const total = this.scopeSize - (this.sizes.get(name) ?? 0) + size;
    if (total > MAX_SCOPE_CHARS) {
      this.fail(RunError.scopeTooLarge);
      return;
    }
    this.scopeSize = total;
    this.sizes.set(name, size);
    withVariable(this.scope, name, value);
  }

  /** Fails the run when a render went past its MAX_RENDERED_CHARS budget. */
  private checked<T>(budget: RenderBudget, result: T): T {
    if (budget.exceeded) this.fail(RunError.valueTooLarge);
    return result;
  }

  // Each render gets a fresh MAX_RENDERED_CHARS budget; too large fails the run.
  text(template: string): string {
    const budget = renderBudget();
    return this.checked(budget, renderTemplate(template, this.scope, budget));
  }

  url(template: string): string {
    const budget = renderBudget();
    return this.checked(budget, renderUrl(template, this.scope, budget));
  }

  jsonText(template: string): string {
    const budget = renderBudget();
    return this.checked(budget, renderJsonText(template, this.scope, budget));
  }

  value(template: unknown): unknown {
    const budget = renderBudget();
    return this.checked(budget, renderValue(template, this.scope, budget));
  }

  /** Counts an effect against MAX_EVENT_OUTPUT_CHARS; false (and a failed run) when over. */
  private emits(effect: Effect): boolean {
    if (this.failure) return false;
    const size = sizeWithin(effect, MAX_EVENT_OUTPUT_CHARS - this.output);
    if (size === null) {
      this.fail(RunError.outputTooLarge);
      return false;
    }
    this.output += size;
    return true;
  }

  /** Declared type of a flow variable, for coercion on save. */
  variableType(name: string): string | undefined {
    return this.ctx.flow.variables.find((variable) => variable.name === name)?.type;
  }

  say(effect: Omit<Extract<Effect, { type: 'say' }>, 'type'>): void {
    const said: Effect = { type: 'say', ...effect };
    if (!this.emits(said)) return;
    this.effects.push(said);
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
    const full = {
      ...effect,
      nodeId: node.id,
      idempotencyKey: `${this.state.runId}:${this.steps}:${node.id}`,
      awaitResult,
    } as IoEffect;
    if (this.emits(full)) this.effects.push(full);
  }

  record(
    node: FlowNode,
    status: StepStatus,
    extra?: {
      port?: string;
      choice?: string;
      rating?: number;
      error?: string;
      durationMs?: number;
    },
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
    if (extra?.rating !== undefined) entry.rating = extra.rating;
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
