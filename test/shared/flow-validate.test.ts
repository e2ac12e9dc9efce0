import { describe, expect, it } from 'vitest';
import { checkPattern, safeMatch } from '../../shared/expr/regex.ts';
import { flowJsonSchema } from '../../shared/flow/json-schema.ts';
import { validateFlow } from '../../shared/flow/validate.ts';
import { demoFlow } from '../../worker/seed/demo-flow.ts';

const base = (nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  name: 'T',
  pilotId: 'p1',
  trigger: { type: 'new_conversation' },
  start: (nodes[0] as { id: string }).id,
  nodes,
  ...extra,
});
const codes = (input: unknown, options?: { pilotVariables?: string[] }) => {
  const result = validateFlow(input, options);
  return {
    errors: result.errors.map((i) => [i.code, i.nodeId, i.path]),
    warnings: result.warnings.map((i) => [i.code, i.nodeId, i.path]),
  };
};

describe('validateFlow', () => {
  it('accepts the seeded demo flow with no issues', () => {
    expect(validateFlow(demoFlow)).toMatchObject({ ok: true, errors: [], warnings: [] });
  });

  it('rejects wait nodes with a message saying delays are not available', () => {
    const result = validateFlow(base([{ id: 'w', type: 'wait', seconds: 60 }]));
    expect(result.ok).toBe(false);
    expect(result.errors).toEqual([
      {
        code: 'wait_not_allowed',
        message: 'Time-based delays (wait) are not available in execution flows',
        path: 'nodes.0.type',
        nodeId: 'w',
      },
    ]);
  });

  it('names a wait node among valid ones by id, with the reason and no list of node types', () => {
    const result = validateFlow(
      base([
        { id: 'a', type: 'send_message', text: 'Hi', next: 'b' },
        { id: 'b', type: 'send_message', text: 'Hi', next: 'c' },
        { id: 'c', type: 'send_message', text: 'Hi', next: 'w1' },
        { id: 'w1', type: 'wait', seconds: 60 },
      ]),
    );
    expect(result.errors).toEqual([
      {
        code: 'wait_not_allowed',
        message: 'Time-based delays (wait) are not available in execution flows',
        path: 'nodes.3.type',
        nodeId: 'w1',
      },
    ]);
  });

  it('names unknown node types and unknown ports with node id and path', () => {
    const { errors } = codes(
      base([
        { id: 'a', type: 'teleport' },
        { id: 'b', type: 'send_message', text: 'x', nxt: 'a' },
      ]),
    );
    expect(errors).toEqual([
      ['unknown_node_type', 'a', 'nodes.0.type'],
      ['unknown_port', 'b', 'nodes.1'],
    ]);
  });

  it('reports schema errors with the field path', () => {
    const result = validateFlow(base([{ id: 'a', type: 'send_message' }]));
    expect(result.errors[0]).toMatchObject({ path: 'nodes.0.text', nodeId: 'a' });
  });

  it('finds dangling ports, a missing start and duplicate ids', () => {
    const { errors } = codes(
      base(
        [
          { id: 'a', type: 'send_message', text: 'x', next: 'ghost' },
          { id: 'a', type: 'end' },
        ],
        {
          start: 'nowhere',
        },
      ),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        ['duplicate_node_id', 'a', 'nodes.1.id'],
        ['missing_start', undefined, 'start'],
        ['dangling_port', 'a', 'nodes.0.next'],
      ]),
    );
  });

  it('warns about unreachable nodes without blocking', () => {
    const result = validateFlow(
      base([
        { id: 'a', type: 'end' },
        { id: 'b', type: 'end' },
      ]),
    );
    expect(result.ok).toBe(true);
    expect(result.warnings).toMatchObject([{ code: 'unreachable_node', nodeId: 'b' }]);
  });

  it('warns about branching nodes with every port missing, without blocking', () => {
    const result = codes(
      base(
        [
          {
            id: 'c',
            type: 'condition',
            branches: [{ when: { field: 'contact.email', op: 'is_empty' } }],
          },
          { id: 's', type: 'split', paths: [{ percent: 50 }, { percent: 50 }] },
          { id: 'q', type: 'ask_question', text: 'Why?', input: { kind: 'text' } },
          {
            id: 'saved',
            type: 'ask_question',
            text: 'Anything else?',
            input: { kind: 'text' },
            saveTo: 'variable.note',
          },
        ],
        { variables: [{ name: 'note', type: 'text' }] },
      ),
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings.filter((w) => w[0] === 'missing_port')).toEqual([
      ['missing_port', 'c', 'nodes.0.branches.0.next'],
      ['missing_port', 's', 'nodes.1.paths.0.next'],
      ['missing_port', 'q', 'nodes.2.next'],
    ]);
  });

  it('rejects cycles that never wait for the visitor, but allows loops through a question', () => {
    const spin = base([
      { id: 'a', type: 'send_message', text: 'x', next: 'b' },
      {
        id: 'b',
        type: 'condition',
        branches: [{ when: { field: 'contact.x', op: 'is_empty' }, next: 'a' }],
      },
    ]);
    expect(codes(spin).errors).toEqual([['cycle_without_wait', 'a', 'nodes.0']]);
    const loop = base([
      { id: 'q', type: 'ask_question', text: '?', input: { kind: 'text' }, next: 'a' },
      { id: 'a', type: 'send_message', text: 'again', next: 'q' },
    ]);
    expect(validateFlow(loop).ok).toBe(true);
  });

  it('flags unknown variables in templates, conditions, saveTo and assignments', () => {
    const flow = base(
      [
        {
          id: 'a',
          type: 'send_message',
          text: 'Hi {{variable.nme}} {{system.nope}} {{foo}}',
          next: 'b',
        },
        {
          id: 'b',
          type: 'condition',
          branches: [{ when: { field: 'variable.ghost', op: 'is_empty' }, next: 'c' }],
        },
        {
          id: 'c',
          type: 'ask_question',
          text: '?',
          input: { kind: 'text' },
          saveTo: 'variable.x',
          next: 'd',
        },
        {
          id: 'd',
          type: 'set_variable',
          assignments: [{ target: 'variable.y', op: 'set', value: 1 }],
        },
      ],
      { variables: [{ name: 'name', type: 'text' }] },
    );
    expect(codes(flow).errors).toEqual([
      ['unknown_variable', 'a', 'nodes.0.text'],
      ['unknown_variable', 'a', 'nodes.0.text'],
      ['unknown_namespace', 'a', 'nodes.0.text'],
      ['unknown_variable', 'b', 'nodes.1.branches.0.when.field'],
      ['unknown_variable', 'c', 'nodes.2.saveTo'],
      ['unknown_variable', 'd', 'nodes.3.assignments.0.target'],
    ]);
  });

  it('lets a question save into a contact field, and only a question', () => {
    const question = (saveTo: string) =>
      base(
        [
          {
            id: 'q',
            type: 'ask_question',
            text: 'Email?',
            input: { kind: 'email' },
            saveTo,
            next: 'ai',
          },
          { id: 'ai', type: 'ai_answer', saveTo: 'variable.reply' },
        ],
        { variables: [{ name: 'reply', type: 'text' }] },
      );
    expect(validateFlow(question('contact.email'))).toMatchObject({ ok: true, errors: [] });
    expect(validateFlow(question('contact.company_size')).ok).toBe(true);
    for (const bad of ['contact.', 'contact.a.b', 'contact.__proto__x-y', 'visitor.email'])
      expect(validateFlow(question(bad)).errors).toEqual([
        {
          code: 'invalid_format',
          message: 'A target is variable.<name>, contact.<field> or company.<field>',
          path: 'nodes.0.saveTo',
          nodeId: 'q',
        },
      ]);
    const aiToContact = question('contact.email');
    (aiToContact.nodes[1] as { saveTo: string }).saveTo = 'contact.notes';
    expect(codes(aiToContact).errors).toEqual([['invalid_format', 'ai', 'nodes.1.saveTo']]);
  });

  it('checks pilot globals only when the pilot variables are known', () => {
    const flow = base([{ id: 'a', type: 'send_message', text: '{{pilot.support_email}}' }]);
    expect(validateFlow(flow).ok).toBe(true);
    expect(validateFlow(flow, { pilotVariables: ['support_email'] }).ok).toBe(true);
    expect(codes(flow, { pilotVariables: ['other'] }).errors).toEqual([
      ['unknown_variable', 'a', 'nodes.0.text'],
    ]);
  });

  it('rejects duplicated option values and split totals other than 100', () => {
    const flow = base([
      {
        id: 'q',
        type: 'ask_question',
        text: '?',
        input: {
          kind: 'buttons',
          options: [
            { label: 'A', value: 'x' },
            { label: 'B', value: 'x' },
          ],
        },
        next: 's',
      },
      { id: 's', type: 'split', paths: [{ percent: 50 }, { percent: 40 }] },
    ]);
    expect(codes(flow).errors).toEqual([
      ['duplicate_option', 'q', 'nodes.0.input.options.1.value'],
      ['split_total', 's', 'nodes.1.paths'],
    ]);
  });

  it('rejects lookarounds, backreferences, invalid and oversized regexes in URL rules and conditions', () => {
    const flow = base(
      [
        {
          id: 'c',
          type: 'condition',
          branches: [
            { when: { field: 'contact.email', op: 'matches', value: '^(?!admin)' } },
            { when: { field: 'contact.email', op: 'matches', value: '[' } },
            { when: { field: 'contact.email', op: 'matches', value: 'a'.repeat(600) } },
          ],
        },
      ],
      { trigger: { type: 'page_visited', urls: [{ op: 'matches', value: '/(\\w+)/\\1' }] } },
    );
    const { errors } = codes(flow);
    expect(errors.map((e) => e[0])).toEqual(['bad_regex', 'bad_regex', 'bad_regex', 'bad_regex']);
  });

  it('says which node and field holds a lookaround or backreference, naming RE2', () => {
    const flow = base(
      [
        {
          id: 'gate',
          type: 'condition',
          branches: [{ when: { field: 'contact.email', op: 'matches', value: '(?<=@)corp' } }],
        },
      ],
      { trigger: { type: 'page_visited', urls: [{ op: 'matches', value: '(?<p>x)\\k<p>' }] } },
    );
    const { errors } = validateFlow(flow);
    expect(errors).toEqual([
      {
        code: 'bad_regex',
        message:
          'URL pattern: backreferences (\\1, \\k<name>) are not supported: flow regexes use RE2 syntax',
        path: 'trigger.urls.0.value',
      },
      {
        code: 'bad_regex',
        message:
          'contact.email: lookarounds ((?=…), (?!…), (?<=…), (?<!…)) are not supported: flow regexes use RE2 syntax',
        path: 'nodes.0.branches.0.when.value',
        nodeId: 'gate',
      },
    ]);
  });

  it('accepts patterns that only a backtracking engine finds dangerous, and runs them exactly', () => {
    // RE2 is linear, so these need no refusal; they return the right answer at once.
    for (const pattern of ['(a|aa)*c', '^(x|xy|y)+$', '(a+)+$', '^(\\w+\\s?)*$'])
      expect(checkPattern(pattern).ok, pattern).toBe(true);
    expect(safeMatch('(a|aa)*c', `${'a'.repeat(60)}!`)).toBe(false);
    expect(safeMatch('(a|aa)*c', `${'a'.repeat(60)}C`)).toBe(true);
    for (const pattern of [
      '^SO-\\d{4,8}$',
      '^/(en|de)/pricing',
      '(pro|team) plan',
      '(www\\.)?shop\\.example',
      '^(mon|tue){1,3}$',
    ])
      expect(checkPattern(pattern).ok, pattern).toBe(true);
  });

  it('rejects rule values that cannot work for their operator', () => {
    const flow = base(
      [
        {
          id: 'c',
          type: 'condition',
          branches: [
            { when: { field: 'variable.n', op: 'gt' } },
            { when: { field: 'variable.n', op: 'between', value: [1] } },
            { when: { field: 'contact.seen', op: 'within_last', value: 'soon' } },
          ],
        },
      ],
      { variables: [{ name: 'n', type: 'number' }] },
    );
    expect(codes(flow).errors.map((e) => e[0])).toEqual([
      'bad_condition_value',
      'bad_condition_value',
      'bad_condition_value',
    ]);
  });

  it('names the exact rule inside nested all/any/not groups', () => {
    const flow = base([
      {
        id: 'c',
        type: 'condition',
        branches: [
          {
            when: {
              all: [
                { field: 'contact.email', op: 'is_not_empty' },
                { any: [{ not: { field: 'visitor.page_url', op: 'matches', value: '(?=a)' } }] },
                { field: 'variable.missing', op: 'eq', value: 1 },
              ],
            },
          },
        ],
      },
    ]);
    expect(codes(flow).errors).toEqual([
      ['bad_regex', 'c', 'nodes.0.branches.0.when.all.1.any.0.not.value'],
      ['unknown_variable', 'c', 'nodes.0.branches.0.when.all.2.field'],
    ]);
  });

  it('warns when an http_request has no error port', () => {
    const flow = base([{ id: 'h', type: 'http_request', url: 'https://x.example' }]);
    expect(codes(flow).warnings).toEqual([['missing_error_port', 'h', 'nodes.0.onError']]);
  });

  it('never throws on garbage input', () => {
    for (const input of [null, 42, 'flow', [], {}, { nodes: 'x' }, { nodes: [null, 1] }])
      expect(validateFlow(input).ok).toBe(false);
  });
});

describe('flowJsonSchema', () => {
  it('is a draft 2020-12 JSON Schema describing every node type', () => {
    const schema = flowJsonSchema();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    const text = JSON.stringify(schema);
    for (const type of [
      'send_message',
      'ask_question',
      'http_request',
      'close_conversation',
      'split',
    ])
      expect(text).toContain(`"const":"${type}"`);
    expect(JSON.parse(text)).toEqual(schema);
  });
});

describe('URLs shown to visitors', () => {
  const message = (url: string) => ({
    id: 'm',
    type: 'send_message',
    text: 'Hi',
    buttons: [{ label: 'Go', url }],
    image: { url, alt: 'x' },
    cards: [{ title: 'Card', url, imageUrl: url }],
  });
  const nodesFor = (url: string) => [
    message(url),
    { id: 'r', type: 'redirect', url },
    { id: 'b', type: 'show_banner', text: 'Sale', url },
  ];
  /** Each node carrying `url` validated alone: whether it passed, and the URL refusals. */
  const checked = (url: string) =>
    nodesFor(url).map((node) => {
      const result = validateFlow({ ...base([node]), start: node.id });
      const refused = result.errors.filter((e) => /http\(s\) URL/.test(e.message));
      return { label: `${node.type} ${JSON.stringify(url)}`, ok: result.ok, refused };
    });
  it('refuses a literal script, data or other scheme on every link, image, redirect and banner', () => {
    for (const url of [
      'javascript:alert(1)',
      'java\tscript:alert(1)',
      ' \u0001JAVASCRIPT:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'vbscript:msgbox(1)',
      'javascript:{{variable.x}}',
    ]) {
      for (const { label, ok, refused } of checked(url)) {
        expect(ok, label).toBe(false);
        expect(refused.length > 0, label).toBe(true);
      }
    }
  });
  it('accepts http(s), a path on the site and templates', () => {
    for (const url of [
      'https://shop.example/sale',
      'http://a.example',
      '/pricing',
      '#faq',
      '{{variable.url}}',
      'https://a.example/{{variable.id}}',
    ]) {
      for (const { label, refused } of checked(url)) expect(refused, label).toEqual([]);
    }
  });
});
