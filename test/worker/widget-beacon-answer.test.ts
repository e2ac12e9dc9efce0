/**
 * The messenger opens its socket only when there is something to receive: a page view goes by
 * `POST /events`, whose answer says what a socket would have (issue 16).
 */
import { runInDurableObject } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../shared/protocol.ts';
import {
  AGENT_LIVE_MS,
  CONVERSING_MS,
  type ConversationRuntime,
} from '../../worker/conversation/runtime.ts';
import { BASE, call } from '../helpers/admin.ts';
import { startSession } from '../helpers/socket.ts';
import {
  createPilot,
  eventually,
  indexed,
  json,
  publishFlow,
  said,
  visit,
} from './runtime-helpers.ts';

interface Answer {
  accepted: number;
  lastSeq: number;
  messages: { author: string; text: string; seq: number }[];
  frames: ServerFrame[];
  live: boolean;
}

async function pageView(publicKey: string, body: Record<string, unknown> = {}) {
  const { body: session } = await startSession(publicKey);
  if (!session) throw new Error('no session');
  const response = await exports.default.fetch(
    new Request(`${BASE}/v1/widget/${publicKey}/events`, {
      method: 'POST',
      headers: { origin: 'http://localhost' },
      body: JSON.stringify({
        token: session.token,
        frames: [
          {
            v: 1,
            type: 'page_view',
            id: crypto.randomUUID(),
            page: { url: 'http://localhost/pricing', title: 'Pricing', referrer: '' },
          },
        ],
        ...body,
      }),
    }),
  );
  return { status: response.status, answer: (await response.json()) as Answer };
}

describe('a page view without a socket', () => {
  it("answers with the greeting, the banner and the visitor's locale a page_visited flow used", async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Greeter',
      trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
      start: 'hi',
      nodes: [
        { id: 'hi', type: 'send_message', text: 'Bonjour ({{system.locale}})', next: 'banner' },
        { id: 'banner', type: 'show_banner', text: 'Sale ends today', style: 'info', next: 'end' },
        { id: 'end', type: 'end' },
      ],
    });
    const { status, answer } = await pageView(publicKey, { locale: 'fr' });
    expect(status).toBe(202);
    expect(answer.lastSeq).toBe(1);
    expect(answer.messages.map((m) => [m.author, m.text, m.seq])).toEqual([
      ['pilot', 'Bonjour (fr)', 1],
    ]);
    expect(answer.frames).toEqual([
      { v: 1, type: 'banner', text: 'Sale ends today', style: 'info' },
    ]);
    // The run ended: nothing more comes without the visitor, no socket needed.
    expect(answer.live).toBe(false);
  });

  it('starts a new_conversation flow once, as a first hello on a socket would', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Welcome',
      trigger: { type: 'new_conversation' },
      start: 'hi',
      nodes: [{ id: 'hi', type: 'send_message', text: 'Need a hand?' }],
    });
    const { answer } = await pageView(publicKey);
    expect(answer.messages.map((m) => m.text)).toEqual(['Need a hand?']);
  });

  it('answers an empty conversation with nothing to receive', async () => {
    const { publicKey } = await createPilot();
    const { status, answer } = await pageView(publicKey);
    expect(status).toBe(202);
    expect(answer).toMatchObject({ lastSeq: 0, messages: [], frames: [], live: false });
  });

  it('refuses a locale longer than a language tag with 400 naming it', async () => {
    const { publicKey } = await createPilot();
    const { status, answer } = await pageView(publicKey, { locale: 'x'.repeat(36) });
    expect(status).toBe(400);
    const error = (answer as unknown as { error: { code: string; issues: { path: string }[] } })
      .error;
    expect(error.code).toBe('invalid_input');
    expect(error.issues.map((i) => i.path)).toContain('locale');
  });
});

describe('a conversation that never opens a socket', () => {
  it("has its page_visited run in the flow's enrollment log, as the events consumer wrote it", async () => {
    const { pilotId, publicKey } = await createPilot();
    const { flowId } = await publishFlow(pilotId, {
      name: 'Quiet greeter',
      trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
      start: 'hi',
      nodes: [
        { id: 'hi', type: 'send_message', text: 'Hello from a page view', next: 'end' },
        { id: 'end', type: 'end' },
      ],
    });
    const { answer } = await pageView(publicKey);
    expect(answer.messages.map((m) => m.text)).toEqual(['Hello from a page view']);
    // Nothing else reaches this conversation object: no socket, no further request. Its events
    // (run started, step, completed) must still be flushed to the queue on their own.
    const items = await eventually(
      async () =>
        (
          await json<{ items: { status: string }[] }>(
            await call(`/v1/admin/flows/${flowId}/enrollments`),
          )
        ).items,
      (list) => list.length === 1 && list[0]!.status === 'completed',
      'the run in the enrollment log',
    );
    expect(items.map((i) => i.status)).toEqual(['completed']);
  });
});

describe('a page view sent with the session request', () => {
  const pageView = (url: string) => ({
    v: 1,
    type: 'page_view',
    id: crypto.randomUUID(),
    page: { url, title: 'Pricing', referrer: '' },
  });
  const session = (publicKey: string, body: Record<string, unknown>) =>
    exports.default.fetch(
      new Request(`${BASE}/v1/widget/${publicKey}/session`, {
        method: 'POST',
        headers: { origin: 'http://localhost' },
        body: JSON.stringify(body),
      }),
    );

  it('is applied to the new conversation and answered with the greeting and the appearance', async () => {
    const { pilotId, publicKey } = await createPilot({
      appearance: { displayName: 'Greeter', accentColor: '#0f766e', position: 'left' },
    });
    await publishFlow(pilotId, {
      name: 'Greeter',
      trigger: { type: 'page_visited', urls: [{ op: 'contains', value: '/pricing' }] },
      start: 'hi',
      nodes: [{ id: 'hi', type: 'send_message', text: 'Bonjour ({{system.locale}})' }],
    });
    const response = await session(publicKey, {
      frames: [pageView('http://localhost/pricing')],
      locale: 'fr',
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      token: string;
      appearance: { accentColor: string; position: string };
      page: Answer & { refused: number[] };
    };
    expect(body.token).toBeTruthy();
    expect(body.appearance).toMatchObject({ accentColor: '#0f766e', position: 'left' });
    expect(body.page.refused).toEqual([]);
    expect(body.page.messages.map((m) => [m.author, m.text])).toEqual([['pilot', 'Bonjour (fr)']]);
    expect(body.page.live).toBe(false);
  });

  it('answers a session without frames as before, with no page', async () => {
    const { publicKey } = await createPilot();
    const body = (await (await session(publicKey, {})).json()) as Record<string, unknown>;
    expect(body.token).toBeTruthy();
    expect(body).not.toHaveProperty('page');
  });

  it('still starts the session when the conversation refuses its page view, answering without page', async () => {
    const { publicKey } = await createPilot();
    const first = (await (await session(publicKey, {})).json()) as {
      token: string;
      visitorKey: string;
      conversationId: string;
    };
    // Spend the conversation's beacon budget, then come back as the same visitor.
    let spent = false;
    for (let i = 0; i < 40 && !spent; i++) {
      const response = await exports.default.fetch(
        new Request(`${BASE}/v1/widget/${publicKey}/events`, {
          method: 'POST',
          headers: { origin: 'http://localhost' },
          body: JSON.stringify({ token: first.token, frames: [pageView('http://localhost/')] }),
        }),
      );
      spent = response.status === 429;
      await response.body?.cancel();
    }
    expect(spent).toBe(true);
    const response = await session(publicKey, {
      visitorKey: first.visitorKey,
      frames: [pageView('http://localhost/pricing')],
    });
    // The session is what the messenger cannot start without; with no `page` it sends the
    // page view again itself (widget/transport/connection.ts).
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.conversationId).toBe(first.conversationId);
    expect(body.token).toBeTruthy();
    expect(body).not.toHaveProperty('page');
  });

  it('refuses more than 50 frames with 400 naming the field, and starts no session', async () => {
    const { publicKey } = await createPilot();
    const frames = Array.from({ length: 51 }, () => pageView('http://localhost/'));
    const response = await session(publicKey, { frames });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as {
      error: { code: string; issues: { path: string }[] };
    };
    expect(error.code).toBe('invalid_input');
    expect(error.issues.map((i) => i.path)).toContain('frames');
  });
});

describe("a conversation's beacon budget", () => {
  it('refuses the same frame posted past the budget with 429 rate_limited, then accepts again once it refills', async () => {
    const { publicKey } = await createPilot();
    const { body: session } = await startSession(publicKey);
    if (!session) throw new Error('no session');
    // One frame, resent: a duplicate is acknowledged without a frame token, so only the
    // per-request budget can stop it from buying a settle and a replay every time.
    const frame = {
      v: 1,
      type: 'page_view',
      id: crypto.randomUUID(),
      page: { url: 'http://localhost/', title: 'Home', referrer: '' },
    };
    const post = (frames: unknown[]) =>
      exports.default.fetch(
        new Request(`${BASE}/v1/widget/${publicKey}/events`, {
          method: 'POST',
          headers: { origin: 'http://localhost' },
          body: JSON.stringify({ token: session.token, frames }),
        }),
      );
    const statuses: number[] = [];
    let refusal: Response | null = null;
    for (let i = 0; i < 40 && !refusal; i++) {
      const response = await post([frame]);
      statuses.push(response.status);
      if (response.status === 429) refusal = response;
      else await response.body?.cancel();
    }
    // The burst is 20 (2 a second refill): a few more may slip in while the loop runs, never 40.
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(20);
    expect(refusal?.status).toBe(429);
    expect(Number(refusal!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { error } = (await refusal!.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('rate_limited');
    // Normal use resumes after the refill: a new page view is accepted.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await post([{ ...frame, id: crypto.randomUUID() }]);
    expect(again.status).toBe(202);
    expect(((await again.json()) as Answer).accepted).toBe(1);
  });
});

describe('whether a page view tells the messenger to connect (live)', () => {
  /** A page view posted with a visitor's own token (a later page of the same visitor). */
  async function laterPageView(publicKey: string, token: string): Promise<Answer> {
    const response = await exports.default.fetch(
      new Request(`${BASE}/v1/widget/${publicKey}/events`, {
        method: 'POST',
        headers: { origin: 'http://localhost' },
        body: JSON.stringify({
          token,
          frames: [
            {
              v: 1,
              type: 'page_view',
              id: crypto.randomUUID(),
              page: { url: 'http://localhost/checkout', title: 'Checkout', referrer: '' },
            },
          ],
        }),
      }),
    );
    expect(response.status).toBe(202);
    return (await response.json()) as Answer;
  }

  it(`connects a visitor who wrote within ${CONVERSING_MS / 60_000} minutes, not one who wrote before that`, async () => {
    const { publicKey } = await createPilot();
    const { socket, conversationId, token } = await visit(publicKey);
    socket.send({ type: 'message', text: 'Is anyone there?' });
    await said(socket, 'Fallback answer.');
    socket.close();
    // The next page: an agent may answer the visitor who just wrote, so it must listen.
    expect((await laterPageView(publicKey, token)).live).toBe(true);
    // The real conversation object's rule, asked just over the window later: no socket.
    expect(await liveAt(conversationId, Date.now() + CONVERSING_MS + 1_000)).toBe(false);
    // A person replying puts the conversation with them: live again, however old the words.
    await indexed(conversationId);
    await agentReply(conversationId);
    expect((await laterPageView(publicKey, token)).live).toBe(true);
  });

  it('connects a visitor whose words are older than the newest 10 messages a flow sent', async () => {
    const { pilotId, publicKey } = await createPilot();
    const many = Array.from({ length: 12 }, (_, i) => ({
      id: `m${i}`,
      type: 'send_message' as const,
      text: `Tip ${i}`,
      next: i < 11 ? `m${i + 1}` : 'end',
    }));
    await publishFlow(pilotId, {
      name: 'Chatty page',
      trigger: { type: 'page_visited', urls: [{ op: 'any', value: '' }] },
      start: 'm0',
      nodes: [...many, { id: 'end', type: 'end' }],
    });
    const { socket, token } = await visit(publicKey);
    socket.send({ type: 'message', text: 'Is anyone there?' });
    await said(socket, 'Fallback answer.');
    socket.close();
    // The page's flow answers with 12 messages: the visitor's words are not among the newest
    // 10 the answer carries, yet they were written a moment ago (fails with the tail scan).
    const answer = await laterPageView(publicKey, token);
    expect(answer.messages.map((m) => m.author)).not.toContain('visitor');
    expect(answer.live).toBe(true);
  });

  it(`keeps a conversation with a person live for ${AGENT_LIVE_MS / 3_600_000} hours after the last word, not later, and not once closed`, async () => {
    const { publicKey } = await createPilot();
    const { socket, conversationId, token } = await visit(publicKey);
    socket.send({ type: 'message', text: 'Can a person help?' });
    await said(socket, 'Fallback answer.');
    socket.close();
    await indexed(conversationId);
    await agentReply(conversationId);
    expect((await laterPageView(publicKey, token)).live).toBe(true);
    const now = Date.now();
    // Past the visitor's 15 minutes, within the agent window: still listening for the person.
    expect(await liveAt(conversationId, now + CONVERSING_MS + 60_000)).toBe(true);
    // Months later (past the window): a plain page view, no socket.
    expect(await liveAt(conversationId, now + AGENT_LIVE_MS + 1_000)).toBe(false);
    // Closed (the runtime's own storage): past the visitor's 15 minutes, no socket any more,
    // though the person's window is still open.
    const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
    await runInDurableObject(stub, (instance) => {
      runtimeOf(instance).store.update({ status: 'closed' });
    });
    expect(await liveAt(conversationId, now + CONVERSING_MS + 60_000)).toBe(false);
  });
});

function runtimeOf(instance: unknown): ConversationRuntime {
  return (instance as { runtime: ConversationRuntime }).runtime;
}

/** The page view rule of the real conversation object, asked at `now`. */
async function liveAt(conversationId: string, now: number): Promise<boolean> {
  const stub = env.CONVERSATION.get(env.CONVERSATION.idFromName(conversationId));
  return runInDurableObject(stub, (instance) => runtimeOf(instance).tail(now).live);
}

async function agentReply(conversationId: string): Promise<void> {
  const reply = await call(`/v1/admin/conversations/${conversationId}/messages`, {
    method: 'POST',
    body: JSON.stringify({ text: 'An agent here.' }),
  });
  expect(reply.status).toBe(201);
}
