/**
 * The data a run's templates and conditions read, by namespace. Built once per event from the
 * caller's `ctx.data` plus what the engine derives: `variable` (the run), `time` (pilot
 * timezone and office hours, computed lazily) and `agents` (from `ctx.agents`).
 */
import type { AgentInfo } from '../expr/agents.ts';
import { isOfficeOpen, localTime } from '../expr/office-hours.ts';
import type { EngineContext } from './types.ts';

export type Scope = Record<string, unknown> & { variable: Record<string, unknown> };

export function buildScope(ctx: EngineContext, variables: Record<string, unknown>): Scope {
  const scope: Scope = { ...ctx.data, variable: variables };
  if (!('time' in ctx.data)) {
    let time: Record<string, unknown> | undefined;
    Object.defineProperty(scope, 'time', {
      enumerable: true,
      get: () => {
        time ??= timeNamespace(ctx);
        return time;
      },
    });
  }
  if (!('agents' in ctx.data) && ctx.agents) scope.agents = agentsNamespace(ctx.agents);
  if (ctx.locale) {
    const system = (ctx.data.system ?? {}) as Record<string, unknown>;
    if (system.locale === undefined) scope.system = { ...system, locale: ctx.locale };
  }
  return scope;
}

function timeNamespace(ctx: EngineContext): Record<string, unknown> {
  const timezone = ctx.timezone ?? 'UTC';
  const local = localTime(ctx.now, timezone);
  return {
    now: new Date(ctx.now).toISOString(),
    timestamp: ctx.now,
    date: local.date,
    day_of_week: local.day,
    hour: local.hour,
    minute: local.minute,
    timezone: local.timezone,
    office_hours: isOfficeOpen(ctx.officeHours, timezone, ctx.now),
  };
}

export function agentsNamespace(agents: readonly AgentInfo[]): Record<string, unknown> {
  const available = agents.filter((agent) => agent.available);
  return {
    available: available.length > 0,
    available_count: available.length,
    available_ids: available.map((agent) => agent.id),
  };
}

/** Sets a value in the scope's `variable` namespace (copy-on-write per event). */
export function withVariable(scope: Scope, name: string, value: unknown): void {
  const next = { ...scope.variable };
  if (value === undefined) delete next[name];
  else next[name] = value;
  scope.variable = next;
}
