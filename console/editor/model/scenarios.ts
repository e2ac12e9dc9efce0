/**
 * Saved test scenarios: what the test panel sends to simulate. The flow format has no field
 * for them and no admin API resource stores them, so they live in this tab's sessionStorage,
 * per flow (they are gone when the tab closes; export the flow's scenarios by copying them).
 */
import { z } from 'zod';
import { simulateRequestSchema } from '../../../shared/engine/simulate-schema.ts';

export const MAX_SCENARIOS = 50;

export const scenarioSchema = z.object({
  name: z.string().min(1).max(100),
  request: simulateRequestSchema,
});
export type Scenario = z.infer<typeof scenarioSchema>;

const listSchema = z.array(scenarioSchema).max(MAX_SCENARIOS);

export const scenarioKey = (flowId: string) => `edgepilot.scenarios.${flowId}`;

/** Parses what storage held; anything unreadable is an empty list, never a crash. */
export function parseScenarios(text: string | null): Scenario[] {
  if (!text) return [];
  try {
    const parsed = listSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** Adds or replaces (by name) a scenario, keeping at most MAX_SCENARIOS. */
export function upsertScenario(list: readonly Scenario[], scenario: Scenario): Scenario[] {
  const rest = list.filter((s) => s.name !== scenario.name);
  return [...rest, scenario].slice(-MAX_SCENARIOS);
}
