import { describe, expect, inject, it } from 'vitest';
import { HttpEmailTransport } from '../../worker/effects/email.ts';
import { runHttpRequest } from '../../worker/effects/http-request.ts';
import { checkAddress, guardUrl } from '../../worker/effects/ssrf-guard.ts';
import { call } from '../helpers/admin.ts';
import { createPilot, eventually, json, publishFlow, said, visit } from './runtime-helpers.ts';

const target = inject('httpTarget');

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}
const seen = async (tag: string) =>
  (await (await fetch(`${target}/_log?tag=${encodeURIComponent(tag)}`)).json()) as Seen[];

const say = (id: string, text: string) => ({ id, type: 'send_message' as const, text });

/** A pilot whose `go` event runs one http_request node with `request`, then reports. */
async function webhookFlow(request: Record<string, unknown>) {
  const { pilotId, publicKey } = await createPilot();
  await publishFlow(pilotId, {
    name: 'Webhook',
    trigger: { type: 'event', name: 'go' },
    variables: [{ name: 'status', type: 'text' }],
    start: 'call',
    nodes: [
      {
        id: 'call',
        type: 'http_request',
        url: '{{event.url}}',
        timeoutMs: 3000,
        next: 'ok',
        onError: 'bad',
        ...request,
      },
      say('ok', 'OK {{variable.status}}'),
      say('bad', 'Request failed'),
    ],
  });
  return visit(publicKey);
}

describe('http_request effect', () => {
  it('sends the templated request once with an Idempotency-Key and saves a response path', async () => {
    const tag = crypto.randomUUID();
    const { socket } = await webhookFlow({
      method: 'POST',
      url: `${target}/order?id={{event.order}}&tag=${tag}`,
      body: { order: '{{event.order}}', note: 'quote " inside' },
      saveResponse: [{ path: '$.order.status', to: 'variable.status' }],
    });
    socket.send({ type: 'event', name: 'go', props: { order: 'A-17' } });
    await said(socket, 'OK shipped');
    const requests = await seen(tag);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('POST');
    expect(requests[0]?.path).toContain('id=A-17');
    expect(JSON.parse(requests[0]?.body ?? '')).toEqual({ order: 'A-17', note: 'quote " inside' });
    expect(requests[0]?.headers['idempotency-key']).toMatch(/^run_.+:call$/);
    socket.close();
  });

  it('takes the error port when the server is slower than the timeout', async () => {
    const tag = crypto.randomUUID();
    const { socket } = await webhookFlow({ timeoutMs: 200 });
    socket.send({
      type: 'event',
      name: 'go',
      props: { url: `${target}/order?delay=1500&tag=${tag}` },
    });
    await said(socket, 'Request failed');
    socket.close();
  });

  it('refuses a response larger than the size cap', async () => {
    const { socket } = await webhookFlow({});
    socket.send({ type: 'event', name: 'go', props: { url: `${target}/big` } });
    await said(socket, 'Request failed');
    socket.close();
  });

  it('retries an idempotent GET after a 503 but never retries a POST', async () => {
    const getTag = crypto.randomUUID();
    const get = await webhookFlow({ method: 'GET' });
    get.socket.send({
      type: 'event',
      name: 'go',
      props: { url: `${target}/flaky?fail=1&tag=${getTag}` },
    });
    await said(get.socket, 'OK');
    expect(await seen(getTag)).toHaveLength(2);
    get.socket.close();

    const postTag = crypto.randomUUID();
    const post = await webhookFlow({ method: 'POST', body: { a: 1 } });
    post.socket.send({
      type: 'event',
      name: 'go',
      props: { url: `${target}/flaky?fail=1&tag=${postTag}` },
    });
    await said(post.socket, 'Request failed');
    expect(await seen(postTag)).toHaveLength(1);
    post.socket.close();
  });

  it('blocks private, link-local and metadata targets', async () => {
    const blocked = [
      'http://10.0.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://0xa9fea9fe/',
      'http://2852039166/',
      'http://metadata.google.internal/',
      'http://metadata.google.internal../',
      'http://metadata..google.internal/',
      'http://[fd00::1]/',
      'http://[fe80::1]/',
      'file:///etc/passwd',
    ];
    // The guard's own refusal (its error), not merely a request that failed: nothing listens
    // at these addresses here, so a failure alone would prove nothing.
    for (const url of blocked) {
      const result = await runHttpRequest(
        {
          type: 'http_request',
          nodeId: 'call',
          idempotencyKey: `k-${crypto.randomUUID()}`,
          awaitResult: true,
          method: 'GET',
          url,
          headers: {},
          timeoutMs: 1_000,
        },
        { allowLoopback: true },
      );
      expect(result, url).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^blocked_url: /),
      });
    }
    // And through a published flow: the run takes the error port.
    const { socket } = await webhookFlow({});
    socket.send({ type: 'event', name: 'go', props: { url: 'http://169.254.169.254/latest/' } });
    await said(socket, 'Request failed');
    socket.close();
  });

  it('checks the guard again on every redirect hop, against a target that would answer', async () => {
    const port = new URL(target).port;
    // 0.0.0.0 is refused even where loopback is allowed, yet on Linux a connection to it
    // reaches this machine's listeners: the control request proves the server answers there.
    const control = crypto.randomUUID();
    const direct = await fetch(`http://0.0.0.0:${port}/order?tag=${control}`);
    expect(direct.status).toBe(200);
    await direct.body?.cancel();
    expect(await seen(control)).toHaveLength(1);

    const tag = crypto.randomUUID();
    const hiddenTag = crypto.randomUUID();
    const hidden = `http://0.0.0.0:${port}/order?tag=${hiddenTag}`;
    // Requests that reached the hidden target (the redirect hop's URL names it too).
    const reachedHidden = async () =>
      (await seen(hiddenTag)).filter((s) => s.path.startsWith('/order'));
    const first = `${target}/redirect?tag=${tag}&to=${encodeURIComponent(hidden)}`;
    const result = await runHttpRequest(
      {
        type: 'http_request',
        nodeId: 'call',
        idempotencyKey: `k-${tag}`,
        awaitResult: true,
        method: 'GET',
        url: first,
        headers: {},
        timeoutMs: 2_000,
      },
      { allowLoopback: true },
    );
    expect(result).toEqual({ ok: false, error: 'blocked_url: unspecified address' });
    // The first hop was allowed and answered the redirect; the hidden target saw nothing.
    expect((await seen(tag)).map((s) => s.path)).toEqual([
      `/redirect?tag=${tag}&to=${encodeURIComponent(hidden)}`,
    ]);
    expect(await reachedHidden()).toEqual([]);

    // The same through a published flow: the run takes the error port.
    const { socket } = await webhookFlow({});
    socket.send({ type: 'event', name: 'go', props: { url: first } });
    await said(socket, 'Request failed');
    expect(await reachedHidden()).toEqual([]);
    socket.close();
  });

  it("never hands the flow's headers or body to another origin a redirect names", async () => {
    const other = target.replace('127.0.0.1', 'localhost');
    // What reached `/order` (the first hop's query names the tag too).
    const hops = async (tag: string) =>
      (await seen(tag)).filter((s) => s.path.startsWith('/order'));
    const post = (tag: string, status: number, to: string) =>
      runHttpRequest(
        {
          type: 'http_request',
          nodeId: 'call',
          idempotencyKey: `k-${tag}`,
          awaitResult: true,
          method: 'POST',
          url: `${target}/redirect?tag=${tag}&status=${status}&to=${encodeURIComponent(to)}`,
          headers: { authorization: 'Bearer PARTNER_SECRET', 'x-api-key': 'k1' },
          body: JSON.stringify({ email: 'victim@example.com' }),
          timeoutMs: 2_000,
        },
        { allowLoopback: true },
      );
    // 302 after a POST (as fetch does): a GET to the other origin, without the flow's headers
    // and without the body.
    const moved = crypto.randomUUID();
    const movedResult = await post(moved, 302, `${other}/order?tag=${moved}-hop`);
    expect(movedResult.ok).toBe(true);
    const [hop] = await hops(`${moved}-hop`);
    expect(hop).toMatchObject({ method: 'GET', body: '' });
    expect(hop?.headers.authorization).toBeUndefined();
    expect(hop?.headers['x-api-key']).toBeUndefined();
    expect(hop?.headers['idempotency-key']).toBe(`k-${moved}`);
    // 307 would resend the body: the step fails and the other origin hears nothing.
    const kept = crypto.randomUUID();
    const keptResult = await post(kept, 307, `${other}/order?tag=${kept}-hop`);
    expect(keptResult).toEqual({
      ok: false,
      error: `blocked_redirect: 307 to another origin (${new URL(other).origin}) would resend the body`,
    });
    expect(await hops(`${kept}-hop`)).toEqual([]);
    // Within the origin the author named, a 307 keeps the method, the headers and the body.
    const same = crypto.randomUUID();
    expect((await post(same, 307, `${target}/order?tag=${same}-hop`)).ok).toBe(true);
    const [sameHop] = await hops(`${same}-hop`);
    expect(sameHop).toMatchObject({ method: 'POST', body: '{"email":"victim@example.com"}' });
    expect(sameHop?.headers.authorization).toBe('Bearer PARTNER_SECRET');
  });

  it('allows loopback only when local development explicitly allows it', () => {
    const strict = { allowLoopback: false };
    for (const url of [
      'http://127.0.0.1/',
      'http://2130706433/',
      'http://0x7f000001/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://localhost:8080/',
      'http://api.localhost/',
    ]) {
      expect(guardUrl(url, strict), url).toMatchObject({ ok: false });
      expect(guardUrl(url, { allowLoopback: true }), url).toMatchObject({ ok: true });
    }
    expect(guardUrl('http://[::ffff:10.0.0.1]/', { allowLoopback: true })).toMatchObject({
      ok: false,
    });
    expect(guardUrl('https://hooks.example.com/x', strict)).toMatchObject({ ok: true });
    expect(guardUrl('http://user:pw@example.com/', strict)).toMatchObject({ ok: false });
    // However many trailing dots: a resolver reads "localhost.." as localhost.
    for (const url of ['http://localhost../', 'http://localhost.../x', 'http://api.localhost../'])
      expect(guardUrl(url, strict), url).toMatchObject({ ok: false });
  });

  it('refuses names that point at loopback or embed a private address (wildcard DNS)', () => {
    const strict = { allowLoopback: false };
    for (const url of [
      'http://127.0.0.1.nip.io/',
      'http://app.10.0.0.1.nip.io/',
      'http://169-254-169-254.sslip.io/latest/meta-data',
      'http://7f000001.nip.io/',
      'http://0a000001.nip.io/',
      'http://localtest.me/',
      'http://api.lvh.me/',
    ]) {
      expect(guardUrl(url, strict), url).toMatchObject({ ok: false });
    }
    expect(guardUrl('http://8.8.8.8.nip.io/', strict)).toMatchObject({ ok: true });
    expect(guardUrl('https://deadbeef.example.com/', strict)).toMatchObject({ ok: true });
  });

  it('refuses IPv6 forms that carry an IPv4 address inside (6to4, Teredo, NAT64, SIIT, ISATAP)', () => {
    const forms: [string, string][] = [
      ['http://[2002:7f00:1::]/', '6to4 address (embeds 127.0.0.1)'],
      ['http://[2002:a9fe:a9fe::1]/', '6to4 address (embeds 169.254.169.254)'],
      ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', 'Teredo address (embeds 127.0.0.1)'],
      ['http://[64:ff9b::127.0.0.1]/', 'NAT64 address (embeds 127.0.0.1)'],
      ['http://[64:ff9b:1::a00:1]/', 'NAT64 address (embeds 10.0.0.1)'],
      ['http://[::ffff:0:7f00:1]/', 'SIIT address (embeds 127.0.0.1)'],
      ['http://[::127.0.0.1]/', 'IPv4-compatible address (embeds 127.0.0.1)'],
      ['http://[2607:f8b0::200:5efe:a00:1]/', 'ISATAP address (embeds 10.0.0.1)'],
      ['http://[2001:db8::1]/', 'reserved address'],
      ['http://100.64.0.1/', 'carrier-grade NAT address'],
    ];
    for (const [url, reason] of forms) {
      // Refused even where local development allows loopback: none of these is "this machine".
      expect(guardUrl(url, { allowLoopback: true }), url).toEqual({ ok: false, reason });
      expect(
        checkAddress(new URL(url).hostname.replace(/^\[(.*)\]$/, '$1'), {
          allowLoopback: false,
        }),
      ).toBe(reason);
    }
    for (const url of [
      'http://[2606:4700:4700::1111]/',
      'http://[::ffff:8.8.8.8]/',
      'http://8.8.8.8/',
    ])
      expect(guardUrl(url, { allowLoopback: false }), url).toMatchObject({ ok: true });
  });

  it('checks every address a host name resolves to before connecting', async () => {
    const tag = crypto.randomUUID();
    const port = new URL(target).port;
    const effect = {
      type: 'http_request' as const,
      nodeId: 'call',
      idempotencyKey: `k-${tag}`,
      awaitResult: true,
      method: 'POST',
      url: `http://localhost:${port}/order?tag=${tag}`,
      headers: {},
      body: '{}',
      timeoutMs: 2_000,
    };
    const toPrivate = await runHttpRequest(effect, {
      allowLoopback: true,
      resolve: async () => ['127.0.0.1', '10.0.0.7'],
    });
    expect(toPrivate).toMatchObject({ ok: false, error: expect.stringContaining('10.0.0.7') });
    const unresolvable = await runHttpRequest(effect, {
      allowLoopback: true,
      resolve: async () => {
        throw new Error('no such host');
      },
    });
    expect(unresolvable).toMatchObject({ ok: false, error: expect.stringContaining('resolve') });
    expect(await seen(tag)).toHaveLength(0);

    const allowed = await runHttpRequest(effect, {
      allowLoopback: true,
      resolve: async () => ['127.0.0.1', '::1'],
    });
    expect(allowed).toMatchObject({ ok: true });
    expect(await seen(tag)).toHaveLength(1);
  });
});

describe('send_email and CRM effects', () => {
  it('writes the email to the outbox visible at GET /v1/admin/outbox', async () => {
    const { pilotId, publicKey } = await createPilot();
    const subject = `Lead ${crypto.randomUUID()}`;
    await publishFlow(pilotId, {
      name: 'Email',
      trigger: { type: 'event', name: 'go' },
      start: 'mail',
      nodes: [
        {
          id: 'mail',
          type: 'send_email',
          to: 'sales@example.com',
          subject,
          body: 'Visitor wants {{event.plan}}',
          next: 'done',
        },
        say('done', 'Mailed'),
      ],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go', props: { plan: 'pro' } });
    await said(socket, 'Mailed');
    const outbox = await eventually(
      async () =>
        (
          await json<{ items: { to: string; subject: string; data: { body: string } }[] }>(
            await call('/v1/admin/outbox?limit=100'),
          )
        ).items.filter((e) => e.subject === subject),
      (items) => items.length > 0,
      'the email in the outbox',
    );
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({
      to: 'sales@example.com',
      data: { body: 'Visitor wants pro' },
    });
    socket.close();
  });

  it('delivers through the HTTP provider adapter with the step idempotency key', async () => {
    const transport = new HttpEmailTransport({
      url: `${target}/emails?tag=provider-test`,
      apiKey: 'test-key',
      from: 'pilot@example.com',
    });
    const sent = await transport.send({
      to: 'a@example.com',
      subject: 'Hi',
      body: 'Body',
      idempotencyKey: 'run_x:1:mail',
    });
    expect(sent.id).toMatch(/^email_/);
    const [request] = await seen('provider-test');
    expect(request?.headers.authorization).toBe('Bearer test-key');
    expect(request?.headers['idempotency-key']).toBe('run_x:1:mail');
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({
      to: ['a@example.com'],
      text: 'Body',
    });
  });

  it('creates records and updates the contact with tags', async () => {
    const { pilotId, publicKey } = await createPilot();
    const email = `ada-${crypto.randomUUID()}@example.com`;
    await publishFlow(pilotId, {
      name: 'CRM',
      trigger: { type: 'event', name: 'go' },
      start: 'contact',
      nodes: [
        {
          id: 'contact',
          type: 'update_contact',
          fields: { email: '{{event.email}}', company: 'Acme' },
          next: 'tag',
        },
        { id: 'tag', type: 'add_tag', tags: ['lead', 'pricing'], next: 'task' },
        {
          id: 'task',
          type: 'create_record',
          kind: 'task',
          fields: { title: 'Call {{event.email}}' },
          next: 'done',
        },
        say('done', 'Recorded'),
      ],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go', props: { email } });
    await said(socket, 'Recorded');
    const records = await eventually(
      async () =>
        (
          await json<{ items: { kind: string; data: { title: string } }[] }>(
            await call('/v1/admin/records?kind=task&limit=100'),
          )
        ).items.filter((r) => r.data.title === `Call ${email}`),
      (items) => items.length > 0,
      'the task record',
    );
    expect(records).toHaveLength(1);
    const contacts = await eventually(
      async () =>
        (
          await json<{
            items: { email?: string; tags?: string[]; fields?: Record<string, unknown> }[];
          }>(await call('/v1/admin/contacts?limit=100'))
        ).items.filter((c) => c.email === email),
      (items) => (items[0]?.tags?.length ?? 0) === 2,
      'the tagged contact',
    );
    expect(contacts[0]).toMatchObject({
      email,
      tags: ['lead', 'pricing'],
      fields: { company: 'Acme' },
    });
    socket.close();
  });

  it('stores an email question answer saved to contact.email on the contact (lead capture)', async () => {
    const { pilotId, publicKey } = await createPilot();
    const email = `lead-${crypto.randomUUID()}@example.com`;
    await publishFlow(pilotId, {
      name: 'Lead capture',
      trigger: { type: 'event', name: 'go' },
      start: 'ask',
      nodes: [
        {
          id: 'ask',
          type: 'ask_question',
          text: 'Your email?',
          input: { kind: 'email' },
          saveTo: 'contact.email',
          next: 'thanks',
        },
        say('thanks', 'Thanks, we will write to {{contact.email}}'),
      ],
    });
    const { socket, visitorId } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await said(socket, 'Your email?');
    // Typed with spaces and capitals: stored normalised, as update_contact stores it.
    socket.send({ type: 'message', text: `  ${email.toUpperCase()} ` });
    await said(socket, `Thanks, we will write to ${email}`);
    const contacts = await eventually(
      async () =>
        (
          await json<{ items: { id: string; email?: string }[] }>(
            await call('/v1/admin/contacts?limit=100'),
          )
        ).items.filter((c) => c.email === email),
      (items) => items.length > 0,
      'the contact with the answered email',
    );
    // This conversation's own (anonymous) contact, not some other record.
    expect(contacts).toEqual([expect.objectContaining({ id: `ct_${visitorId}`, email })]);
    socket.close();
  });

  it('sends redirect and banner frames to the widget', async () => {
    const { pilotId, publicKey } = await createPilot();
    await publishFlow(pilotId, {
      name: 'Actions',
      trigger: { type: 'event', name: 'go' },
      start: 'banner',
      nodes: [
        { id: 'banner', type: 'show_banner', text: 'Sale ends today', style: 'info', next: 'go' },
        { id: 'go', type: 'redirect', url: 'https://shop.example/sale', newTab: false },
      ],
    });
    const { socket } = await visit(publicKey);
    socket.send({ type: 'event', name: 'go' });
    await eventually(
      async () => socket.frames.map((f) => f.type),
      (types) => types.includes('redirect') && types.includes('banner'),
      'redirect and banner frames',
    );
    expect(socket.frames.find((f) => f.type === 'redirect')).toMatchObject({
      url: 'https://shop.example/sale',
      newTab: false,
    });
    socket.close();
  });
});
