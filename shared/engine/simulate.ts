/**
 * Simulation (issue 3): runs a flow against scripted visitor events and stubbed effect results,
 * touching nothing real. Trigger and execution settings are evaluated too, so an admin sees
 * why a flow would not start. Deterministic: the clock starts at `context.now` and advances one
 * second per event.
 */

import type { OfficeHours } from '../expr/office-hours.ts';
import { sizeWithin } from '../expr/size.ts';
import { evaluateCandidate, type TriggerInput, utmOf } from '../flow/match.ts';
import type { Flow } from '../flow/schema.ts';
import { newRun, step } from './engine.ts';
import { MAX_SCOPE_CHARS, MAX_SIMULATE_RESPONSE_CHARS } from './limits.ts';
import {
  type ParsedSimulateRequest,
  type SimulateEvent,
  type SimulateRequest,
  type SimulateResult,
  type StubResult,
  simulateRequestSchema,
} from './simulate-schema.ts';
import { transcriptText } from './transcript.ts';
import type {
  AgentInfo,
  Effect,
  EngineContext,
  EngineEvent,
  RunState,
  StepResult,
} from './types.ts';

export * from './simulate-schema.ts';

/** Pilot settings the simulation uses when the caller has them. */
export interface SimulatePilot {
  name?: string;
  timezone?: string;
  officeHours?: OfficeHours;
  /** Pilot globals (`pilot.*`), overridden by `context.pilot`. */
  variables?: Record<string, unknown>;
}

const DEFAULT_NOW = Date.parse('2026-01-01T12:00:00Z');
const MAX_EFFECT_ROUNDS = 200;

interface Sim {
  flow: Flow;
  ctx: Omit<EngineContext, 'data'>;
  data: Record<string, Record<string, unknown>>;
  stubs: Map<string, StubResult[]>;
  run: RunState | null;
  runs: number;
  /** The visitor ran this flow before the simulation (frequency: once). */
  ranBefore: boolean;
  lastRunAt?: number;
  out: SimulateResult;
  rejection?: { code: string; message: string };
  /** Buttons of the last question, to turn a scripted choice into label + value. */
  choices: { label: string; value: string }[];
  /** Characters of `out` so far; the simulation stops once the next part would not fit. */
  size: number;
  full: boolean;
}

/** What the transcript, effects and log may take: the rest is kept for the final variables. */
const OUT_BUDGET = MAX_SIMULATE_RESPONSE_CHARS - MAX_SCOPE_CHARS - 1024;

/** Counts `part` against the response budget; false (and the simulation stops) when over. */
function fits(sim: Sim, part: unknown): boolean {
  if (sim.full) return false;
  const size = sizeWithin(part, OUT_BUDGET - sim.size);
  if (size === null) sim.full = true;
  else sim.size += size;
  return !sim.full;
}

export function simulateFlow(
  flow: Flow,
  request: SimulateRequest,
  pilot: SimulatePilot = {},
): SimulateResult {
  const out: SimulateResult = {
    status: 'not_triggered',
    path: [],
    transcript: [],
    effects: [],
    variables: {},
    errors: [],
    log: [],
  };
  const parsed = simulateRequestSchema.safeParse(request);
  if (!parsed.success) {
    out.status = 'failed';
    out.errors = parsed.error.issues.map((i) => ({
      code: 'invalid_request',
      message: `${i.path.join('.')}: ${i.message}`,
    }));
    return out;
  }
  const sim = createSim(flow, parsed.data, pilot, out);
  try {
    for (const event of parsed.data.events) {
      if (sim.full) break;
      handle(sim, event);
      sim.ctx.now += 1000;
    }
  } catch {
    // The engine never throws; this is for the simulation's own code. Never a 500.
    out.status = 'failed';
    out.errors.push({ code: 'simulation_error', message: 'The simulation stopped unexpectedly' });
    return out;
  }
  if (sim.full) {
    out.status = 'failed';
    out.errors.push({
      code: 'response_too_large',
      message: `The simulation stopped: its result would pass ${MAX_SIMULATE_RESPONSE_CHARS} characters`,
    });
    if (sim.run) out.variables = sim.run.variables;
  } else if (sim.runs === 0) {
    out.status = 'not_triggered';
    out.reason = sim.rejection ?? {
      code: 'no_trigger_event',
      message: `No event of type ${flow.trigger.type} was sent`,
    };
  } else if (sim.run) {
    out.status = sim.run.status;
    out.variables = sim.run.variables;
  }
  return out;
}

function createSim(
  flow: Flow,
  request: ParsedSimulateRequest,
  pilot: SimulatePilot,
  out: SimulateResult,
): Sim {
  const context = request.context;
  const agents: AgentInfo[] =
    context.agents ??
    (context.agentsAvailable === undefined
      ? []
      : [{ id: 'agent_sim', available: context.agentsAvailable }]);
  const stubs = new Map<string, StubResult[]>();
  for (const [nodeId, stub] of Object.entries(context.effectResults ?? {}))
    stubs.set(nodeId, Array.isArray(stub) ? [...stub] : [stub]);
  return {
    flow,
    stubs,
    out,
    run: null,
    choices: [],
    runs: 0,
    size: 0,
    full: false,
    ranBefore: context.alreadyRan ?? false,
    ...(context.lastRunAt ? { lastRunAt: Date.parse(context.lastRunAt) } : {}),
    ctx: {
      flow,
      now: context.now ? Date.parse(context.now) : DEFAULT_NOW,
      conversationId: context.conversationId ?? 'sim-conversation',
      agents,
      ...(context.timezone || pilot.timezone
        ? { timezone: context.timezone ?? pilot.timezone }
        : {}),
      ...(context.officeHours || pilot.officeHours
        ? { officeHours: context.officeHours ?? pilot.officeHours }
        : {}),
      ...(context.locale ? { locale: context.locale } : {}),
    },
    data: {
      contact: { ...context.contact },
      company: { ...context.company },
      visitor: { ...context.visitor },
      conversation: { id: context.conversationId ?? 'sim-conversation', ...context.conversation },
      pilot: { name: pilot.name ?? 'Simulated pilot', ...pilot.variables, ...context.pilot },
      system: {
        conversation_user_id: 'sim-visitor',
        conversation_history: [],
        locale: context.locale ?? 'en',
      },
    },
  };
}

function engineContext(sim: Sim): EngineContext {
  return { ...sim.ctx, data: sim.data };
}

type Rich = Pick<SimulateResult['transcript'][number], 'image' | 'links' | 'cards' | 'post'>;

function remember(
  sim: Sim,
  author: 'pilot' | 'visitor',
  text: string,
  choices?: string[],
  nodeId?: string,
  rich: Rich = {},
): void {
  const entry = {
    author,
    text,
    ...(choices ? { choices } : {}),
    ...(nodeId ? { nodeId } : {}),
    ...(rich.image ? { image: rich.image } : {}),
    ...(rich.links ? { links: rich.links } : {}),
    ...(rich.cards ? { cards: rich.cards } : {}),
    ...(rich.post ? { post: rich.post } : {}),
  };
  if (!fits(sim, entry)) return;
  sim.out.transcript.push(entry);
  const history = [
    ...((sim.data.system?.conversation_history as unknown[]) ?? []),
    { author, text },
  ].slice(-10);
  sim.data.system = {
    ...sim.data.system,
    conversation_history: history,
    ...(author === 'pilot' ? { last_response: text } : { last_utterance: text }),
  };
}

function handle(sim: Sim, event: SimulateEvent): void {
  const waiting = sim.run?.status === 'waiting' && sim.run.waitingFor === 'input';
  switch (event.type) {
    case 'page_view':
      sim.data.visitor = {
        ...sim.data.visitor,
        page_url: event.url,
        page_title: event.title ?? '',
        referrer: event.referrer ?? '',
        ...prefixed(utmOf(event.url)),
      };
      trigger(sim, { type: 'page_visited', url: event.url });
      return;
    case 'event':
      trigger(sim, { type: 'event', name: event.name, props: event.props ?? {} });
      return;
    case 'new_conversation':
      trigger(sim, { type: 'new_conversation' });
      return;
    case 'message':
      remember(sim, 'visitor', event.text);
      if (waiting) advance(sim, { type: 'input', text: event.text });
      else if (event.intent)
        trigger(sim, {
          type: 'intent_detected',
          intent: event.intent.name,
          confidence: event.intent.confidence,
          ...(event.entities ? { entities: event.entities } : {}),
        });
      return;
    case 'form': {
      remember(sim, 'visitor', formText(event.values));
      if (waiting)
        advance(sim, { type: 'input', text: formText(event.values), form: event.values });
      return;
    }
    case 'choice': {
      const wanted = event.value.toLowerCase();
      const picked =
        sim.choices.find((c) => c.value === event.value) ??
        sim.choices.find((c) => c.label.toLowerCase() === wanted);
      remember(sim, 'visitor', picked?.label ?? event.value);
      if (waiting)
        advance(sim, {
          type: 'input',
          text: picked?.label ?? event.value,
          value: picked?.value ?? event.value,
        });
    }
  }
}

/** How a sent form reads in the transcript: `name: value` per filled field. */
export const formText = (values: Record<string, string>) =>
  Object.entries(values)
    .filter(([, value]) => value.trim() !== '')
    .map(([name, value]) => `${name}: ${value.trim()}`)
    .join('\n');

const prefixed = (utm: Record<string, string>) =>
  Object.fromEntries(Object.entries(utm).map(([k, v]) => [`utm_${k}`, v]));

function trigger(sim: Sim, input: TriggerInput): void {
  if (sim.run?.status === 'waiting') return;
  if (sim.flow.trigger.type !== input.type) return;
  const check = evaluateCandidate({ flowId: 'simulated', version: 1, flow: sim.flow }, input, {
    now: sim.ctx.now,
    data: sim.data,
    history: () => ({
      alreadyRan: sim.ranBefore || sim.runs > 0,
      ...(sim.lastRunAt !== undefined ? { lastRunAt: sim.lastRunAt } : {}),
    }),
    ...(sim.ctx.timezone ? { timezone: sim.ctx.timezone } : {}),
    ...(sim.ctx.officeHours ? { officeHours: sim.ctx.officeHours } : {}),
    agents: sim.ctx.agents ?? [],
  });
  if (!check.ok) {
    sim.rejection = { code: check.code, message: check.message };
    return;
  }
  if (input.type === 'event')
    sim.data.event = { ...input.props, name: input.name, props: input.props ?? {} };
  if (input.type === 'intent_detected') {
    sim.data.intent = { name: input.intent, confidence: input.confidence };
    sim.data.entity = { ...input.entities };
  }
  sim.runs++;
  sim.lastRunAt = sim.ctx.now;
  sim.run = newRun(`sim-run-${sim.runs}`, 'simulated', 1, engineContext(sim));
  advance(sim, { type: 'start' });
}

/** Steps the run, then answers every awaited effect from the stubs until it waits or ends. */
function advance(sim: Sim, first: EngineEvent): void {
  let event: EngineEvent | null = first;
  for (let round = 0; event && sim.run && !sim.full && round < MAX_EFFECT_ROUNDS; round++) {
    const before: RunState = sim.run;
    const result: StepResult = step(before, event, engineContext(sim));
    sim.run = result.state;
    record(sim, before, result);
    event = null;
    for (const effect of result.effects) {
      if (effect.type === 'say') {
        if (effect.choices) sim.choices = effect.choices;
        // A capture form is an effect an admin should see: which fields, and any errors.
        if (effect.form) {
          const form = {
            type: 'form',
            nodeId: effect.nodeId,
            fields: effect.form,
            ...(effect.errors ? { errors: effect.errors } : {}),
          };
          if (fits(sim, form)) sim.out.effects.push(form);
        }
        remember(
          sim,
          'pilot',
          effect.text,
          effect.choices?.map((c) => c.label),
          effect.nodeId,
          { image: effect.image, links: effect.links, cards: effect.cards, post: effect.post },
        );
        continue;
      }
      const awaited = effect.awaitResult ? stubFor(sim, effect) : null;
      // The email shows the body the worker would send: the transcript so far.
      const body =
        effect.type === 'email_conversation' ? { body: transcriptText(sim.out.transcript) } : {};
      const shown = { ...effect, ...body, ...(awaited ? { result: awaited } : {}) };
      if (fits(sim, shown)) sim.out.effects.push(shown);
      if (effect.type === 'update_contact' || effect.type === 'capture_contact')
        sim.data.contact = { ...sim.data.contact, ...effect.fields };
      if (effect.type === 'update_company' || effect.type === 'capture_company')
        sim.data.company = { ...sim.data.company, ...effect.fields };
      if (awaited) event = awaited;
    }
  }
}

function record(sim: Sim, before: RunState, result: StepResult): void {
  const last = result.log.length - 1;
  result.log.forEach((entry, index) => {
    // The engine reports variables once per turn: the turn's last step carries them, so the
    // editor's test panel can show the variables after each step the run paused or ended on.
    // They count against the output budget like everything else.
    const logged =
      index === last ? { ...entry, variables: { ...result.state.variables } } : { ...entry };
    if (!fits(sim, logged)) return;
    sim.out.log.push(logged);
    const resumed = index === 0 && before.nodeId === entry.nodeId;
    if (!resumed && entry.status !== 'cancelled') sim.out.path.push(entry.nodeId);
  });
  const state = result.state;
  if (state.status === 'failed' && before.status !== 'failed')
    sim.out.errors.push({
      code: state.error ?? 'failed',
      message: `The run failed: ${state.error ?? 'unknown error'}`,
      ...(result.log.at(-1) ? { nodeId: result.log.at(-1)?.nodeId as string } : {}),
    });
}

/** The stubbed (or default) result for an awaited effect, as an engine event. */
function stubFor(sim: Sim, effect: Exclude<Effect, { type: 'say' }>): EngineEvent {
  const queue = sim.stubs.get(effect.nodeId);
  const stub: StubResult = (queue && queue.length > 1 ? queue.shift() : queue?.[0]) ?? {};
  const agentsUp = (sim.ctx.agents ?? []).some((agent) => agent.available);
  let ok = stub.ok;
  if (ok === undefined && stub.status !== undefined) ok = stub.status >= 200 && stub.status < 300;
  if (ok === undefined)
    ok = effect.type === 'assign' || effect.type === 'handover' ? agentsUp : true;
  const data: Record<string, unknown> = {};
  if (effect.type === 'http_request')
    Object.assign(data, { status: stub.status ?? (ok ? 200 : 500), body: stub.body ?? {} });
  if (effect.type === 'ai_answer')
    Object.assign(data, {
      outcome: stub.outcome ?? (stub.text ? 'answered' : 'no_answer'),
      ...(stub.text ? { text: stub.text } : {}),
    });
  if (stub.userId) data.userId = stub.userId;
  return {
    type: 'effect_result',
    nodeId: effect.nodeId,
    ok,
    data,
    ...(stub.error ? { error: stub.error } : {}),
  };
}
