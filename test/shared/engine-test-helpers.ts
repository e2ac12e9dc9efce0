/** Builders shared by the engine and flow tests (not a test file itself). */
import { newRun, step } from '../../shared/engine/engine.ts';
import type {
  Effect,
  EngineContext,
  EngineEvent,
  RunState,
  StepLog,
} from '../../shared/engine/types.ts';
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';

export const NOW = Date.parse('2026-11-24T10:00:00Z');

/** A schema-parsed flow with the given nodes (start = the first node unless given). */
export function makeFlow(nodes: unknown[], extra: Record<string, unknown> = {}): Flow {
  return flowSchema.parse({
    schemaVersion: 1,
    name: 'Test flow',
    pilotId: 'p1',
    trigger: { type: 'new_conversation' },
    start: (nodes[0] as { id: string }).id,
    nodes,
    ...extra,
  });
}

export function makeCtx(flow: Flow, extra: Partial<EngineContext> = {}): EngineContext {
  return { flow, now: NOW, data: {}, conversationId: 'conv-1', ...extra };
}

export interface Played {
  state: RunState;
  effects: Effect[];
  says: string[];
  log: StepLog[];
}

/** Starts a run and feeds it events, collecting everything it produced. */
export function play(
  flow: Flow,
  events: EngineEvent[] = [],
  extra: Partial<EngineContext> = {},
): Played {
  const ctx = makeCtx(flow, extra);
  let state = newRun('run-1', 'flow-1', 1, ctx);
  const effects: Effect[] = [];
  const log: StepLog[] = [];
  for (const event of [{ type: 'start' } as EngineEvent, ...events]) {
    const result = step(state, event, ctx);
    state = result.state;
    effects.push(...result.effects);
    log.push(...result.log);
  }
  const says = effects.flatMap((e) => (e.type === 'say' ? [e.text] : []));
  return { state, effects, says, log };
}

export const input = (text: string, value?: string): EngineEvent => ({
  type: 'input',
  text,
  ...(value !== undefined ? { value } : {}),
});

export const result = (nodeId: string, ok: boolean, data?: unknown): EngineEvent => ({
  type: 'effect_result',
  nodeId,
  ok,
  ...(data !== undefined ? { data } : {}),
});

export const say = (id: string, text: string, next?: string) => ({
  id,
  type: 'send_message',
  text,
  ...(next ? { next } : {}),
});
