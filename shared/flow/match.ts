/**
 * Which published flow a trigger starts (SPEC 3.6 rule 1): match the trigger (URL rules, UTM,
 * audience, conditions, event name, intent and confidence), filter by execution settings, then
 * the lowest priority number wins (ties: flow id). Pure: the caller supplies every fact.
 */

import type { Condition } from '../expr/condition-schema.ts';
import { evaluateCondition } from '../expr/conditions.ts';
import { safeMatch } from '../expr/regex.ts';
import type { Flow, UrlRule } from './schema.ts';
import {
  type Check,
  checkSettings,
  PASS,
  type Rejection,
  reject,
  type SettingsFacts,
} from './settings-check.ts';

export interface PublishedFlow {
  flowId: string;
  version: number;
  flow: Flow;
}

export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;

export type TriggerInput =
  | { type: 'page_visited'; url: string }
  | { type: 'event'; name: string; props?: Record<string, unknown> }
  | { type: 'new_conversation' }
  | {
      type: 'intent_detected';
      intent: string;
      confidence: number;
      entities?: Record<string, unknown>;
    };

/** Facts for trigger conditions and settings. Without them only the trigger itself is matched. */
export interface MatchFacts extends Partial<SettingsFacts> {
  /** Condition data by namespace (contact, visitor, conversation, pilot, system, …). */
  data?: Readonly<Record<string, unknown>>;
  /** Identified contact (audience); default: `visitor.is_identified` or a contact email/id. */
  identified?: boolean;
}

/** Parses a page URL loosely: absolute URLs, else a path on a dummy origin. */
function parseUrl(url: string): URL | null {
  try {
    return new URL(url, 'https://page.invalid');
  } catch {
    return null;
  }
}

const trimSlash = (text: string) =>
  text.length > 1 && text.endsWith('/') ? text.slice(0, -1) : text;

/**
 * One URL rule, case-insensitive. `is`, `is_not` and `ends_with` ignore the query and fragment
 * unless the value has one, and a value starting with `/` compares with the path only
 * (`is /pricing` matches `https://shop.example/pricing/?utm_source=x`). `starts_with` with a
 * `/` value tests the path; `contains`/`not_contains` test the whole URL. `matches` is a safe
 * regex over the whole URL.
 */
export function urlRuleMatches(rule: UrlRule, url: string): boolean {
  const value = rule.value.trim().toLowerCase();
  if (rule.op === 'any') return true;
  if (rule.op === 'matches') return safeMatch(rule.value, url);
  const whole = url.toLowerCase();
  if (rule.op === 'contains') return whole.includes(value);
  if (rule.op === 'not_contains') return !whole.includes(value);
  const parsed = parseUrl(url);
  const path = parsed ? parsed.pathname.toLowerCase() : whole;
  if (rule.op === 'starts_with') return (value.startsWith('/') ? path : whole).startsWith(value);
  const keepQuery = value.includes('?') || value.includes('#');
  const bare = parsed && !keepQuery ? `${parsed.origin}${parsed.pathname}`.toLowerCase() : whole;
  const subject = trimSlash(value.startsWith('/') ? path : bare);
  if (rule.op === 'ends_with') return subject.endsWith(trimSlash(value));
  const same = subject === trimSlash(value);
  return rule.op === 'is' ? same : !same;
}

/** `utm_*` parameters of a page URL. */
export function utmOf(url: string): Record<string, string> {
  const parsed = parseUrl(url);
  const out: Record<string, string> = {};
  for (const key of UTM_KEYS) {
    const value = parsed?.searchParams.get(`utm_${key}`);
    if (value) out[key] = value;
  }
  return out;
}

function isIdentified(facts: MatchFacts): boolean {
  if (facts.identified !== undefined) return facts.identified;
  const visitor = facts.data?.visitor as Record<string, unknown> | undefined;
  const contact = facts.data?.contact as Record<string, unknown> | undefined;
  return visitor?.is_identified === true || Boolean(contact?.email || contact?.id);
}

function conditionsHold(condition: Condition | undefined, facts: MatchFacts, extra: object): Check {
  if (!condition) return PASS;
  const scope = { ...facts.data, ...extra };
  return evaluateCondition(condition, scope, facts.now ?? 0)
    ? PASS
    : reject('conditions', 'The trigger conditions do not hold');
}

/** Whether a flow's trigger matches the input; a rejection says which rule failed. */
export function matchTrigger(flow: Flow, input: TriggerInput, facts: MatchFacts = {}): Check {
  const trigger = flow.trigger;
  if (trigger.type !== input.type)
    return reject('trigger_type', `The flow starts on ${trigger.type}, not ${input.type}`);
  switch (trigger.type) {
    case 'page_visited': {
      if (input.type !== 'page_visited') return reject('trigger_type', 'Not a page visit');
      if (trigger.urls.length > 0 && !trigger.urls.some((rule) => urlRuleMatches(rule, input.url)))
        return reject('url', `No URL rule matches ${input.url}`);
      const utm = utmOf(input.url);
      for (const key of UTM_KEYS) {
        const want = trigger.utm?.[key];
        if (want && want.toLowerCase() !== (utm[key] ?? '').toLowerCase())
          return reject('utm', `utm_${key} is not "${want}"`);
      }
      const audience = trigger.audience ?? 'anyone';
      if (audience !== 'anyone' && (audience === 'contacts') !== isIdentified(facts))
        return reject('audience', `The flow is for ${audience} only`);
      return conditionsHold(trigger.conditions, facts, {});
    }
    case 'event': {
      if (input.type !== 'event') return reject('trigger_type', 'Not an event');
      if (trigger.name !== input.name)
        return reject('event_name', `The flow starts on event "${trigger.name}"`);
      const props = input.props ?? {};
      return conditionsHold(trigger.conditions, facts, {
        event: { ...props, name: input.name, props },
      });
    }
    case 'intent_detected': {
      if (input.type !== 'intent_detected') return reject('trigger_type', 'Not an intent');
      if (!trigger.intents.includes(input.intent))
        return reject('intent', `The flow starts on ${trigger.intents.join(', ')}`);
      if (input.confidence < trigger.minConfidence)
        return reject('confidence', `Confidence ${input.confidence} < ${trigger.minConfidence}`);
      return conditionsHold(trigger.conditions, facts, {
        intent: { name: input.intent, confidence: input.confidence },
        entity: input.entities ?? {},
      });
    }
    default:
      return conditionsHold(trigger.conditions, facts, {});
  }
}

/** Trigger, then settings (only when `facts.now` is given). */
export function evaluateCandidate(
  candidate: PublishedFlow,
  input: TriggerInput,
  facts: MatchFacts,
): Check {
  const matched = matchTrigger(candidate.flow, input, facts);
  if (!matched.ok || facts.now === undefined) return matched;
  return checkSettings(candidate.flowId, candidate.flow, { ...facts, now: facts.now });
}

export interface Selection {
  chosen: PublishedFlow | null;
  rejected: ({ flowId: string } & Rejection)[];
}

/** The winning flow and, for every other candidate of that trigger type, why it lost. */
export function explainSelection(
  flows: readonly PublishedFlow[],
  input: TriggerInput,
  facts: MatchFacts = {},
): Selection {
  let chosen: PublishedFlow | null = null;
  const rejected: Selection['rejected'] = [];
  for (const candidate of flows) {
    if (candidate.flow.trigger.type !== input.type) continue;
    const check = evaluateCandidate(candidate, input, facts);
    if (!check.ok) {
      rejected.push({ flowId: candidate.flowId, code: check.code, message: check.message });
      continue;
    }
    if (
      !chosen ||
      candidate.flow.priority < chosen.flow.priority ||
      (candidate.flow.priority === chosen.flow.priority && candidate.flowId < chosen.flowId)
    ) {
      chosen = candidate;
    }
  }
  return { chosen, rejected };
}

/** The one flow to run for this trigger, or null. Ties break on flow id for determinism. */
export function selectFlow(
  flows: readonly PublishedFlow[],
  input: TriggerInput,
  facts: MatchFacts = {},
): PublishedFlow | null {
  return explainSelection(flows, input, facts).chosen;
}
