/**
 * What the engine and trigger matching may see of a conversation, built from the facts the
 * ConversationObject keeps, the trigger data a run sees, and which flow a trigger starts
 * (pure, but for the PilotObject claim `chooseFlow` is handed).
 */

import { type HistoryMessage, systemNamespace } from '../../shared/engine/system-vars.ts';
import type { AgentInfo, EngineContext } from '../../shared/engine/types.ts';
import { officeHoursSchema } from '../../shared/expr/office-hours.ts';
import {
  type PublishedFlow,
  selectFlow,
  type TriggerInput,
  utmOf,
} from '../../shared/flow/match.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import { resolveSettings } from '../../shared/flow/settings.ts';
import type { RunHistory } from '../../shared/flow/settings-check.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { PageInfo } from '../../shared/protocol.ts';
import type { ConversationState, PilotFacts } from './storage.ts';

const factsBySnapshot = new WeakMap<PilotSnapshot, PilotFacts>();

/**
 * The pilot facts of a snapshot, computed once per snapshot object (it is read-only); the same
 * object each time, so storing them on every sync encodes them once.
 */
export function pilotFactsOf(snapshot: PilotSnapshot): PilotFacts {
  let facts = factsBySnapshot.get(snapshot);
  if (!facts) {
    facts = computeFacts(snapshot);
    factsBySnapshot.set(snapshot, facts);
  }
  return facts;
}

function computeFacts(snapshot: PilotSnapshot): PilotFacts {
  const settings = snapshot.pilot.settings as PilotSnapshot['pilot']['settings'] & {
    officeHours?: unknown;
  };
  const hours = officeHoursSchema.safeParse(settings.officeHours);
  return {
    id: snapshot.pilot.id,
    workspaceId: snapshot.pilot.workspaceId,
    name: snapshot.pilot.name,
    timezone: settings.timezone,
    ...(hours.success && settings.officeHours !== undefined ? { officeHours: hours.data } : {}),
    fallbackMessage: settings.fallbackMessage,
    ...(snapshot.pilot.variables ? { variables: snapshot.pilot.variables } : {}),
  };
}

export interface ConversationFacts {
  conversationId: string;
  visitorId: string;
  userId: string | null;
  page: PageInfo | null;
  contact: Record<string, unknown>;
  /** The contact's company as last captured/updated in this conversation (`company.*`). */
  company?: Record<string, unknown>;
  status: string;
  mode: string;
  locale?: string;
  visitCount: number;
  /** The latest messages, oldest first, for `system.last_*` and `conversation_history`. */
  history?: HistoryMessage[];
}

/**
 * The facts the engine sees, from the conversation's state and latest messages; `page` is a
 * page view not yet stored (it counts as a visit).
 */
export function conversationFacts(
  state: ConversationState,
  history: HistoryMessage[],
  page?: PageInfo | null,
): ConversationFacts {
  return {
    conversationId: state.conversationId ?? '',
    visitorId: state.visitorId ?? '',
    userId: state.userId,
    page: page ?? state.page,
    contact: state.contact,
    company: state.company,
    status: state.status,
    mode: state.mode,
    visitCount: state.visits + (page ? 1 : 0),
    // `system.conversation_history` (last 10), `last_utterance`, `last_response`.
    history,
    ...(state.locale ? { locale: state.locale } : {}),
  };
}

/** Condition/template data by namespace (SPEC 3.5 "Conditions"). */
export function conversationData(
  facts: ConversationFacts,
  pilot: PilotFacts | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const url = facts.page?.url ?? '';
  const utm = facts.page?.utm ?? utmOf(url);
  const visitor: Record<string, unknown> = {
    page_url: url,
    page_title: facts.page?.title ?? '',
    referrer: facts.page?.referrer ?? '',
    is_identified: facts.userId !== null,
    visit_count: facts.visitCount,
    is_returning: facts.visitCount > 1,
  };
  for (const [key, value] of Object.entries(utm)) visitor[`utm_${key}`] = value;
  return {
    visitor,
    contact: { ...(facts.userId ? { id: facts.userId } : {}), ...facts.contact },
    company: { ...facts.company },
    conversation: { id: facts.conversationId, status: facts.status, mode: facts.mode },
    pilot: pilot ? { ...pilot.variables, name: pilot.name, id: pilot.id } : {},
    system: systemNamespace({
      messages: facts.history ?? [],
      conversationUserId: facts.visitorId,
      ...(facts.locale ? { locale: facts.locale } : {}),
    }),
    ...extra,
  };
}

export function engineContext(
  flow: Flow,
  now: number,
  facts: ConversationFacts,
  pilot: PilotFacts | null,
  agents: AgentInfo[] | undefined,
  extra: Record<string, unknown> = {},
): EngineContext {
  return {
    flow,
    now,
    data: conversationData(facts, pilot, extra),
    conversationId: facts.conversationId,
    timezone: pilot?.timezone ?? 'UTC',
    ...(pilot?.officeHours ? { officeHours: pilot.officeHours } : {}),
    ...(agents ? { agents } : {}),
    ...(facts.locale ? { locale: facts.locale } : {}),
  };
}

const AGENT_NODES = new Set(['check_availability', 'assign', 'handover']);
const usesAgents = new WeakMap<Flow, boolean>();

/** Whether running this flow needs agent presence (nodes or conditions about agents). */
export function flowNeedsAgents(flow: Flow): boolean {
  let known = usesAgents.get(flow);
  if (known === undefined) {
    known =
      flow.nodes.some((node) => AGENT_NODES.has(node.type)) ||
      JSON.stringify(flow).includes('agents.');
    usesAgents.set(flow, known);
  }
  return known;
}

/** Whether choosing this flow needs agent presence (availability setting). */
export function settingsNeedAgents(flow: Flow): boolean {
  return resolveSettings(flow.settings).availability.mode !== 'ignore';
}

/** `frequency: once` and cooldowns are claimed in the PilotObject (exact across conversations). */
export function claimNeeded(flow: Flow): { once: boolean; cooldownMs: number } | null {
  const settings = resolveSettings(flow.settings);
  const cooldownMs = (settings.cooldownSeconds ?? 0) * 1000;
  if (settings.frequency !== 'once' && cooldownMs === 0) return null;
  return { once: settings.frequency === 'once', cooldownMs };
}

/**
 * What a run started by this trigger sees under `event.*`, `intent.*`, `entity.*`. Kept with
 * the run (its `extra` column) so later steps and retries resolve them the same way.
 */
export function triggerExtra(input: TriggerInput): Record<string, unknown> {
  if (input.type === 'event')
    return { event: { ...(input.props ?? {}), name: input.name, props: input.props ?? {} } };
  if (input.type === 'intent_detected')
    return {
      intent: { name: input.intent, confidence: input.confidence },
      entity: input.entities ?? {},
    };
  return {};
}

export interface SelectionInput {
  flows: readonly PublishedFlow[];
  input: TriggerInput;
  now: number;
  data: Record<string, unknown>;
  identified: boolean;
  pilot: PilotFacts;
  agents: AgentInfo[] | undefined;
  /** This conversation's own knowledge of past runs (saves a PilotObject call). */
  history: (flowId: string) => RunHistory | undefined;
  /** Atomic claim in the PilotObject; true when the run may start. */
  claim: (flowId: string, rule: { once: boolean; cooldownMs: number }) => Promise<boolean>;
}

/**
 * Which flow a trigger starts in this conversation (SPEC 3.6 rule 1): the engine helper's pure
 * matching and settings filter, fed with this conversation's facts, then the exact
 * `frequency: once` / cooldown claim in the PilotObject for the winner. A refused claim
 * removes that flow and the next-best candidate is tried.
 */
export async function chooseFlow(options: SelectionInput): Promise<PublishedFlow | null> {
  let candidates = options.flows.filter((f) => f.flow.trigger.type === options.input.type);
  while (candidates.length > 0) {
    const chosen = selectFlow(candidates, options.input, {
      now: options.now,
      data: options.data,
      identified: options.identified,
      history: options.history,
      timezone: options.pilot.timezone,
      ...(options.pilot.officeHours ? { officeHours: options.pilot.officeHours } : {}),
      ...(options.agents ? { agents: options.agents } : {}),
    });
    if (!chosen) return null;
    const rule = claimNeeded(chosen.flow);
    if (!rule || (await options.claim(chosen.flowId, rule))) return chosen;
    candidates = candidates.filter((f) => f.flowId !== chosen.flowId);
  }
  return null;
}
