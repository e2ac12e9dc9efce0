/**
 * The pure flow engine: `step(state, event, ctx) -> { state, effects, log }`.
 * Same inputs, same outputs — runs are replayable from their log. No clock, no randomness,
 * no I/O: the caller supplies `ctx.now`, the conversation id that seeds `split`, agent
 * availability, office hours and the results of effects.
 */

import { coerceToType } from '../expr/coerce.ts';
import type { FlowNode } from '../flow/schema.ts';
import { execute, type Outcome } from './execute.ts';
import { postQuestion, type Resumed, resumeEffect, resumeForm, resumeInput } from './resume.ts';
import { Run } from './run.ts';
import {
  type EngineContext,
  type EngineEvent,
  MAX_STEPS_PER_EVENT,
  RunError,
  type RunState,
  type StepResult,
} from './types.ts';

/** Creates the state of a new run before its first event (variables at their defaults). */
export function newRun(
  runId: string,
  flowId: string,
  version: number,
  ctx: EngineContext,
): RunState {
  const variables: Record<string, unknown> = {};
  for (const variable of ctx.flow.variables) {
    if (variable.default !== undefined && variable.default !== null)
      variables[variable.name] = coerceToType(variable.default, variable.type);
  }
  return { runId, flowId, version, status: 'waiting', nodeId: null, steps: 0, variables };
}

/** What the waiting run waits for; states stored before `waitingFor` existed wait for input. */
function waitingFor(state: RunState): 'input' | 'effect' | 'start' | null {
  if (state.status !== 'waiting') return null;
  if (state.nodeId === null) return 'start';
  return state.waitingFor ?? 'input';
}

const unchanged = (state: RunState): StepResult => ({ state, effects: [], log: [] });

/**
 * Advances a run by one event. Never throws; failures are a `failed` state. Events the run is
 * not waiting for (a second `start`, an answer while an effect is pending, a result for another
 * node) leave it unchanged, so redelivery is harmless. The work of one event is bounded by the
 * step limit and by limits.ts and expr/size.ts (value, rendered text, scope and output sizes).
 */
export function step(state: RunState, event: EngineEvent, ctx: EngineContext): StepResult {
  try {
    return advance(state, event, ctx);
  } catch {
    // A bug, not a flow's doing: the caller still gets a failed run it can store and report.
    return crashed(state, ctx);
  }
}

function advance(state: RunState, event: EngineEvent, ctx: EngineContext): StepResult {
  const expecting = waitingFor(state);
  if (expecting === null) return unchanged(state);
  if (event.type === 'cancel') return cancel(state, event.reason, ctx);

  const run = new Run(state, ctx);
  if (event.type === 'start') {
    if (expecting !== 'start') return unchanged(state);
    return runFrom(run, ctx.flow.start);
  }
  if (expecting === 'start') return unchanged(state);
  const node = state.nodeId === null ? undefined : run.nodes.get(state.nodeId);
  if (!node) return run.finish('failed', RunError.unknownNode);

  let resumed: Resumed;
  if (event.type === 'input') {
    const form = node.type === 'capture_contact' || node.type === 'capture_company' ? node : null;
    const question =
      node.type === 'ask_question' ? node : node.type === 'post' ? postQuestion(node) : null;
    if (expecting !== 'input' || (!question && !form)) return unchanged(state);
    // The visitor's latest words, for templates and `ai_answer` later in this event.
    const system = (run.scope.system ?? {}) as Record<string, unknown>;
    run.scope.system = { ...system, last_utterance: event.text };
    resumed = form ? resumeForm(form, event, run) : resumeInput(question!, event, run);
  } else {
    if (expecting !== 'effect' || event.nodeId !== node.id) return unchanged(state);
    resumed = resumeEffect(node, event, run);
  }
  return continueAfter(run, node, resumed);
}

function continueAfter(run: Run, node: FlowNode, resumed: Resumed): StepResult {
  const durationMs = Math.max(0, run.ctx.now - (run.state.waitingSince ?? run.ctx.now));
  if (run.failure) return failAt(run, node, 0, durationMs);
  if ('retry' in resumed) {
    run.record(node, 'waiting', { error: resumed.error, durationMs });
    return run.wait(node.id, 'input', resumed.retry);
  }
  if ('fail' in resumed) {
    run.record(node, 'failed', { error: resumed.fail, durationMs });
    return run.finish('failed', resumed.fail);
  }
  const { outcome } = resumed;
  if ('wait' in outcome) {
    // A capture form's valid values: the node now waits for its contact/company write.
    run.record(node, 'waiting', { durationMs });
    return run.wait(node.id, outcome.wait);
  }
  run.record(node, 'completed', {
    durationMs,
    ...('go' in outcome ? { port: outcome.port } : {}),
    ...(resumed.choice !== undefined ? { choice: resumed.choice } : {}),
    ...(resumed.rating !== undefined ? { rating: resumed.rating } : {}),
    ...(resumed.error !== undefined ? { error: resumed.error } : {}),
  });
  return follow(run, outcome);
}

function follow(run: Run, outcome: Outcome): StepResult {
  if ('go' in outcome) return runFrom(run, outcome.go);
  return run.finish('completed');
}

/** Executes nodes from `next` until the run waits or ends, at most MAX_STEPS_PER_EVENT. */
function runFrom(run: Run, first: string | undefined): StepResult {
  let next = first;
  for (let count = 0; ; count++) {
    if (next === undefined) return run.finish('completed');
    const node = run.nodes.get(next);
    if (!node) return run.finish('failed', RunError.unknownNode);
    if (count >= MAX_STEPS_PER_EVENT) {
      run.record(node, 'failed', { error: RunError.stepLimit });
      return run.finish('failed', RunError.stepLimit);
    }
    const emitted = run.effects.length;
    const outcome = execute(node, run);
    run.steps++;
    if (run.failure) return failAt(run, node, emitted);
    if ('go' in outcome) {
      run.record(node, 'completed', { port: outcome.port });
      next = outcome.go;
    } else if ('wait' in outcome) {
      run.record(node, 'waiting');
      return run.wait(node.id, outcome.wait);
    } else {
      run.record(node, 'completed');
      return run.finish('completed');
    }
  }
}

/**
 * The node went past a limit (run.failure): what it emitted is dropped (no half-rendered
 * message), the node is logged as failed with the code and the run ends.
 */
function failAt(run: Run, node: FlowNode, emitted: number, durationMs = 0): StepResult {
  const error = run.failure ?? RunError.engineError;
  run.effects.length = emitted;
  run.record(node, 'failed', { error, durationMs });
  return run.finish('failed', error);
}

/** The failed state of a run whose step threw; its variables stay as they were. */
function crashed(state: RunState, ctx: EngineContext): StepResult {
  const failed: RunState = {
    runId: state.runId,
    flowId: state.flowId,
    version: state.version,
    status: 'failed',
    nodeId: null,
    steps: state.steps ?? 0,
    variables: state.variables,
    error: RunError.engineError,
  };
  const nodeId = state.nodeId;
  const node = nodeId === null ? undefined : ctx.flow?.nodes?.find?.((n) => n.id === nodeId);
  const log = node
    ? [
        {
          nodeId: node.id,
          nodeType: node.type,
          at: ctx.now,
          version: state.version,
          status: 'failed' as const,
          durationMs: 0,
          error: RunError.engineError,
        },
      ]
    : [];
  return { state: failed, effects: [], log };
}

function cancel(state: RunState, reason: string | undefined, ctx: EngineContext): StepResult {
  const run = new Run(state, ctx);
  const node = state.nodeId === null ? undefined : run.nodes.get(state.nodeId);
  if (node) run.record(node, 'cancelled', { error: reason ?? 'cancelled' });
  return run.finish('cancelled', reason ?? 'cancelled');
}
