/**
 * Runs one I/O effect and reports its result. Never throws: failures are results, so the
 * engine can take the node's error port. Effects that only change the conversation itself
 * (redirect, banner, go_to_flow, close) succeed here; the ConversationObject applies them.
 */

import { citationLinks } from '../../shared/ai/runtime-adapters.ts';
import type { AgentInfo, IoEffect } from '../../shared/engine/types.ts';
import { availableAgents } from '../../shared/expr/agents.ts';
import type { KnowledgeAnswer } from '../../shared/knowledge/article.ts';
import { isDevelopment } from '../env.ts';
import { runCaptureCompany, runCaptureContact, runUpdateCompany } from './capture.ts';
import type { EffectContext } from './context.ts';
import { runAssign, runCreateRecord, runTags, runUpdateContact } from './crm.ts';
import { resolveOverHttps } from './dns-resolve.ts';
import type { EffectResult } from './effect-result.ts';
import { type EmailSecrets, emailTransport, runSendEmail } from './email.ts';
import { runEmailConversation } from './email-conversation.ts';
import { isIdempotentMethod, runHttpRequest } from './http-request.ts';
import { runRoundRobin } from './round-robin.ts';
import type { GuardOptions } from './ssrf-guard.ts';

export interface EffectServices {
  agents(): Promise<AgentInfo[]>;
  answer(question: string): Promise<KnowledgeAnswer>;
}

/** Whether running the effect again after an unknown outcome is safe (idempotent or keyed). */
export function safeToRepeat(effect: IoEffect): boolean {
  return effect.type !== 'http_request' || isIdempotentMethod(effect.method);
}

const OUTCOME = {
  answered: 'answered',
  noAnswer: 'no_answer',
  handoverRequested: 'handover_requested',
} as const;

/** Local development may call a loopback test server; elsewhere host names are resolved and checked. */
const webhookGuard = (development: boolean): GuardOptions =>
  development ? { allowLoopback: true } : { allowLoopback: false, resolve: resolveOverHttps };

export async function executeEffect(
  effect: IoEffect,
  ctx: EffectContext,
  services: EffectServices,
): Promise<EffectResult> {
  try {
    switch (effect.type) {
      case 'http_request':
        return await runHttpRequest(effect, webhookGuard(isDevelopment(ctx.env)));
      case 'send_email':
        return await runSendEmail(effect, ctx, emailTransport(ctx.env as EmailSecrets));
      case 'create_record':
        return await runCreateRecord(effect, ctx);
      case 'update_contact':
        return await runUpdateContact(effect, ctx);
      case 'add_tag':
      case 'remove_tag':
        return await runTags(effect, ctx);
      case 'assign':
        return ctx.roundRobin
          ? await runRoundRobin(ctx, ctx.roundRobin, await services.agents())
          : await runAssign(effect, ctx);
      case 'handover': {
        const teams = effect.teamId ? [effect.teamId] : undefined;
        const available = availableAgents(await services.agents(), undefined, teams);
        return available.length > 0
          ? { ok: true, data: {} }
          : { ok: false, error: 'no_agent_available' };
      }
      case 'ai_answer': {
        const answer = await services.answer(effect.question);
        const outcome = OUTCOME[answer.kind];
        return answer.kind === 'answered'
          ? {
              ok: true,
              data: { outcome, text: answer.text, links: citationLinks(answer.citations) },
            }
          : { ok: answer.kind === 'handoverRequested', data: { outcome } };
      }
      case 'capture_contact':
        return await runCaptureContact(effect, ctx);
      case 'capture_company':
        return await runCaptureCompany(effect, ctx);
      case 'update_company':
        return await runUpdateCompany(effect, ctx);
      case 'email_conversation':
        return await runEmailConversation(effect, ctx, emailTransport(ctx.env as EmailSecrets));
      case 'redirect':
      case 'show_banner':
      case 'go_to_flow':
      case 'close_conversation':
        return { ok: true, data: {} };
    }
  } catch (error) {
    console.error('effect failed', effect.type, String(error));
    return { ok: false, error: `${effect.type}_failed` };
  }
}
