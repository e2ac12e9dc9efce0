/**
 * `assign` with `round_robin`: the next available agent in turn. The engine alone can only
 * spread conversations by a hash of their id (it is pure: no shared counter), so two visitors
 * in a row may land on the same person. Here the pilot's object remembers who was assigned
 * last per pool and hands out the next one in id order, skipping agents who are not online.
 */

import type { AgentInfo } from '../../shared/engine/types.ts';
import { availableAgents } from '../../shared/expr/agents.ts';
import type { EffectContext } from './context.ts';
import type { EffectResult } from './effect-result.ts';

/** The agent after `last` in sorted `candidates`, wrapping around; the first when none. */
export function nextInTurn(candidates: readonly string[], last: string | null): string | null {
  const sorted = [...candidates].sort();
  if (sorted.length === 0) return null;
  return sorted.find((id) => last === null || id > last) ?? sorted[0] ?? null;
}

export async function runRoundRobin(
  ctx: EffectContext,
  rule: { teamId?: string },
  agents: AgentInfo[],
): Promise<EffectResult> {
  const teams = rule.teamId ? [rule.teamId] : undefined;
  const candidates = availableAgents(agents, undefined, teams).map((agent) => agent.id);
  if (candidates.length === 0) return { ok: false, error: 'no_agent_available' };
  const stub = ctx.env.PILOT.get(ctx.env.PILOT.idFromName(ctx.pilotId));
  const userId = await stub.nextAssignee(rule.teamId ?? '*', candidates);
  return userId ? { ok: true, data: { userId } } : { ok: false, error: 'no_agent_available' };
}
