/**
 * Every `await` of a visitor turn happens here, before its commit: the pilot snapshot, agent
 * presence, intent detection and the default answer, and the PilotObject claim that decides
 * which triggered flow may start. Nothing here writes to storage.
 */

import { z } from 'zod';
import { citationLinks, entitiesToRecord } from '../../shared/ai/runtime-adapters.ts';
import type { AgentInfo } from '../../shared/engine/types.ts';
import type { TriggerInput } from '../../shared/flow/match.ts';
import type { PilotSnapshot } from '../../shared/pilot.ts';
import type { ClientFrame, PageInfo } from '../../shared/protocol.ts';
import type { AppEnv } from '../env.ts';
import { isFlowPublished } from '../store/flows.ts';
import {
  choiceOf,
  conversationFacts,
  formOf,
  pilotIsQuiet,
  subjectOf,
} from './conversation-facts.ts';
import {
  conversationData,
  flowNeedsAgents,
  pilotFactsOf,
  settingsNeedAgents,
} from './engine-data.ts';
import { chooseFlow } from './flow-selection.ts';
import type { PilotResources } from './pilot-resources.ts';
import type { Start } from './run-driver.ts';
import type { ConversationStorage } from './storage.ts';
import { triggerExtra } from './trigger-extra.ts';

export type VisitorFrame = Exclude<ClientFrame, { type: 'hello' }>;

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
}
export const NOTHING: Prepared = { snapshot: null, start: null, agents: undefined, answer: null };
/** Said when the pilot's default answer hands the conversation to a person. */
const HANDOVER_TEXT = 'Connecting you with a person. Someone will reply here shortly.';
/** Said when a visitor asks for a person and nobody is available: honest, and not a dead end. */
export const NO_AGENT_TEXT =
  "Nobody from the team is available right now. Leave your email and someone will get back to you. Meanwhile I'll keep answering your questions here.";
const emailSchema = z.email().max(254);
const thanksText = (email: string) =>
  `Thanks! Someone from the team will write to you at ${email}. Anything else I can help with?`;

export class TurnPreparation {
  constructor(
    private readonly env: AppEnv,
    private readonly store: ConversationStorage,
    private readonly resources: PilotResources,
    private readonly showTyping: () => void,
  ) {}

  async prepare(frame: VisitorFrame): Promise<Prepared> {
    if (pilotIsQuiet(this.store) && frame.type !== 'identify') return NOTHING;
    switch (frame.type) {
      case 'identify':
        return NOTHING;
      case 'page_view': {
        if (this.store.activeRun() || this.store.getMeta('lastPageUrl') === frame.page.url)
          return this.withSnapshot();
        return this.trigger({ type: 'page_visited', url: frame.page.url }, frame.page);
      }
      case 'event': {
        if (this.store.activeRun()) return this.withSnapshot();
        const input: TriggerInput = {
          type: 'event',
          name: frame.name,
          ...(frame.props ? { props: frame.props } : {}),
        };
        return this.trigger(input, null);
      }
      case 'message':
      case 'choice':
      case 'form': {
        const active = this.store.activeRun();
        if (active && (await this.stillPublished(active.state.flowId))) {
          const agents = flowNeedsAgents(active.flow) ? await this.resources.agents() : undefined;
          return { ...NOTHING, agents };
        }
        const text =
          frame.type === 'message'
            ? frame.text
            : frame.type === 'form'
              ? (formOf(this.store, frame)?.text ?? '')
              : (choiceOf(this.store, frame)?.label ?? frame.value);
        if (!active) return this.message(text);
        const unpublishedRun = active.state.runId;
        return { ...(await this.message(text, unpublishedRun)), unpublishedRun };
      }
    }
  }

  /** The flow `input` starts here, if any, chosen and claimed (SPEC 3.6 rule 1). */
  async trigger(
    input: TriggerInput,
    page: PageInfo | null,
    loaded?: PilotSnapshot | null,
    /** A waiting run this turn cancels (unpublished): it does not block a new start. */
    ending?: string,
  ): Promise<Prepared> {
    const snapshot = loaded ?? (await this.resources.snapshot());
    const active = this.store.activeRun();
    if (!snapshot || (active && active.state.runId !== ending)) return { ...NOTHING, snapshot };
    const pilot = pilotFactsOf(snapshot);
    const flows = snapshot.flows.filter((f) => f.flow.trigger.type === input.type);
    if (flows.length === 0) return { ...NOTHING, snapshot };
    const needsAgents = flows.some((f) => settingsNeedAgents(f.flow) || flowNeedsAgents(f.flow));
    const agents = needsAgents ? await this.resources.agents() : undefined;
    const now = Date.now();
    const facts = conversationFacts(this.store, page);
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
        const last = this.store.getMeta(`lastRun:${flowId}`);
        return last ? { alreadyRan: true, lastRunAt: Number(last) } : undefined;
      },
      claim: (flowId, rule) => {
        const stub = this.env.PILOT.get(this.env.PILOT.idFromName(pilot.id));
        return stub.claimRun(flowId, subjectOf(this.store), now, rule);
      },
    });
    return {
      snapshot,
      agents,
      answer: null,
      start: chosen ? { flow: chosen, extra, byVisitor: false } : null,
    };
  }

  /**
   * Decided on the answer path, from D1: unpublishing cancels runs through the queue-fed live
   * view, which may not list a run that started a moment ago, and the cached KV snapshot may
   * still show the flow. If D1 cannot answer, the run goes on (the snapshot check still ends it).
   */
  private async stillPublished(flowId: string): Promise<boolean> {
    try {
      return await isFlowPublished(this.env, flowId);
    } catch (error) {
      console.error('publish check failed', String(error));
      return true;
    }
  }

  private async withSnapshot(): Promise<Prepared> {
    return { ...NOTHING, snapshot: await this.resources.snapshot() };
  }

  /** No run waits: intent detection, else the pilot's knowledge answer, else the fallback. */
  private async message(text: string, ending?: string): Promise<Prepared> {
    const snapshot = await this.resources.snapshot();
    if (!snapshot) return NOTHING;
    // The answer to "leave your email" (offered when nobody was available for a handover).
    // Parsed only while an offer waits (zod's email check on every message cost CPU for nothing).
    const email =
      this.store.getMeta('awaitingEmail') === '1' ? emailSchema.safeParse(text.trim()) : null;
    if (email?.success)
      return { ...NOTHING, snapshot, answer: thanksText(email.data), contactEmail: email.data };
    const ai = await this.resources.ai(snapshot);
    if (ai) this.showTyping();
    const hasIntentFlows = snapshot.flows.some((f) => f.flow.trigger.type === 'intent_detected');
    if (ai && hasIntentFlows) {
      const detected = await ai.detect(text);
      if (detected.intent) {
        // `entity.<name>` (first value) and `entity.<name>_all` (every value found).
        const entities = entitiesToRecord(detected.entities);
        const input: TriggerInput = {
          type: 'intent_detected',
          intent: detected.intent,
          confidence: detected.confidence,
          entities,
        };
        const prepared = await this.trigger(input, null, snapshot, ending);
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
    if (result?.kind === 'noAnswer') this.resources.noteUnanswered(snapshot.pilot.id, text);
    if (result?.kind === 'handoverRequested') {
      const agents = await this.resources.agents();
      if (agents.some((agent) => agent.available))
        return { ...NOTHING, snapshot, agents, answer: HANDOVER_TEXT, handover: true };
      return { ...NOTHING, snapshot, agents, answer: NO_AGENT_TEXT, offerEmail: true };
    }
    return { ...NOTHING, snapshot, answer: pilotFactsOf(snapshot).fallbackMessage };
  }
}
