/** Which published flows a trigger starts (SPEC 3.6 rule 1): match, then lowest priority wins. */
import type { Flow } from './schema.ts';

export interface PublishedFlow {
  flowId: string;
  version: number;
  flow: Flow;
}

export type TriggerInput =
  | { type: 'page_visited'; url: string }
  | { type: 'event'; name: string }
  | { type: 'new_conversation' };

function urlMatches(rule: Flow['trigger'] & { type: 'page_visited' }, url: string): boolean {
  if (rule.urls.length === 0) return true;
  return rule.urls.some(({ op, value }) => {
    switch (op) {
      case 'any':
        return true;
      case 'is':
        return url === value;
      case 'is_not':
        return url !== value;
      case 'starts_with':
        return url.startsWith(value);
      case 'ends_with':
        return url.endsWith(value);
      case 'contains':
        return url.includes(value);
      case 'not_contains':
        return !url.includes(value);
      case 'matches':
        return false;
      default:
        return false;
    }
  });
}

function triggerMatches(flow: Flow, input: TriggerInput): boolean {
  const trigger = flow.trigger;
  if (trigger.type !== input.type) return false;
  if (trigger.type === 'page_visited' && input.type === 'page_visited')
    return urlMatches(trigger, input.url);
  if (trigger.type === 'event' && input.type === 'event') return trigger.name === input.name;
  return true;
}

/** The one flow to run for this trigger, or null. Ties break on flow id for determinism. */
export function selectFlow(
  flows: readonly PublishedFlow[],
  input: TriggerInput,
): PublishedFlow | null {
  let best: PublishedFlow | null = null;
  for (const candidate of flows) {
    if (!triggerMatches(candidate.flow, input)) continue;
    if (
      !best ||
      candidate.flow.priority < best.flow.priority ||
      (candidate.flow.priority === best.flow.priority && candidate.flowId < best.flowId)
    ) {
      best = candidate;
    }
  }
  return best;
}
