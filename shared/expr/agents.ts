/**
 * Human agents as flows see them: who is available, optionally limited to some users and teams.
 * Here, below flows and the engine, because a flow's availability setting (flow/settings-check.ts)
 * and a run's `check_availability` / `assign` nodes (engine/execute.ts) ask the same question.
 */

/** One human agent as the engine sees them. */
export interface AgentInfo {
  id: string;
  available: boolean;
  teams?: string[];
}

/** Agents that are available, optionally limited to some users and/or members of some teams. */
export function availableAgents(
  agents: readonly AgentInfo[] | undefined,
  users?: readonly string[],
  teams?: readonly string[],
): AgentInfo[] {
  const limited = (users?.length ?? 0) > 0 || (teams?.length ?? 0) > 0;
  return (agents ?? []).filter(
    (agent) =>
      agent.available &&
      (!limited ||
        users?.includes(agent.id) ||
        (agent.teams ?? []).some((team) => teams?.includes(team))),
  );
}
