/**
 * What a settled I/O effect means to the conversation (pure): the frame the widget is sent,
 * the assignee it names and the event that resumes a run waiting for it.
 */
import type { EngineEvent, IoEffect } from '../../shared/engine/types.ts';
import type { ServerFrame } from '../../shared/protocol.ts';
import type { EffectResult } from '../effects/effect-result.ts';

/** The frame a redirect or banner effect sends, or null (nothing to send, or an unsafe URL). */
export function effectFrame(effect: IoEffect): ServerFrame | null {
  if (effect.type === 'redirect') {
    // Absolute http(s) URLs, or a path on the visitor's site ("/thanks", not "//host").
    if (!/^(https?:\/\/|\/(?![/\\]))/i.test(effect.url)) return null;
    return { v: 1, type: 'redirect', url: effect.url, newTab: effect.newTab };
  }
  if (effect.type === 'show_banner')
    return {
      v: 1,
      type: 'banner',
      text: effect.text,
      style: effect.style,
      ...(effect.url ? { url: effect.url } : {}),
    };
  return null;
}

/** The stored assignee: round robin reports whom it picked; otherwise the node named them. */
export function assigneeOf(
  effect: Extract<IoEffect, { type: 'assign' }>,
  result: EffectResult,
): string {
  const picked = (result.data as { userId?: unknown } | undefined)?.userId;
  if (typeof picked === 'string') return `user:${picked}`;
  return effect.to.kind === 'user' ? `user:${effect.to.userId}` : `team:${effect.to.teamId}`;
}

/** The engine event that hands an effect's result to the run waiting at its node. */
export function effectResultEvent(effect: IoEffect, result: EffectResult): EngineEvent {
  return {
    type: 'effect_result',
    nodeId: effect.nodeId,
    ok: result.ok,
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.error !== undefined ? { error: result.error } : {}),
  };
}
