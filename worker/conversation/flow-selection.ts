/**
 * Which flow a trigger starts in this conversation (SPEC 3.6 rule 1): the engine helper's pure
 * matching and settings filter, fed with this conversation's facts, then the exact
 * `frequency: once` / cooldown claim in the PilotObject for the winner. A refused claim
 * removes that flow and the next-best candidate is tried.
 */
import type { AgentInfo } from '../../shared/engine/types.ts';
import { type PublishedFlow, selectFlow, type TriggerInput } from '../../shared/flow/match.ts';
import type { RunHistory } from '../../shared/flow/settings-check.ts';
import { claimNeeded, type PilotFacts } from './engine-data.ts';

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
