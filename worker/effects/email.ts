/**
 * `send_email`: every email is written to the D1 outbox (what `GET /v1/admin/outbox` lists),
 * keyed by the step's idempotency key, then handed to a transport. With `EMAIL_API_KEY` set the
 * transport is a real HTTP provider (Resend-compatible `POST /emails`; `EMAIL_API_URL` overrides
 * the endpoint); without it the outbox is the delivery (local development).
 */
import type { IoEffect } from '../../shared/engine/types.ts';
import type { EffectContext } from './context.ts';
import type { EffectResult } from './effect-result.ts';

type EmailEffect = Extract<IoEffect, { type: 'send_email' }>;

export interface EmailMessage {
  to: string;
  subject: string;
  body: string;
  idempotencyKey: string;
}

/** Something that delivers an email, or says why it could not. */
export interface EmailTransport {
  readonly name: string;
  send(message: EmailMessage): Promise<{ id: string | null }>;
}

export interface EmailSecrets {
  EMAIL_API_KEY?: string;
  EMAIL_API_URL?: string;
  EMAIL_FROM?: string;
}

/** Resend-compatible HTTP API (also what several providers and self-hosted relays accept). */
export class HttpEmailTransport implements EmailTransport {
  readonly name = 'http';
  constructor(
    private readonly options: { url: string; apiKey: string; from: string },
    // Bound: a bare `fetch` reference called as a method throws "Illegal invocation".
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  async send(message: EmailMessage): Promise<{ id: string | null }> {
    const response = await this.fetcher(this.options.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${this.options.apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': message.idempotencyKey,
      },
      body: JSON.stringify({
        from: this.options.from,
        to: [message.to],
        subject: message.subject,
        text: message.body,
      }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`email provider answered ${response.status}`);
    try {
      const id = (JSON.parse(text) as { id?: unknown }).id;
      return { id: typeof id === 'string' ? id : null };
    } catch {
      return { id: null };
    }
  }
}

/** Local development: the outbox row is the delivery. */
export class OutboxOnlyTransport implements EmailTransport {
  readonly name = 'outbox';
  async send(): Promise<{ id: string | null }> {
    return { id: null };
  }
}

export function emailTransport(env: EmailSecrets): EmailTransport {
  if (env.EMAIL_API_KEY) {
    return new HttpEmailTransport({
      url: env.EMAIL_API_URL ?? 'https://api.resend.com/emails',
      apiKey: env.EMAIL_API_KEY,
      from: env.EMAIL_FROM ?? 'edgepilot <noreply@example.com>',
    });
  }
  return new OutboxOnlyTransport();
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface OutboxData {
  body: string;
  status: 'pending' | 'sent' | 'failed';
  transport: string;
  providerId?: string | null;
  error?: string;
  runId: string;
  nodeId: string;
}

export async function runSendEmail(
  effect: EmailEffect,
  ctx: EffectContext,
  transport: EmailTransport,
): Promise<EffectResult> {
  const to = effect.to.trim();
  if (!EMAIL_RE.test(to) || to.length > 320) return { ok: false, error: 'invalid_recipient' };
  const id = `em_${effect.idempotencyKey}`;
  const db = ctx.env.DB;
  const data: OutboxData = {
    body: effect.body,
    status: 'pending',
    transport: transport.name,
    runId: ctx.runId,
    nodeId: effect.nodeId,
  };
  await db
    .prepare(
      `INSERT INTO outbox (id, workspace_id, pilot_id, conversation_id, to_address, subject, data, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
    )
    .bind(
      id,
      ctx.workspaceId,
      ctx.pilotId,
      ctx.conversationId,
      to,
      effect.subject,
      JSON.stringify(data),
      ctx.now,
    )
    .run();
  const row = await db
    .prepare('SELECT data FROM outbox WHERE id = ?')
    .bind(id)
    .first<{ data: string }>();
  const stored = row ? (JSON.parse(row.data) as OutboxData) : data;
  // A retry of the same step after the provider accepted it must not send a second email.
  if (stored.status === 'sent') return { ok: true, data: { id } };
  try {
    const sent = await transport.send({
      to,
      subject: effect.subject,
      body: effect.body,
      idempotencyKey: effect.idempotencyKey,
    });
    const done: OutboxData = { ...stored, status: 'sent', providerId: sent.id };
    await db
      .prepare('UPDATE outbox SET data = ? WHERE id = ?')
      .bind(JSON.stringify(done), id)
      .run();
    return { ok: true, data: { id } };
  } catch (error) {
    const failed: OutboxData = { ...stored, status: 'failed', error: String(error).slice(0, 300) };
    await db
      .prepare('UPDATE outbox SET data = ? WHERE id = ?')
      .bind(JSON.stringify(failed), id)
      .run();
    return { ok: false, error: 'email_failed' };
  }
}
