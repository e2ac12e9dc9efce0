/**
 * The trigger data a run sees, derived from what started it (pure). Kept with the run (`extra:`
 * meta) so later steps and retries resolve `event.*`, `intent.*` and `entity.*` the same way.
 */
import type { TriggerInput } from '../../shared/flow/match.ts';

/** What a run started by this trigger sees under `event.*`, `intent.*`, `entity.*`. */
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
