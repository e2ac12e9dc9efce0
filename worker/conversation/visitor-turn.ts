/**
 * A visitor's frame as a turn, in two halves: `prepareVisitorTurn` does every `await` (the
 * pilot snapshot, agent presence, intent detection and the default answer, the PilotObject
 * claim that decides which triggered flow may start) and writes nothing; `applyVisitorTurn`
 * is the synchronous commit that stores what the frame says and routes the visitor's words.
 * The routing rule — the waiting question first, else a flow an intent starts, else the
 * pilot's answer — is the two functions `prepareWords` and `routeWords`, side by side below.
 */
import { z } from 'zod';
import { citationLinks, entitiesToRecord } from '../../shared/ai/runtime-adapters.ts';
import type { AgentInfo, EngineEvent } from '../../shared/engine/types.ts';
import { ErrorCode } from '../../shared/errors.ts';
import type { TriggerInput } from '../../shared/flow/match.ts';
import { DEFAULT_HANDOVER_MESSAGE } from '../../shared/flow/nodes.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import {
  type ClientFrame,
  errorFrame,
  type PageInfo,
  type ServerFrame,
} from '../../shared/protocol.ts';
import type { PilotAI } from '../ai/pilot-ai.ts';
import type { AppEnv } from '../env.ts';
import { isFlowPublished } from '../store/flows.ts';
import { mergeContact } from './contact-attributes.ts';
import {
  chooseFlow,
  conversationData,
  conversationFacts,
  flowNeedsAgents,
  pilotFactsOf,
  settingsNeedAgents,
  triggerExtra,
} from './engine-data.ts';
import type { PilotResources } from './pilot-resources.ts';
import { advanceRun, failRun, failStart, type Start, startRun, syncPilot } from './runs.ts';
import { type ConversationStorage, pilotIsQuiet, subjectOf } from './storage.ts';
import type { Turn, Turns } from './turn.ts';

export type VisitorFrame = Exclude<ClientFrame, { type: 'hello' }>;
export type Reply = (frame: ServerFrame) => void;

/** What a turn's prepare needs: the awaits' sources and the typing indicator. */
export interface PrepareContext {
  env: AppEnv;
  store: ConversationStorage;
  resources: PilotResources;
  turns: Turns;
}

/**
 * What a `message`, `choice` or `form` frame says, read once per frame (prepare, commit and a
 * failed turn's record all use it): the text the transcript shows and the engine's event, or
 * why the frame is refused (it answers nothing the pilot asked).
 */
export type Words = { text: string; event: EngineEvent } | { refused: string };

export function wordsOf(store: ConversationStorage, frame: VisitorFrame): Words | null {
  switch (frame.type) {
    case 'message':
      return { text: frame.text, event: { type: 'input', text: frame.text } };
    case 'choice': {
      const asked = store.message(frame.seq);
      const choice =
        asked?.author === 'pilot' ? asked.choices?.find((c) => c.value === frame.value) : undefined;
      if (!choice) return { refused: 'Unknown choice' };
      return {
        text: choice.label,
        event: { type: 'input', text: choice.label, value: choice.value },
      };
    }
    case 'form': {
      const form = formOf(store, frame);
      if (!form) return { refused: 'seq: that message shows no form' };
      return { text: form.text, event: { type: 'input', text: form.text, form: form.values } };
    }
    default:
      return null;
  }
}

/**
 * The form a `form` frame answers (the pilot message at `seq` must show one) and how the sent
 * values read in the log: `Label: value` per filled field the form asked (others are dropped).
 */
function formOf(
  store: ConversationStorage,
  frame: Extract<ClientFrame, { type: 'form' }>,
): { text: string; values: Record<string, string> } | undefined {
  const asked = store.message(frame.seq);
  if (asked?.author !== 'pilot' || !asked.form) return undefined;
  const values: Record<string, string> = {};
  const lines: string[] = [];
  for (const field of asked.form) {
    const value = frame.values[field.name]?.trim();
    if (value === undefined) continue;
    values[field.name] = value;
    if (value) lines.push(`${field.label}: ${value}`);
  }
  return { text: lines.join('\n') || '—', values };
}

/** What a turn's prepare found out; the commit applies it without awaiting anything. */
export interface Prepared {
  snapshot: PilotSnapshot | null;
  start: Start | null;
  agents: AgentInfo[] | undefined;
  answer: string | null;
  /** The default answer's sources, shown as links under it. */
  answerLinks?: { label: string; url: string }[];
  /** The default answer found a "talk to a human" request and an agent is available. */
  handover?: boolean;
  /**
   * The waiting run this answer was meant for, whose flow is no longer published: the commit
   * cancels it (`unpublished`) and routes the words as if no run waited.
   */
  unpublishedRun?: string;
  /** Nobody is available for a "talk to a human" request: the answer asks for an email. */
  offerEmail?: boolean;
  /** The visitor answered that offer with an email address: stored as `contact.email`. */
  contactEmail?: string;
  /**
   * The knowledge had no answer: the pilot's unanswered list gets the question. A flag on the
   * visitor's message row, not an event row of its own (the outbox sends it with the turn's
   * events: `EventOutbox`).
   */
  unanswered?: boolean;
}
export const NOTHING: Prepared = { snapshot: null, start: null, agents: undefined, answer: null };
/** Said when a visitor asks for a person and nobody is available: honest, and not a dead end. */
export const NO_AGENT_TEXT =
  "Nobody from the team is available right now. Leave your email and someone will get back to you. Meanwhile I'll keep answering your questions here.";
const emailSchema = z.email().max(254);
const thanksText = (email: string) =>
  `Thanks! Someone from the team will write to you at ${email}. Anything else I can help with?`;

// ---- prepare: every await of the turn, no writes ----

export async function prepareVisitorTurn(
  c: PrepareContext,
  frame: VisitorFrame,
  words: Words | null,
): Promise<Prepared> {
  if (pilotIsQuiet(c.store.state) && frame.type !== 'identify') return NOTHING;
  switch (frame.type) {
    case 'identify':
      return NOTHING;
    case 'page_view': {
      if (c.store.activeRun() || c.store.state.lastPageUrl === frame.page.url)
        return withSnapshot(c);
      return prepareTrigger(c, { type: 'page_visited', url: frame.page.url }, frame.page);
    }
    case 'event': {
      if (c.store.activeRun()) return withSnapshot(c);
      const input: TriggerInput = {
        type: 'event',
        name: frame.name,
        ...(frame.props ? { props: frame.props } : {}),
      };
      return prepareTrigger(c, input, null);
    }
    default:
      return words ? prepareWords(c, words) : NOTHING;
  }
}

/** The flow `input` starts here, if any, chosen and claimed (SPEC 3.6 rule 1). */
export async function prepareTrigger(
  c: PrepareContext,
  input: TriggerInput,
  page: PageInfo | null,
  loaded?: PilotSnapshot | null,
  /** A waiting run this turn cancels (unpublished): it does not block a new start. */
  ending?: string,
): Promise<Prepared> {
  const snapshot = loaded ?? (await c.resources.snapshot());
  const active = c.store.activeRun();
  if (!snapshot || (active && active.state.runId !== ending)) return { ...NOTHING, snapshot };
  const pilot = pilotFactsOf(snapshot);
  const flows = snapshot.flows.filter((f) => f.flow.trigger.type === input.type);
  if (flows.length === 0) return { ...NOTHING, snapshot };
  const needsAgents = flows.some((f) => settingsNeedAgents(f.flow) || flowNeedsAgents(f.flow));
  const agents = needsAgents ? await c.resources.agents() : undefined;
  const now = Date.now();
  const state = c.store.state;
  const facts = conversationFacts(state, c.store.history(), page);
  const extra = triggerExtra(input);
  const chosen = await chooseFlow({
    flows,
    input,
    now,
    data: conversationData(facts, pilot, extra),
    identified: facts.userId !== null,
    pilot,
    agents,
    history: (flowId) => {
      const last = c.store.lastRunOf(flowId);
      return last !== null ? { alreadyRan: true, lastRunAt: last } : undefined;
    },
    claim: (flowId, rule) => {
      const stub = c.env.PILOT.get(c.env.PILOT.idFromName(pilot.id));
      return stub.claimRun(flowId, subjectOf(state), now, rule);
    },
  });
  return {
    snapshot,
    agents,
    answer: null,
    start: chosen ? { flow: chosen, extra, byVisitor: false } : null,
  };
}

async function withSnapshot(c: PrepareContext): Promise<Prepared> {
  return { ...NOTHING, snapshot: await c.resources.snapshot() };
}

// ---- where a visitor's words go: the waiting question → an intent's flow → an answer ----

/**
 * The await half. A waiting run whose flow is still published takes the words (only agents
 * are read for it); otherwise the words get an answer: the email the pilot asked for, a flow
 * an intent starts, the pilot's knowledge answer, a person, or the fallback.
 */
async function prepareWords(c: PrepareContext, words: Words): Promise<Prepared> {
  const active = c.store.activeRun();
  if (active && (await stillPublished(c.env, active.state.flowId))) {
    const agents = flowNeedsAgents(active.flow) ? await c.resources.agents() : undefined;
    return { ...NOTHING, agents };
  }
  // A refused frame is answered with an error by the commit; nothing to ask the AI.
  if ('refused' in words) return withSnapshot(c);
  if (!active) return answerWords(c, words.text);
  const unpublishedRun = active.state.runId;
  return { ...(await answerWords(c, words.text, unpublishedRun)), unpublishedRun };
}

/**
 * The commit half, on the state as it is after the pilot sync: the waiting run (unless its
 * flow was unpublished: it ends here) takes the words; else the start, handover, email and
 * answer that prepare found.
 */
function routeWords(t: Turn, event: EngineEvent, prepared: Prepared): void {
  const { store } = t;
  if (t.state.status === 'closed') store.update({ status: 'open' });
  if (pilotIsQuiet(t.state)) return;
  let active = store.activeRun();
  if (active && active.state.runId === prepared.unpublishedRun) {
    // Its flow was unpublished while it waited: it ends here and does not take the answer.
    advanceRun(t, active, { type: 'cancel', reason: 'unpublished' }, undefined);
    active = store.activeRun();
  }
  if (active) {
    if (active.visitorStartedAt === null && store.markRunStarted(active.state.runId, t.now))
      t.out.touched = true;
    if (active.state.waitingFor === 'effect') return;
    advanceRun(t, active, event, prepared.agents);
    return;
  }
  // An email offer is answered by the next message, or lapses with it.
  if (t.state.awaitingEmail) store.update({ awaitingEmail: false });
  if (prepared.start) {
    startRun(t, prepared.start, prepared.agents);
    return;
  }
  if (prepared.handover) {
    // Like a flow's handover node, the conversation goes to a person; the pilot keeps
    // answering until one of them replies (presence can say "online" for nobody at the desk).
    store.update({ mode: 'agent', handoverWaiting: true });
    t.out.touched = true;
  }
  if (prepared.offerEmail) store.update({ awaitingEmail: true });
  if (prepared.contactEmail) {
    store.update({ contact: { ...t.state.contact, email: prepared.contactEmail } });
    t.out.touched = true;
  }
  if (prepared.answer) {
    const links = prepared.answerLinks?.length ? { links: prepared.answerLinks } : {};
    const input = prepared.offerEmail ? { input: 'email_offer' } : {};
    t.out.messages.push(
      store.appendMessage({
        author: 'pilot',
        text: prepared.answer,
        at: t.now,
        ...links,
        ...input,
      }),
    );
  }
}

/**
 * Decided on the answer path, from D1: unpublishing cancels runs through the queue-fed live
 * view, which may not list a run that started a moment ago, and the cached KV snapshot may
 * still show the flow. If D1 cannot answer, the run goes on (the snapshot check still ends it).
 */
async function stillPublished(env: AppEnv, flowId: string): Promise<boolean> {
  try {
    return await isFlowPublished(env, flowId);
  } catch (error) {
    console.error('publish check failed', String(error));
    return true;
  }
}

/** No run waits: intent detection, else the pilot's knowledge answer, else the fallback. */
async function answerWords(c: PrepareContext, text: string, ending?: string): Promise<Prepared> {
  const snapshot = await c.resources.snapshot();
  if (!snapshot) return NOTHING;
  // The answer to "leave your email" (offered when nobody was available for a handover).
  // Parsed only while an offer waits (zod's email check on every message cost CPU for nothing).
  const email = c.store.state.awaitingEmail ? emailSchema.safeParse(text.trim()) : null;
  if (email?.success)
    return { ...NOTHING, snapshot, answer: thanksText(email.data), contactEmail: email.data };
  // The pilot types only while the visitor would otherwise wait: for a read of its AI from KV,
  // a chat model or an embedding (Workers AI, an OpenAI-compatible API), a flow's claim or
  // presence. A local answer from an AI already in memory takes a few ms: its reply comes
  // before a typing frame could mean anything (issue 15: one frame fewer per message).
  let ai: PilotAI | null | undefined = c.resources.aiInMemory();
  if (!ai) {
    c.turns.showTyping();
    ai = await c.resources.ai(snapshot);
  }
  if (ai && (ai.chat || ai.semantic)) c.turns.showTyping();
  const hasIntentFlows = snapshot.flows.some((f) => f.flow.trigger.type === 'intent_detected');
  if (ai && hasIntentFlows) {
    const detected = await ai.detect(text);
    if (detected.intent) {
      // Choosing the flow may ask for presence and the pilot's object (a claim).
      c.turns.showTyping();
      // `entity.<name>` (first value) and `entity.<name>_all` (every value found).
      const entities = entitiesToRecord(detected.entities);
      const input: TriggerInput = {
        type: 'intent_detected',
        intent: detected.intent,
        confidence: detected.confidence,
        entities,
      };
      const prepared = await prepareTrigger(c, input, null, snapshot, ending);
      if (prepared.start) {
        prepared.start.byVisitor = true;
        return prepared;
      }
    }
  }
  // The default answer takes the ai_answer path: knowledge, or a person when asked for one.
  const result = ai ? await ai.answer(text, snapshot.pilot.settings.persona) : null;
  if (result?.kind === 'answered') {
    const answerLinks = citationLinks(result.citations);
    return { ...NOTHING, snapshot, answer: result.text, answerLinks };
  }
  const noted = result?.kind === 'noAnswer' ? { unanswered: true } : {};
  if (result?.kind === 'handoverRequested') {
    c.turns.showTyping();
    const agents = await c.resources.agents();
    if (agents.some((agent) => agent.available))
      return {
        ...NOTHING,
        ...noted,
        snapshot,
        agents,
        answer: DEFAULT_HANDOVER_MESSAGE,
        handover: true,
      };
    return { ...NOTHING, ...noted, snapshot, agents, answer: NO_AGENT_TEXT, offerEmail: true };
  }
  return { ...NOTHING, ...noted, snapshot, answer: pilotFactsOf(snapshot).fallbackMessage };
}

// ---- commit: synchronous, one atomic write set ----

/** Stores what the frame says about the visitor, then routes the visitor's words. */
export function applyVisitorTurn(
  t: Turn,
  frame: VisitorFrame,
  words: Words | null,
  prepared: Prepared,
  reply: Reply,
): void {
  const { store } = t;
  if (prepared.snapshot) syncPilot(t, prepared.snapshot);
  switch (frame.type) {
    case 'identify': {
      const merged = mergeContact(t.state.contact, frame.contact);
      if (!merged.ok) {
        // Refused whole (nothing stored): the attributes already set stay as they were.
        reply(errorFrame(ErrorCode.payloadTooLarge, merged.message, frame.id));
        return;
      }
      store.update({ contact: merged.contact });
      t.out.touched = true;
      return;
    }
    case 'page_view':
      store.update({
        page: frame.page,
        lastPageUrl: frame.page.url,
        visits: t.state.visits + 1,
      });
      t.out.touched = true;
      if (prepared.start) startRun(t, prepared.start, prepared.agents);
      return;
    case 'event':
      if (prepared.start) startRun(t, prepared.start, prepared.agents);
      return;
    default: {
      if (!words) return;
      if ('refused' in words) {
        reply(errorFrame(ErrorCode.invalidInput, words.refused, frame.id));
        return;
      }
      t.out.messages.push(
        store.appendMessage(
          { author: 'visitor', text: words.text, at: t.now, clientId: frame.id },
          prepared.unanswered,
        ),
      );
      routeWords(t, words.event, prepared);
    }
  }
}

/**
 * A visitor turn that threw. Never a flow's doing (the engine returns failures as values): a
 * bug or a storage limit. The turn's own writes were rolled back; this records, in a
 * transaction of its own, what keeps the conversation working: the frame as handled (a resend
 * is acknowledged, not run again), what the visitor said, the run it fed as failed with
 * `turn_failed` (no run is left waiting on a half-written state), and the pilot's fallback.
 */
export function recordFailedTurn(
  t: Turn,
  frame: VisitorFrame,
  words: Words | null,
  start: Start | null,
): void {
  const said = words && 'text' in words ? words.text : undefined;
  if (said !== undefined)
    t.out.messages.push(
      t.store.appendMessage({ author: 'visitor', text: said, at: t.now, clientId: frame.id }),
    );
  t.store.markClientFrame(frame.id, t.now);
  const active = said !== undefined ? t.store.activeRun() : null;
  if (active) failRun(t, active);
  else failStart(t, start);
}
