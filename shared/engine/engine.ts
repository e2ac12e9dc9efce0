/**
 * The pure flow engine: `step(state, event, ctx) -> { state, effects, log }`.
 * Same inputs, same outputs — runs are replayable from their log.
 */
import type { FlowNode } from '../flow/schema.ts';
import { renderTemplate } from './template.ts';
import {
  type Effect,
  type EngineContext,
  type EngineEvent,
  MAX_STEPS_PER_EVENT,
  type RunState,
  type StepLog,
  type StepResult,
} from './types.ts';

/** Creates the state of a new run before its first event. */
export function newRun(
  runId: string,
  flowId: string,
  version: number,
  ctx: EngineContext,
): RunState {
  const variables: Record<string, unknown> = {};
  for (const variable of ctx.flow.variables) {
    if (variable.default !== undefined) variables[variable.name] = variable.default;
  }
  return { runId, flowId, version, status: 'waiting', nodeId: null, variables };
}

/** Advances a run by one event. Never throws for a valid flow; failures are a `failed` state. */
export function step(state: RunState, event: EngineEvent, ctx: EngineContext): StepResult {
  const effects: Effect[] = [];
  const log: StepLog[] = [];
  const nodes = new Map(ctx.flow.nodes.map((node) => [node.id, node]));
  let vars = state.variables;
  let next: string | undefined;

  if (event.type === 'start') {
    next = ctx.flow.start;
  } else {
    const waiting = state.nodeId ? nodes.get(state.nodeId) : undefined;
    if (state.status !== 'waiting' || !waiting || waiting.type !== 'ask_question') {
      return { state, effects, log };
    }
    if (event.type !== 'input') return { state, effects, log };
    const option = matchOption(waiting, event);
    if (!option) {
      // Not one of the offered answers: ask again, the run keeps waiting.
      effects.push(sayQuestion(waiting, { ...ctx.data, variable: vars }));
      return { state, effects, log };
    }
    if (waiting.saveTo) vars = assign(vars, waiting.saveTo, option.value);
    log.push(entry(waiting, ctx, state.version, 'completed'));
    next = option.next ?? waiting.next;
  }

  for (let count = 0; ; count++) {
    if (next === undefined) return done(state, vars, effects, log, 'completed');
    const node = nodes.get(next);
    if (!node) return done(state, vars, effects, log, 'failed', `unknown node ${next}`);
    if (count >= MAX_STEPS_PER_EVENT) {
      log.push(entry(node, ctx, state.version, 'failed', 'step_limit'));
      return done(state, vars, effects, log, 'failed', 'step_limit');
    }
    const data = { ...ctx.data, variable: vars };
    switch (node.type) {
      case 'send_message':
        effects.push({ type: 'say', nodeId: node.id, text: renderTemplate(node.text, data) });
        log.push(entry(node, ctx, state.version, 'completed'));
        next = node.next;
        break;
      case 'ask_question':
        effects.push(sayQuestion(node, data));
        log.push(entry(node, ctx, state.version, 'waiting'));
        return {
          state: { ...state, status: 'waiting', nodeId: node.id, variables: vars },
          effects,
          log,
        };
      case 'end':
        log.push(entry(node, ctx, state.version, 'completed'));
        return done(state, vars, effects, log, 'completed');
    }
  }
}

type AskQuestion = Extract<FlowNode, { type: 'ask_question' }>;

function matchOption(node: AskQuestion, event: Extract<EngineEvent, { type: 'input' }>) {
  const typed = event.text.trim().toLowerCase();
  const options = 'options' in node.input ? (node.input.options ?? []) : [];
  return options.find(
    (option) => option.value === event.value || option.label.toLowerCase() === typed,
  );
}

function sayQuestion(node: AskQuestion, data: Record<string, unknown>): Effect {
  return {
    type: 'say',
    nodeId: node.id,
    text: renderTemplate(node.text, data),
    choices: ('options' in node.input ? (node.input.options ?? []) : []).map(
      ({ label, value }) => ({
        label: renderTemplate(label, data),
        value,
      }),
    ),
    input: node.input.kind,
  };
}

function assign(vars: Record<string, unknown>, target: string, value: unknown) {
  const name = target.startsWith('variable.') ? target.slice('variable.'.length) : target;
  return { ...vars, [name]: value };
}

function entry(
  node: FlowNode,
  ctx: EngineContext,
  version: number,
  status: StepLog['status'],
  error?: string,
): StepLog {
  return {
    nodeId: node.id,
    nodeType: node.type,
    at: ctx.now,
    version,
    status,
    ...(error ? { error } : {}),
  };
}

function done(
  state: RunState,
  variables: Record<string, unknown>,
  effects: Effect[],
  log: StepLog[],
  status: 'completed' | 'failed',
  error?: string,
): StepResult {
  const final: RunState = {
    ...state,
    status,
    nodeId: null,
    variables,
    ...(error ? { error } : {}),
  };
  return { state: final, effects, log };
}
