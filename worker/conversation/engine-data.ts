/**
 * What the engine and trigger matching may see of a conversation, built from the facts the
 * ConversationObject keeps (pure: no storage, no clock).
 */
import { type OfficeHours, officeHoursSchema } from '../../shared/engine/office-hours.ts';
import { type HistoryMessage, systemNamespace } from '../../shared/engine/system-vars.ts';
import type { AgentInfo, EngineContext } from '../../shared/engine/types.ts';
import { utmOf } from '../../shared/flow/match.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import { resolveSettings } from '../../shared/flow/settings.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { PageInfo } from '../../shared/protocol.ts';

/** Pilot facts kept in the conversation so answering a waiting run needs no KV read. */
export interface PilotFacts {
  id: string;
  workspaceId: string;
  name: string;
  timezone: string;
  officeHours?: OfficeHours;
  fallbackMessage: string;
  /** Global pilot variables (`pilot.<name>`). */
  variables?: Record<string, unknown>;
}

const factsBySnapshot = new WeakMap<PilotSnapshot, { facts: PilotFacts; json: string }>();

/** The pilot facts of a snapshot, computed once per snapshot object (it is read-only). */
export function pilotFactsOf(snapshot: PilotSnapshot): PilotFacts {
  return memoFacts(snapshot).facts;
}

/** The same facts as stored in the conversation's meta (compared on every sync). */
export function pilotFactsJson(snapshot: PilotSnapshot): string {
  return memoFacts(snapshot).json;
}

function memoFacts(snapshot: PilotSnapshot) {
  let memo = factsBySnapshot.get(snapshot);
  if (!memo) {
    const facts = computeFacts(snapshot);
    memo = { facts, json: JSON.stringify(facts) };
    factsBySnapshot.set(snapshot, memo);
  }
  return memo;
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
