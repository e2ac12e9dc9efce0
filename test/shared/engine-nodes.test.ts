import { describe, expect, it } from 'vitest';
import { MAX_STEPS_PER_EVENT } from '../../shared/engine/types.ts';
import { DEFAULT_HANDOVER_MESSAGE } from '../../shared/flow/nodes.ts';
import { makeFlow, play, result, say } from './engine-test-helpers.ts';

describe('engine: message and flow-control nodes', () => {
  it('send_message renders templates, image, link buttons and cards as data', () => {
    const flow = makeFlow([
      {
        id: 'm',
        type: 'send_message',
        text: 'Hi {{contact.name | "friend"}}',
        image: { url: 'https://cdn.example/{{contact.name}}.png', alt: 'Logo' },
        buttons: [
          { label: 'Docs', url: 'https://x.example/docs?u={{contact.name}}', newTab: true },
        ],
        cards: [{ title: 'Pro', text: 'For {{contact.name}}' }],
      },
    ]);
    const { effects } = play(flow, [], { data: { contact: { name: 'A B' } } });
    expect(effects[0]).toEqual({
      type: 'say',
      nodeId: 'm',
      text: 'Hi A B',
      image: { url: 'https://cdn.example/A%20B.png', alt: 'Logo' },
      links: [{ label: 'Docs', url: 'https://x.example/docs?u=A%20B', newTab: true }],
      cards: [{ title: 'Pro', text: 'For A B' }],
    });
  });

  it('condition takes the first matching branch, else the else port', () => {
    const flow = makeFlow([
      {
        id: 'c',
        type: 'condition',
        branches: [
          { when: { field: 'visitor.country', op: 'eq', value: 'FR' }, next: 'fr' },
          { when: { field: 'visitor.country', op: 'in', value: ['DE', 'AT'] }, next: 'de' },
        ],
        else: 'other',
      },
      say('fr', 'Bonjour'),
      say('de', 'Hallo'),
      say('other', 'Hello'),
    ]);
    expect(play(flow, [], { data: { visitor: { country: 'de' } } }).says).toEqual(['Hallo']);
    expect(play(flow, [], { data: { visitor: { country: 'US' } } }).says).toEqual(['Hello']);
    expect(play(flow, [], { data: { visitor: { country: 'de' } } }).log[0]?.port).toBe(
      'branches[1].next',
    );
  });

  it('split is stable per conversation and spreads conversations by percentage', () => {
    const flow = makeFlow([
      {
        id: 's',
        type: 'split',
        paths: [
          { percent: 30, next: 'a' },
          { percent: 70, next: 'b' },
        ],
      },
      say('a', 'A'),
      say('b', 'B'),
    ]);
    const pick = (conversationId: string) => play(flow, [], { conversationId }).says[0];
    expect(pick('conv-42')).toBe(pick('conv-42'));
    const counts = { A: 0, B: 0 };
    for (let i = 0; i < 2000; i++) counts[pick(`c${i}`) as 'A' | 'B']++;
    expect(counts.A).toBeGreaterThan(500);
    expect(counts.A).toBeLessThan(700);
  });

  it('set_variable sets (typed), increments, appends and clears', () => {
    const flow = makeFlow(
      [
        {
          id: 'v',
          type: 'set_variable',
          assignments: [
            { target: 'variable.total', op: 'set', value: '{{event.total}}' },
            { target: 'variable.count', op: 'increment' },
            { target: 'variable.count', op: 'increment', value: 2 },
            { target: 'variable.items', op: 'append', value: 'a' },
            { target: 'variable.items', op: 'append', value: '{{contact.email}}' },
            { target: 'variable.gone', op: 'clear' },
            { target: 'variable.label', op: 'set', value: 'Total: {{event.total}}' },
          ],
          next: 'm',
        },
        say('m', '{{variable.count}} / {{variable.items}}'),
      ],
      {
        variables: [
          { name: 'total', type: 'number' },
          { name: 'count', type: 'number' },
          { name: 'items', type: 'list' },
          { name: 'gone', type: 'text', default: 'x' },
          { name: 'label', type: 'text' },
        ],
      },
    );
    const { state, says } = play(flow, [], {
      data: { event: { total: '120.5' }, contact: { email: 'a@b.c' } },
    });
    expect(state.variables).toEqual({
      total: 120.5,
      count: 3,
      items: ['a', 'a@b.c'],
      label: 'Total: 120.5',
    });
    expect(says).toEqual(['3 / ["a","a@b.c"]']);
  });

  it('end completes the run; a missing port also completes it', () => {
    expect(play(makeFlow([say('a', 'x', 'e'), { id: 'e', type: 'end' }])).state.status).toBe(
      'completed',
    );
    expect(play(makeFlow([say('a', 'x')])).state).toMatchObject({
      status: 'completed',
      nodeId: null,
    });
  });

  it('fails with step_limit after 200 nodes in one event and logs it', () => {
    const flow = makeFlow(
      [
        {
          id: 'a',
          type: 'set_variable',
          assignments: [{ target: 'variable.n', op: 'increment' }],
          next: 'b',
        },
        {
          id: 'b',
          type: 'set_variable',
          assignments: [{ target: 'variable.n', op: 'increment' }],
          next: 'a',
        },
      ],
      { variables: [{ name: 'n', type: 'number' }] },
    );
    const { state, log } = play(flow);
    expect(state).toMatchObject({ status: 'failed', error: 'step_limit' });
    expect(state.variables.n).toBe(MAX_STEPS_PER_EVENT);
    expect(log.at(-1)).toMatchObject({ status: 'failed', error: 'step_limit' });
  });

  it('cancel ends a waiting run as cancelled and logs the node it waited on', () => {
    const flow = makeFlow([{ id: 'q', type: 'ask_question', text: '?', input: { kind: 'text' } }]);
    const { state, log } = play(flow, [{ type: 'cancel', reason: 'unpublished' }]);
    expect(state).toMatchObject({ status: 'cancelled', error: 'unpublished' });
    expect(log.at(-1)).toMatchObject({ nodeId: 'q', status: 'cancelled' });
  });

  it('ignores events the run is not waiting for (duplicates are harmless)', () => {
    const flow = makeFlow([{ id: 'q', type: 'ask_question', text: '?', input: { kind: 'text' } }]);
    const started = play(flow);
    const again = play(flow, [{ type: 'start' }, result('q', true)]);
    expect(again.state).toEqual(started.state);
    expect(again.says).toEqual(['?']);
  });
});

describe('engine: I/O nodes emit effects and results pick the port', () => {
  const http = makeFlow(
    [
      {
        id: 'h',
        type: 'http_request',
        method: 'POST',
        url: 'https://api.example/orders?q={{variable.q}}',
        headers: { 'X-Email': '{{contact.email}}' },
        body: { q: '{{variable.q}}', n: '{{variable.n}}', note: 'for {{variable.q}}' },
        saveResponse: [{ path: '$.order.items[0].name', to: 'variable.item' }],
        next: 'ok',
        onError: 'err',
      },
      say('ok', 'Got {{variable.item}}'),
      say('err', 'Failed'),
    ],
    {
      variables: [
        { name: 'q', type: 'text', default: 'a"b&c' },
        { name: 'n', type: 'number', default: 3 },
        { name: 'item', type: 'text' },
      ],
    },
  );

  it('http_request renders a JSON-safe body and an encoded URL, then waits', () => {
    const { effects, state } = play(http, [], { data: { contact: { email: 'x@y.z' } } });
    expect(effects[0]).toMatchObject({
      type: 'http_request',
      method: 'POST',
      url: 'https://api.example/orders?q=a%22b%26c',
      headers: { 'X-Email': 'x@y.z' },
      contentType: 'application/json',
      awaitResult: true,
      idempotencyKey: 'run-1:0:h',
    });
    const sent = effects[0]?.type === 'http_request' ? effects[0].body : '';
    expect(JSON.parse(sent ?? '')).toEqual({ q: 'a"b&c', n: 3, note: 'for a"b&c' });
    expect(state).toMatchObject({ status: 'waiting', nodeId: 'h', waitingFor: 'effect' });
  });

  it('http_request saves response fields on 2xx and goes to next', () => {
    const body = { order: { items: [{ name: 'Lamp' }] } };
    const { says, state } = play(http, [result('h', true, { status: 200, body })]);
    expect(says).toEqual(['Got Lamp']);
    expect(state.variables.item).toBe('Lamp');
  });

  it('http_request goes to onError on a non-2xx status, and fails the run without one', () => {
    expect(play(http, [result('h', true, { status: 503 })]).says).toEqual(['Failed']);
    const bare = makeFlow([{ id: 'h', type: 'http_request', url: 'https://x.example' }]);
    expect(play(bare, [result('h', false, { status: 0 })]).state).toMatchObject({
      status: 'failed',
      error: 'http_0',
    });
  });

  it('a text http body with JSON gets JSON-escaped values', () => {
    const flow = makeFlow([
      {
        id: 'h',
        type: 'http_request',
        method: 'POST',
        url: 'https://x.example',
        body: '{"msg": "{{system.last_utterance}}"}',
      },
    ]);
    const { effects } = play(flow, [], { data: { system: { last_utterance: 'say "hi"\n' } } });
    const sent = effects[0]?.type === 'http_request' ? effects[0].body : '';
    expect(JSON.parse(sent ?? '')).toEqual({ msg: 'say "hi"\n' });
  });

  it('send_email, create_record and update_contact fire and continue without an error port', () => {
    const flow = makeFlow(
      [
        { id: 'c', type: 'update_contact', fields: { email: '{{variable.e}}' }, next: 'r' },
        {
          id: 'r',
          type: 'create_record',
          kind: 'deal',
          fields: { title: 'Deal {{contact.email}}' },
          next: 'm',
        },
        {
          id: 'm',
          type: 'send_email',
          to: 'sales@x.example',
          subject: 'Lead',
          body: 'From {{contact.email}}',
        },
      ],
      { variables: [{ name: 'e', type: 'text', default: 'n@x.example' }] },
    );
    const { effects, state } = play(flow);
    expect(effects.map((e) => [e.type, 'awaitResult' in e && e.awaitResult])).toEqual([
      ['update_contact', false],
      ['create_record', false],
      ['send_email', false],
    ]);
    expect(effects[1]).toMatchObject({ kind: 'deal', fields: { title: 'Deal n@x.example' } });
    expect(effects[2]).toMatchObject({ body: 'From n@x.example' });
    expect(state.status).toBe('completed');
  });

  it('send_email with onError waits for its result and routes a failure', () => {
    const flow = makeFlow([
      {
        id: 'm',
        type: 'send_email',
        to: 'a@b.c',
        subject: 's',
        body: 'b',
        next: 'ok',
        onError: 'bad',
      },
      say('ok', 'sent'),
      say('bad', 'not sent'),
    ]);
    expect(play(flow).state).toMatchObject({ status: 'waiting', waitingFor: 'effect' });
    expect(play(flow, [result('m', false)]).says).toEqual(['not sent']);
    expect(play(flow, [result('m', true)]).says).toEqual(['sent']);
  });

  it('add_tag and remove_tag emit rendered tags', () => {
    const flow = makeFlow([
      { id: 't', type: 'add_tag', tags: ['lead', 'src-{{visitor.utm_source}}'], next: 'u' },
      { id: 'u', type: 'remove_tag', tags: ['cold'] },
    ]);
    const { effects } = play(flow, [], { data: { visitor: { utm_source: 'ads' } } });
    expect(effects).toMatchObject([
      { type: 'add_tag', tags: ['lead', 'src-ads'], awaitResult: false },
      { type: 'remove_tag', tags: ['cold'] },
    ]);
  });

  it('check_availability picks a port from the agents given by the caller', () => {
    const flow = makeFlow([
      { id: 'c', type: 'check_availability', teams: ['sales'], available: 'y', unavailable: 'n' },
      say('y', 'yes'),
      say('n', 'no'),
    ]);
    const agents = [
      { id: 'u1', available: true, teams: ['support'] },
      { id: 'u2', available: false, teams: ['sales'] },
    ];
    expect(play(flow, [], { agents }).says).toEqual(['no']);
    expect(
      play(flow, [], { agents: [{ id: 'u3', available: true, teams: ['sales'] }] }).says,
    ).toEqual(['yes']);
  });

  it('assign round robin picks an available agent, or the unavailable port', () => {
    const flow = makeFlow([
      {
        id: 'a',
        type: 'assign',
        to: { kind: 'round_robin', teamId: 'sales' },
        next: 'ok',
        unavailable: 'none',
      },
      say('ok', 'assigned'),
      say('none', 'nobody'),
    ]);
    const agents = [
      { id: 'u1', available: true, teams: ['sales'] },
      { id: 'u2', available: true, teams: ['sales'] },
      { id: 'u3', available: true, teams: ['support'] },
    ];
    const { effects } = play(flow, [], { agents });
    expect(effects[0]).toMatchObject({ type: 'assign', to: { kind: 'user' }, awaitResult: true });
    const to = effects[0]?.type === 'assign' ? effects[0].to : null;
    expect(['u1', 'u2']).toContain(to?.kind === 'user' ? to.userId : '');
    expect(play(flow, [result('a', true)], { agents }).says).toEqual(['assigned']);
    expect(play(flow, [], { agents: [] }).says).toEqual(['nobody']);
  });

  it('handover says its message on success and takes unavailable on failure', () => {
    const flow = makeFlow([
      {
        id: 'h',
        type: 'handover',
        teamId: 'support',
        message: 'Connecting you',
        next: 'e',
        unavailable: 'off',
      },
      { id: 'e', type: 'end' },
      say('off', 'Nobody is around'),
    ]);
    expect(play(flow).effects[0]).toMatchObject({
      type: 'handover',
      teamId: 'support',
      awaitResult: true,
    });
    expect(play(flow, [result('h', true)]).says).toEqual(['Connecting you']);
    expect(play(flow, [result('h', false)]).says).toEqual(['Nobody is around']);
  });

  it('handover without a message says the default (never nothing); an empty message is silent', () => {
    const node = (message?: string) =>
      makeFlow([
        { id: 'h', type: 'handover', ...(message === undefined ? {} : { message }), next: 'e' },
        { id: 'e', type: 'end' },
      ]);
    expect(play(node(), [result('h', true)]).says).toEqual([DEFAULT_HANDOVER_MESSAGE]);
    expect(play(node(''), [result('h', true)]).says).toEqual([]);
  });

  it('ai_answer says the answer, or routes no answer and handover requests', () => {
    const flow = makeFlow(
      [
        {
          id: 'ai',
          type: 'ai_answer',
          saveTo: 'variable.answer',
          next: 'ok',
          noAnswer: 'none',
          handoverRequested: 'human',
        },
        say('ok', 'Anything else?'),
        say('none', 'I do not know'),
        say('human', 'Getting a human'),
      ],
      { variables: [{ name: 'answer', type: 'text' }] },
    );
    const started = play(flow, [], { data: { system: { last_utterance: 'refund policy?' } } });
    expect(started.effects[0]).toMatchObject({ type: 'ai_answer', question: 'refund policy?' });
    const answered = play(flow, [result('ai', true, { outcome: 'answered', text: '30 days.' })]);
    expect(answered.says).toEqual(['30 days.', 'Anything else?']);
    expect(answered.state.variables.answer).toBe('30 days.');
    expect(play(flow, [result('ai', true, { outcome: 'no_answer' })]).says).toEqual([
      'I do not know',
    ]);
    expect(play(flow, [result('ai', true, { outcome: 'handover_requested' })]).says).toEqual([
      'Getting a human',
    ]);
  });

  it('redirect and show_banner fire and continue; go_to_flow and close_conversation end the run', () => {
    const flow = makeFlow(
      [
        {
          id: 'r',
          type: 'redirect',
          url: 'https://shop.example/checkout?c={{variable.c}}',
          newTab: true,
          next: 'b',
        },
        { id: 'b', type: 'show_banner', text: 'Code {{variable.c}}', style: 'success', next: 'g' },
        { id: 'g', type: 'go_to_flow', flowId: 'flow_next' },
      ],
      { variables: [{ name: 'c', type: 'text', default: 'A&B' }] },
    );
    const { effects, state } = play(flow);
    expect(effects).toMatchObject([
      { type: 'redirect', url: 'https://shop.example/checkout?c=A%26B', newTab: true },
      { type: 'show_banner', text: 'Code A&B', style: 'success' },
      { type: 'go_to_flow', flowId: 'flow_next' },
    ]);
    expect(state.status).toBe('completed');
    const close = play(makeFlow([{ id: 'x', type: 'close_conversation', message: 'Bye!' }]));
    expect(close.effects).toMatchObject([
      { type: 'say', text: 'Bye!' },
      { type: 'close_conversation' },
    ]);
    expect(close.state.status).toBe('completed');
  });
});
