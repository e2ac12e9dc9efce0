/**
 * `email_conversation`: the transcript emailed through the same outbox and transport as
 * `send_email`, keyed by the step's idempotency key (one key per recipient), so a step run
 * again after a restart finds its outbox rows and sends nothing twice.
 */
import type { IoEffect } from '../../shared/engine/types.ts';
import { getDoc, TEAMS, USERS } from '../store/workspace-docs.ts';
import type { EffectContext } from './context.ts';
import type { EffectResult } from './effect-result.ts';
import { type EmailTransport, runSendEmail } from './email.ts';

type Of<T extends IoEffect['type']> = Extract<IoEffect, { type: T }>;

/** A team's email goes to at most this many members. */
export const MAX_TEAM_RECIPIENTS = 50;

async function recipients(effect: Of<'email_conversation'>, ctx: EffectContext) {
  const to = effect.to;
  if (to.kind === 'address') return to.address ? [to.address] : [];
  const ids =
    to.kind === 'user'
      ? [to.userId]
      : (((await getDoc(ctx.env, TEAMS, ctx.workspaceId, to.teamId))?.data.members as
          | string[]
          | undefined) ?? []);
  const emails: string[] = [];
  for (const id of ids.slice(0, MAX_TEAM_RECIPIENTS)) {
    const email = (await getDoc(ctx.env, USERS, ctx.workspaceId, id))?.data.email;
    if (typeof email === 'string') emails.push(email);
  }
  return emails;
}

export async function runEmailConversation(
  effect: Of<'email_conversation'>,
  ctx: EffectContext,
  transport: EmailTransport,
): Promise<EffectResult> {
  const to = await recipients(effect, ctx);
  if (to.length === 0) return { ok: false, error: 'no_recipient' };
  const body = ctx.transcript?.() ?? '';
  let first: string | undefined;
  for (const [i, address] of to.entries()) {
    const result = await runSendEmail(
      {
        type: 'send_email',
        nodeId: effect.nodeId,
        awaitResult: effect.awaitResult,
        idempotencyKey: i === 0 ? effect.idempotencyKey : `${effect.idempotencyKey}:${i}`,
        to: address,
        subject: effect.subject,
        body,
      },
      ctx,
      transport,
    );
    if (!result.ok) return result;
    first ??= (result.data as { id?: string } | undefined)?.id;
  }
  return { ok: true, data: { id: first, recipients: to.length } };
}
