// In-process flow engine throughput: node steps per second of the pure `step()` from
// shared/engine (loaded as TypeScript through Node's type stripping), plus the validator's
// time on a 500-node flow once shared/flow/validate.ts exists.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/dev-server.mjs';

const { step, newRun } = await import('../../shared/engine/engine.ts');
const { flowSchema } = await import('../../shared/flow/schema.ts');

/** 200 nodes per event is the engine's per-event cap (SPEC 3.6 rule 7); stay just under it. */
const NODES_PER_EVENT = 199;

function chainFlow(kind) {
  const nodes = [];
  for (let i = 0; i < NODES_PER_EVENT; i++) {
    const id = `n${i}`;
    const next = i + 1 < NODES_PER_EVENT ? `n${i + 1}` : 'done';
    if (kind === 'send_message' || i % 3 === 2) {
      nodes.push({ id, type: 'send_message', text: 'Step {{variable.count}}', next });
    } else if (i % 3 === 0) {
      nodes.push({
        id,
        type: 'set_variable',
        assignments: [{ target: 'variable.count', op: 'increment', value: 1 }],
        next,
      });
    } else {
      nodes.push({
        id,
        type: 'condition',
        branches: [{ when: { field: 'variable.count', op: 'gte', value: 0 }, next }],
        else: next,
      });
    }
  }
  nodes.push({ id: 'done', type: 'end' });
  return flowSchema.parse({
    schemaVersion: 1,
    name: `bench ${kind}`,
    pilotId: 'pilot_bench',
    trigger: { type: 'new_conversation' },
    variables: [{ name: 'count', type: 'number', default: 0 }],
    start: 'n0',
    nodes,
  });
}

/** Runs `events` start events through a fresh run each; returns node steps/s (best of rounds). */
function measure(flow, { events = 2_000, rounds = 5 } = {}) {
  const ctx = { flow, now: 1_700_000_000_000, data: { pilot: { name: 'Bench' } } };
  const probe = step(newRun('run_probe', 'flow_bench', 1, ctx), { type: 'start' }, ctx);
  const executed = probe.log.length;
  if (probe.state.status === 'failed' || executed < NODES_PER_EVENT) {
    return { ok: false, reason: `engine ran ${executed} nodes, status ${probe.state.status}` };
  }
  let best = 0;
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < events; i++) {
      step(newRun(`run_${i}`, 'flow_bench', 1, ctx), { type: 'start' }, ctx);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    best = Math.max(best, (events * executed) / seconds);
  }
  return { ok: true, stepsPerSecond: Math.round(best), nodesPerEvent: executed };
}

export async function benchEngine() {
  const result = { sendMessageChain: null, mixed: null, validator500: null };
  result.sendMessageChain = measure(chainFlow('send_message'));
  try {
    result.mixed = measure(chainFlow('mixed'));
  } catch (error) {
    result.mixed = { ok: false, reason: String(error.message ?? error).slice(0, 200) };
  }
  result.validator500 = await benchValidator();
  return result;
}

/** A 500-node flow (branches, variables, templates) through `validateFlow`, median of 20. */
async function benchValidator() {
  const file = join(root, 'shared/flow/validate.ts');
  if (!existsSync(file)) return { ok: false, reason: 'shared/flow/validate.ts does not exist yet' };
  const mod = await import('../../shared/flow/validate.ts');
  if (typeof mod.validateFlow !== 'function') {
    return { ok: false, reason: 'validateFlow is not exported yet' };
  }
  const nodes = [];
  for (let i = 0; i < 499; i++) {
    const next = `n${i + 1}`;
    nodes.push(
      i % 2 === 0
        ? { id: `n${i}`, type: 'send_message', text: `Hello {{variable.count}} ${i}`, next }
        : {
            id: `n${i}`,
            type: 'condition',
            branches: [{ when: { field: 'variable.count', op: 'gt', value: i }, next }],
            else: next,
          },
    );
  }
  nodes.push({ id: 'n499', type: 'end' });
  const flow = flowSchema.parse({
    schemaVersion: 1,
    name: 'bench validator',
    pilotId: 'pilot_bench',
    trigger: { type: 'new_conversation' },
    variables: [{ name: 'count', type: 'number', default: 0 }],
    start: 'n0',
    nodes,
  });
  const times = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    mod.validateFlow(flow);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { ok: true, medianMs: round2(times[10]), nodes: nodes.length };
}

function round2(n) {
  return Math.round(n * 100) / 100;
}
