import { describe, expect, it } from 'vitest';
import { copyText, pasteText } from '../../console/editor/model/clipboard.ts';
import {
  addNode,
  connect,
  deleteNodes,
  disconnect,
  findNode,
  insertAfter,
  moveNodes,
  renameNode,
  TRIGGER_ID,
  updateNode,
} from '../../console/editor/model/commands.ts';
import { NODE_TYPES, newNode } from '../../console/editor/model/node-types.ts';
import { portsOf } from '../../console/editor/model/ports.ts';
import { flowSchema, type NodeType } from '../../shared/flow/schema.ts';
import { validateFlow } from '../../shared/flow/validate.ts';
import { pricingFlow } from './editor-fixture.ts';

describe('editor commands', () => {
  it('adds a node of every type that the schema accepts as it is', () => {
    let flow = pricingFlow();
    for (const { type } of NODE_TYPES) {
      const added = addNode(flow, type, { x: 10.4, y: 20.6 });
      flow = added.flow;
      expect(findNode(flow, added.id)?.position).toEqual({ x: 10, y: 21 });
    }
    expect(flowSchema.safeParse(flow).success).toBe(true);
    expect(flow.nodes).toHaveLength(3 + NODE_TYPES.length);
  });

  it('gives every new node an unused id', () => {
    let flow = pricingFlow();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const added = addNode(flow, 'send_message', { x: 0, y: 0 });
      flow = added.flow;
      ids.add(added.id);
    }
    expect(ids.size).toBe(5);
  });

  it('connects and disconnects a port by the name the format gives it', () => {
    const { flow, id } = addNode(pricingFlow(), 'send_message', { x: 0, y: 0 });
    const connected = connect(flow, 'ask', 'input.options[1].next', id);
    const ask = findNode(connected, 'ask');
    expect(
      ask?.type === 'ask_question' && ask.input.kind === 'buttons' && ask.input.options[1]?.next,
    ).toBe(id);
    const cut = disconnect(connected, 'ask', 'input.options[1].next');
    const after = findNode(cut, 'ask');
    expect(
      after?.type === 'ask_question' &&
        after.input.kind === 'buttons' &&
        'next' in (after.input.options[1] ?? {}),
    ).toBe(false);
    // The old document is untouched (undo relies on it).
    expect(findNode(flow, 'ask')).toEqual(findNode(pricingFlow(), 'ask'));
  });

  it('refuses to connect to a node that does not exist', () => {
    const flow = pricingFlow();
    expect(connect(flow, 'greet', 'next', 'nowhere')).toBe(flow);
  });

  it('connecting the trigger sets the start node', () => {
    expect(connect(pricingFlow(), TRIGGER_ID, 'start', 'ask').start).toBe('ask');
  });

  it('deleting a node clears every port that pointed at it and moves start', () => {
    const flow = deleteNodes(pricingFlow(), ['done', 'greet']);
    expect(flow.nodes.map((n) => n.id)).toEqual(['ask']);
    expect(flow.start).toBe('ask');
    expect(portsOf(flow.nodes[0] as never).every((p) => p.target === undefined)).toBe(true);
    expect(validateFlow(flow).errors).toEqual([]);
  });

  it('"+" on a connection inserts a step between its ends', () => {
    const { flow, id } = insertAfter(pricingFlow(), 'greet', 'next', 'set_variable', {
      x: 0,
      y: 0,
    });
    expect(findNode(flow, 'greet')).toMatchObject({ next: id });
    expect(findNode(flow, id)).toMatchObject({ type: 'set_variable', next: 'ask' });
  });

  it('moves nodes to rounded positions and keeps the same document when nothing moved', () => {
    const flow = moveNodes(pricingFlow(), new Map([['greet', { x: 5.2, y: 7.7 }]]));
    expect(findNode(flow, 'greet')?.position).toEqual({ x: 5, y: 8 });
    expect(moveNodes(flow, new Map([['greet', { x: 5, y: 8 }]]))).toBe(flow);
  });

  it('an inspector update cannot change a node id or type', () => {
    const flow = updateNode(pricingFlow(), 'greet', { ...newNode('end', 'other') });
    expect(findNode(flow, 'greet')?.type).toBe('send_message');
  });

  it('renaming a node makes ports and start follow', () => {
    const flow = renameNode(pricingFlow(), 'done', 'finish');
    expect(flow.nodes.map((n) => n.id)).toContain('finish');
    expect(validateFlow(flow).errors).toEqual([]);
    expect(renameNode(flow, 'greet', 'ask')).toBe(flow);
  });
});

describe('ports', () => {
  const cases: [NodeType, string[]][] = [
    ['send_message', ['next']],
    ['ask_question', ['input.options[0].next', 'input.options[1].next', 'next', 'onInvalid']],
    ['condition', ['branches[0].next', 'else']],
    ['split', ['paths[0].next', 'paths[1].next']],
    ['http_request', ['next', 'onError']],
    ['ai_answer', ['next', 'noAnswer', 'handoverRequested']],
    ['handover', ['next', 'unavailable']],
    ['check_availability', ['available', 'unavailable']],
    ['end', []],
  ];
  it.each(cases)('%s has the ports the format names', (type, ports) => {
    expect(portsOf(newNode(type, 'n')).map((p) => p.port)).toEqual(ports);
  });

  it('labels button options by their label', () => {
    expect(portsOf(newNode('ask_question', 'n')).map((p) => p.label)).toEqual([
      'Yes',
      'No',
      'next',
      'onInvalid',
    ]);
  });
});

describe('copy and paste', () => {
  it('pastes copies with new ids, keeping links between them and dropping links outside', () => {
    const flow = pricingFlow();
    const text = copyText(flow, ['greet', 'ask']) as string;
    const pasted = pasteText(flow, text);
    if (!pasted.ok) throw new Error(pasted.message);
    expect(pasted.ids).toHaveLength(2);
    expect(pasted.ids.some((id) => ['greet', 'ask'].includes(id))).toBe(false);
    const [greet, ask] = pasted.ids.map((id) => findNode(pasted.flow, id));
    expect(greet).toMatchObject({ next: ask?.id });
    expect(portsOf(ask as never).every((p) => p.target === undefined)).toBe(true);
    expect(flowSchema.safeParse(pasted.flow).success).toBe(true);
  });

  it('refuses clipboard text that is not valid steps, naming the field', () => {
    const flow = pricingFlow();
    expect(pasteText(flow, 'hello').ok).toBe(false);
    const bad = JSON.stringify({ kind: 'edgepilot/nodes', nodes: [{ id: 'x', type: 'wait' }] });
    const result = pasteText(flow, bad);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/nodes\.0/);
    const script = JSON.stringify({
      kind: 'edgepilot/nodes',
      nodes: [{ id: 'x', type: 'send_message', text: 'hi', onclick: 'alert(1)' }],
    });
    expect(pasteText(flow, script).ok).toBe(false);
  });

  it('refuses a paste beyond the node limit before touching the flow', () => {
    const nodes = Array.from({ length: 501 }, (_, i) => ({ id: `n${i}`, type: 'end' }));
    const result = pasteText(pricingFlow(), JSON.stringify({ kind: 'edgepilot/nodes', nodes }));
    expect(result.ok).toBe(false);
  });
});

describe('field paths', () => {
  it('writes a nested field on a copy and removes a key with undefined', async () => {
    const { getIn, setIn } = await import('../../console/editor/model/paths.ts');
    const node = newNode('ask_question', 'q');
    const renamed = setIn(node, 'input.options.1.label', 'Nope');
    expect(getIn(renamed, 'input.options.1.label')).toBe('Nope');
    expect(getIn(node, 'input.options.1.label')).toBe('No');
    expect(getIn(setIn(renamed, 'input.options.0', undefined), 'input.options.0.label')).toBe(
      'Nope',
    );
    expect('text' in setIn(node, 'text', undefined)).toBe(false);
  });
});

describe('insert at the start', () => {
  it('"+" on the trigger adds a step that becomes the start and leads to the old start', () => {
    const { flow, id } = insertAfter(pricingFlow(), TRIGGER_ID, 'start', 'send_message', {
      x: 0,
      y: 0,
    });
    expect(flow.start).toBe(id);
    expect(findNode(flow, id)).toMatchObject({ next: 'greet' });
  });
});
