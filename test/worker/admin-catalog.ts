/**
 * Every admin route of this issue with a valid request, built over a fixture workspace that
 * holds one of everything. The access, isolation and fuzz tests iterate over this list.
 */
import { env } from 'cloudflare:test';
import { sampleFlow, type Workspace, workspace } from './admin-fixtures.ts';

export interface Fixture {
  ws: Workspace;
  pilotId: string;
  publicKey: string;
  flowId: string;
  items: Record<'intents' | 'entities' | 'variables' | 'knowledge', string>;
  contactId: string;
  userId: string;
  teamId: string;
  companyId: string;
  keyId: string;
}

export interface RouteCase {
  /** `METHOD /openapi/path`, as in the OpenAPI document. */
  route: string;
  method: string;
  path: string;
  body?: unknown;
  /** An invalid body or query and the issue path the 400 must name. */
  invalid?: { body?: unknown; query?: string; path: string };
  /** Changes state (needs the write scope). */
  writes: boolean;
  /**
   * The route keeps a quota per key below the number of fuzz cases (live tickets: 20 open per
   * key): the fuzzer sends each case with a fresh key, so a 429 still means a failure.
   */
  quotaPerKey?: true;
}

export const ITEM_BODIES = {
  intents: () => ({
    name: `billing_${crypto.randomUUID().slice(0, 8)}`,
    trainingPhrases: [
      'where is my invoice',
      'I was charged twice',
      'refund my payment',
      'update my card',
      'billing question',
    ],
  }),
  entities: () => ({
    kind: 'list',
    name: `plan_${crypto.randomUUID().slice(0, 8)}`,
    values: [{ value: 'pro', synonyms: ['professional'] }],
  }),
  variables: () => ({ name: `v_${crypto.randomUUID().slice(0, 8)}`, type: 'text', value: 'Acme' }),
  knowledge: () => ({
    title: 'Refunds',
    body: 'Refunds are paid within 5 days.',
    url: 'https://example.com/refunds',
  }),
} as const;

async function post<T>(ws: Workspace, path: string, body: unknown): Promise<T> {
  const res = await ws.json<T>(path, { method: 'POST', body });
  if (res.status !== 201 && res.status !== 200) {
    throw new Error(`fixture POST ${path} failed ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

export async function fixture(): Promise<Fixture> {
  const ws = await workspace();
  const pilot = await post<{ id: string; publicKey: string }>(ws, '/pilots', {
    name: 'Fixture pilot',
    trustedDomains: ['example.com', '*.example.com'],
  });
  const flow = await post<{ id: string }>(ws, '/flows', sampleFlow(pilot.id));
  await post(ws, `/flows/${flow.id}/publish`, { note: 'first' });
  const items = {} as Fixture['items'];
  for (const kind of Object.keys(ITEM_BODIES) as (keyof typeof ITEM_BODIES)[]) {
    items[kind] = (
      await post<{ id: string }>(ws, `/pilots/${pilot.id}/${kind}`, ITEM_BODIES[kind]())
    ).id;
  }
  const contact = await post<{ id: string }>(ws, '/contacts', {
    email: `${crypto.randomUUID()}@example.com`,
    name: 'Ada',
  });
  const user = await post<{ id: string }>(ws, '/users', {
    name: 'Grace',
    email: `${crypto.randomUUID()}@example.com`,
  });
  const team = await post<{ id: string }>(ws, '/teams', { name: 'Support', members: [user.id] });
  const company = await post<{ id: string }>(ws, '/companies', { name: 'Acme' });
  // Lists are paged in the tests: two companies make two pages.
  await post(ws, '/companies', { name: 'Initech', domain: 'initech.example' });
  const key = await post<{ id: string }>(ws, '/api-keys', { name: 'spare', scopes: ['read'] });
  await env.DB.prepare(
    `INSERT INTO records (id, workspace_id, pilot_id, conversation_id, kind, data, created_at) VALUES (?, ?, ?, NULL, 'deal', '{"title":"Big deal"}', ?)`,
  )
    .bind(`rec_${crypto.randomUUID()}`, ws.id, pilot.id, Date.now())
    .run();
  await env.DB.prepare(
    `INSERT INTO outbox (id, workspace_id, pilot_id, conversation_id, to_address, subject, data, created_at) VALUES (?, ?, ?, NULL, 'a@example.com', 'Hi', '{"body":"Hello"}', ?)`,
  )
    .bind(`mail_${crypto.randomUUID()}`, ws.id, pilot.id, Date.now())
    .run();
  return {
    ws,
    pilotId: pilot.id,
    publicKey: pilot.publicKey,
    flowId: flow.id,
    items,
    contactId: contact.id,
    userId: user.id,
    teamId: team.id,
    companyId: company.id,
    keyId: key.id,
  };
}

/**
 * The routes, in an order where running every case once against one fixture works (deletes
 * come last). `fx` supplies the ids.
 */
export function routeCases(fx: Fixture): RouteCase[] {
  const p = fx.pilotId;
  const f = fx.flowId;
  const cases: RouteCase[] = [
    {
      route: 'get /pilots',
      method: 'GET',
      path: '/pilots',
      writes: false,
      invalid: { query: 'limit=0', path: 'query.limit' },
    },
    {
      route: 'post /pilots',
      method: 'POST',
      path: '/pilots',
      body: { name: 'Another' },
      writes: true,
      invalid: { body: { name: 'x', timezone: 'Mars/Base' }, path: 'timezone' },
    },
    { route: 'get /pilots/{pilotId}', method: 'GET', path: `/pilots/${p}`, writes: false },
    {
      route: 'patch /pilots/{pilotId}',
      method: 'PATCH',
      path: `/pilots/${p}`,
      body: { persona: 'Helpful' },
      writes: true,
      invalid: { body: { trustedDomains: ['http://bad/'] }, path: 'trustedDomains.0' },
    },
    {
      route: 'post /pilots/{pilotId}/identity-secret/rotate',
      method: 'POST',
      path: `/pilots/${p}/identity-secret/rotate`,
      writes: true,
    },
  ];
  for (const kind of Object.keys(ITEM_BODIES) as (keyof typeof ITEM_BODIES)[]) {
    const base = `/pilots/${p}/${kind}`;
    const route = `/pilots/{pilotId}/${kind}`;
    const invalidPath = kind === 'knowledge' ? 'url' : kind === 'entities' ? 'kind' : 'name';
    const invalidBody =
      kind === 'knowledge'
        ? { title: 'T', body: 'B', url: 'not a url' }
        : { name: '1 bad name', kind: 'nope' };
    cases.push(
      {
        route: `get ${route}`,
        method: 'GET',
        path: base,
        writes: false,
        invalid: { query: 'limit=1000', path: 'query.limit' },
      },
      {
        route: `post ${route}`,
        method: 'POST',
        path: base,
        body: ITEM_BODIES[kind](),
        writes: true,
        invalid: { body: invalidBody, path: invalidPath },
      },
      {
        route: `get ${route}/{itemId}`,
        method: 'GET',
        path: `${base}/${fx.items[kind]}`,
        writes: false,
      },
      {
        route: `put ${route}/{itemId}`,
        method: 'PUT',
        path: `${base}/${fx.items[kind]}`,
        body: ITEM_BODIES[kind](),
        writes: true,
        invalid: { body: invalidBody, path: invalidPath },
      },
    );
  }
  cases.push(
    {
      route: 'get /flows',
      method: 'GET',
      path: `/flows?pilotId=${p}`,
      writes: false,
      invalid: { query: 'cursor=garbage', path: 'query.cursor' },
    },
    {
      route: 'post /flows',
      method: 'POST',
      path: '/flows',
      body: sampleFlow(p),
      writes: true,
      invalid: { body: { ...sampleFlow(p), name: '' }, path: 'name' },
    },
    { route: 'get /flows/{flowId}', method: 'GET', path: `/flows/${f}`, writes: false },
    {
      route: 'put /flows/{flowId}',
      method: 'PUT',
      path: `/flows/${f}`,
      body: sampleFlow(p, 'Changed'),
      writes: true,
      invalid: { body: { ...sampleFlow(p), nodes: [] }, path: 'nodes' },
    },
    {
      route: 'post /flows/{flowId}/validate',
      method: 'POST',
      path: `/flows/${f}/validate`,
      body: sampleFlow(p),
      writes: false,
    },
    {
      route: 'post /flows/validate',
      method: 'POST',
      path: '/flows/validate',
      body: sampleFlow(p),
      writes: false,
    },
    {
      route: 'post /flows/{flowId}/simulate',
      method: 'POST',
      path: `/flows/${f}/simulate`,
      body: { events: [{ type: 'event', name: 'signed_up' }] },
      writes: false,
      invalid: { body: { events: [{ type: 'teleport' }] }, path: 'events.0.type' },
    },
    {
      route: 'post /flows/{flowId}/publish',
      method: 'POST',
      path: `/flows/${f}/publish`,
      body: { note: 'again' },
      writes: true,
      invalid: { body: { note: 7 }, path: 'note' },
    },
    {
      route: 'get /flows/{flowId}/versions',
      method: 'GET',
      path: `/flows/${f}/versions`,
      writes: false,
      invalid: { query: 'limit=-1', path: 'query.limit' },
    },
    {
      route: 'get /flows/{flowId}/versions/{version}',
      method: 'GET',
      path: `/flows/${f}/versions/1`,
      writes: false,
    },
    {
      route: 'get /flows/{flowId}/diff',
      method: 'GET',
      path: `/flows/${f}/diff?from=1&to=draft`,
      writes: false,
      invalid: { query: 'from=zero', path: 'query.from' },
    },
    {
      route: 'post /flows/{flowId}/versions/{version}/restore',
      method: 'POST',
      path: `/flows/${f}/versions/1/restore`,
      writes: true,
    },
    {
      route: 'post /flows/{flowId}/unpublish',
      method: 'POST',
      path: `/flows/${f}/unpublish`,
      writes: true,
    },
    { route: 'get /schema/flow.json', method: 'GET', path: '/schema/flow.json', writes: false },
    {
      route: 'post /pilots/{pilotId}/ask',
      method: 'POST',
      path: `/pilots/${p}/ask`,
      body: { question: 'how are refunds paid?' },
      writes: true,
      invalid: { body: { question: '' }, path: 'question' },
    },
    {
      route: 'post /pilots/{pilotId}/classify',
      method: 'POST',
      path: `/pilots/${p}/classify`,
      body: { text: 'where is my invoice?' },
      writes: true,
      invalid: { body: { text: '' }, path: 'text' },
    },
    {
      route: 'get /pilots/{pilotId}/unanswered-questions',
      method: 'GET',
      path: `/pilots/${p}/unanswered-questions`,
      writes: false,
      invalid: { query: 'limit=0', path: 'query.limit' },
    },
    {
      route: 'delete /pilots/{pilotId}/unanswered-questions',
      method: 'DELETE',
      path: `/pilots/${p}/unanswered-questions`,
      writes: true,
    },
  );
  for (const [kind, id, body, invalid] of [
    [
      'contacts',
      fx.contactId,
      { name: 'Alan', tags: ['vip'] },
      { body: { email: 'not-an-email' }, path: 'email' },
    ],
    ['users', fx.userId, { name: 'Grace H.' }, { body: { name: '' }, path: 'name' }],
    [
      'teams',
      fx.teamId,
      { name: `Sales ${crypto.randomUUID().slice(0, 4)}` },
      { body: { members: 'everyone' }, path: 'members' },
    ],
    [
      'companies',
      fx.companyId,
      { domain: 'acme.example', fields: { plan: 'pro' } },
      { body: { domain: 'not a domain' }, path: 'domain' },
    ],
  ] as const) {
    const createBody =
      kind === 'contacts'
        ? { email: `${crypto.randomUUID()}@example.com` }
        : kind === 'users'
          ? { name: 'New agent', email: `${crypto.randomUUID()}@example.com` }
          : kind === 'companies'
            ? { name: 'Globex' }
            : { name: `Team ${crypto.randomUUID().slice(0, 6)}`, members: [] };
    cases.push(
      {
        route: `get /${kind}`,
        method: 'GET',
        path: `/${kind}?q=a`,
        writes: false,
        invalid: { query: 'limit=abc', path: 'query.limit' },
      },
      {
        route: `post /${kind}`,
        method: 'POST',
        path: `/${kind}`,
        body: createBody,
        writes: true,
        invalid,
      },
      { route: `get /${kind}/{id}`, method: 'GET', path: `/${kind}/${id}`, writes: false },
      {
        route: `patch /${kind}/{id}`,
        method: 'PATCH',
        path: `/${kind}/${id}`,
        body,
        writes: true,
        invalid,
      },
    );
  }
  cases.push(
    {
      route: 'get /records',
      method: 'GET',
      path: '/records?kind=deal',
      writes: false,
      invalid: { query: 'kind=invoice', path: 'query.kind' },
    },
    { route: 'get /outbox', method: 'GET', path: '/outbox', writes: false },
    {
      route: 'put /contacts/{id}/company',
      method: 'PUT',
      path: `/contacts/${fx.contactId}/company`,
      body: { companyId: fx.companyId },
      writes: true,
      invalid: { body: { companyId: 'not an id' }, path: 'companyId' },
    },
    {
      route: 'get /contacts/{id}/company',
      method: 'GET',
      path: `/contacts/${fx.contactId}/company`,
      writes: false,
    },
    {
      route: 'delete /contacts/{id}/company',
      method: 'DELETE',
      path: `/contacts/${fx.contactId}/company`,
      writes: true,
    },
    { route: 'get /api-keys', method: 'GET', path: '/api-keys', writes: false },
    {
      route: 'post /api-keys',
      method: 'POST',
      path: '/api-keys',
      body: { name: 'ci', scopes: ['read', 'write'] },
      writes: true,
      invalid: { body: { name: 'x', scopes: ['admin'] }, path: 'scopes.0' },
    },
    // Deletes last: they remove what earlier cases use.
    {
      route: 'delete /api-keys/{keyId}',
      method: 'DELETE',
      path: `/api-keys/${fx.keyId}`,
      writes: true,
    },
    { route: 'delete /teams/{id}', method: 'DELETE', path: `/teams/${fx.teamId}`, writes: true },
    {
      route: 'delete /companies/{id}',
      method: 'DELETE',
      path: `/companies/${fx.companyId}`,
      writes: true,
    },
    { route: 'delete /users/{id}', method: 'DELETE', path: `/users/${fx.userId}`, writes: true },
    {
      route: 'delete /contacts/{id}',
      method: 'DELETE',
      path: `/contacts/${fx.contactId}`,
      writes: true,
    },
    ...(Object.keys(ITEM_BODIES) as (keyof typeof ITEM_BODIES)[]).map((kind) => ({
      route: `delete /pilots/{pilotId}/${kind}/{itemId}`,
      method: 'DELETE',
      path: `/pilots/${p}/${kind}/${fx.items[kind]}`,
      writes: true,
    })),
    { route: 'delete /flows/{flowId}', method: 'DELETE', path: `/flows/${f}`, writes: true },
    { route: 'delete /pilots/{pilotId}', method: 'DELETE', path: `/pilots/${p}`, writes: true },
  );
  return cases;
}

/**
 * Routes of the runtime issue (conversations, enrollment logs, insights, live, presence), with
 * ids that do not exist (their success paths need a live conversation; the runtime tests and
 * admin-isolation-runtime.test.ts have one).
 */
export function runtimeCases(fx: Fixture): RouteCase[] {
  const conv = 'conv_fuzz_missing';
  const enr = 'enr_fuzz_missing';
  const get = (route: string, path: string): RouteCase => ({
    route,
    method: 'GET',
    path,
    writes: false,
  });
  return [
    get('get /conversations', '/conversations'),
    get('get /conversations/{conversationId}', `/conversations/${conv}`),
    {
      route: 'post /conversations/{conversationId}/messages',
      method: 'POST',
      path: `/conversations/${conv}/messages`,
      body: { text: 'Hello from an agent' },
      writes: true,
    },
    ...['release', 'close'].map((action) => ({
      route: `post /conversations/{conversationId}/${action}`,
      method: 'POST',
      path: `/conversations/${conv}/${action}`,
      writes: true,
    })),
    get('get /flows/{flowId}/enrollments', `/flows/${fx.flowId}/enrollments`),
    get('get /enrollments/{enrollmentId}', `/enrollments/${enr}`),
    ...['unenroll', 'retry'].map((action) => ({
      route: `post /enrollments/{enrollmentId}/${action}`,
      method: 'POST',
      path: `/enrollments/${enr}/${action}`,
      writes: true,
    })),
    get('get /flows/{flowId}/insights', `/flows/${fx.flowId}/insights`),
    get('get /flows/{flowId}/insights/timeline', `/flows/${fx.flowId}/insights/timeline`),
    get('get /live', `/live?pilotId=${fx.pilotId}`),
    // A POST that only lets one watch: `read` suffices (worker/auth/admin-auth.ts scopeFor).
    {
      route: 'post /live/tickets',
      method: 'POST',
      path: '/live/tickets',
      body: { pilotId: fx.pilotId },
      writes: false,
      quotaPerKey: true,
    },
    {
      route: 'put /users/{userId}/presence',
      method: 'PUT',
      path: `/users/${fx.userId}/presence`,
      body: { status: 'online' },
      writes: true,
    },
    // Privacy (issue 18), on ids that do not exist: erasing the fixture's own contact would
    // take it from the routes after these. test/worker/privacy.test.ts covers the success paths.
    ...['contacts/contact_fuzz_missing', 'visitors/v_fuzz_missing'].map((subject) => ({
      route: `post /${subject.split('/')[0]}/{${subject.startsWith('contacts') ? 'contactId' : 'visitorId'}}/erase`,
      method: 'POST',
      path: `/${subject}/erase`,
      writes: true,
    })),
    {
      route: 'delete /conversations/{conversationId}',
      method: 'DELETE',
      path: `/conversations/${conv}`,
      writes: true,
    },
    get('get /contacts/{contactId}/export', '/contacts/contact_fuzz_missing/export'),
  ];
}

export { workspace };
