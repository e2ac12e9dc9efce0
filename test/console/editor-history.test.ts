import { describe, expect, it } from 'vitest';
import { findNode, moveNodes, updateNode } from '../../console/editor/model/commands.ts';
import {
  canRedo,
  canUndo,
  createHistory,
  GROUP_WINDOW_MS,
  MAX_STEPS,
  record,
  redo,
  seal,
  undo,
} from '../../console/editor/model/history.ts';
import type { FlowNode } from '../../shared/flow/schema.ts';
import { pricingFlow } from './editor-fixture.ts';

const setText = (flow: ReturnType<typeof pricingFlow>, text: string) =>
  updateNode(flow, 'greet', { ...(findNode(flow, 'greet') as FlowNode), text } as FlowNode);

describe('undo history', () => {
  it('undoes and redoes each edit in order', () => {
    const start = pricingFlow();
    let h = createHistory(start);
    const moved = moveNodes(start, new Map([['greet', { x: 1, y: 2 }]]));
    h = record(h, moved, { label: 'Move' });
    const edited = setText(moved, 'Bonjour');
    h = record(h, edited, { label: 'Edit text' });
    h = undo(h);
    expect(h.present.doc).toBe(moved);
    h = undo(h);
    expect(h.present.doc).toBe(start);
    expect(canUndo(h)).toBe(false);
    h = redo(redo(h));
    expect(h.present.doc).toBe(edited);
    expect(canRedo(h)).toBe(false);
  });

  it('groups typing in one field into one step, until the field is left', () => {
    const start = pricingFlow();
    let h = createHistory(start);
    let doc = start;
    for (const [i, text] of ['B', 'Bo', 'Bon'].entries()) {
      doc = setText(doc, text);
      h = record(h, doc, { label: 'Edit text', group: 'greet:text', now: 1000 + i * 200 });
    }
    expect(h.past).toHaveLength(1);
    h = seal(h);
    doc = setText(doc, 'Bonj');
    h = record(h, doc, { label: 'Edit text', group: 'greet:text', now: 1700 });
    expect(h.past).toHaveLength(2);
    expect((findNode(undo(h).present.doc, 'greet') as { text: string }).text).toBe('Bon');
    expect(undo(undo(h)).present.doc).toBe(start);
  });

  it('starts a new step when typing pauses longer than the window or moves to another field', () => {
    const start = pricingFlow();
    let h = createHistory(start);
    h = record(h, setText(start, 'a'), { label: 't', group: 'greet:text', now: 0 });
    h = record(h, setText(start, 'ab'), {
      label: 't',
      group: 'greet:text',
      now: GROUP_WINDOW_MS + 1,
    });
    expect(h.past).toHaveLength(2);
    h = record(h, setText(start, 'abc'), {
      label: 't',
      group: 'ask:text',
      now: GROUP_WINDOW_MS + 2,
    });
    expect(h.past).toHaveLength(3);
  });

  it('a new edit after undo drops the redo steps', () => {
    const start = pricingFlow();
    let h = record(createHistory(start), setText(start, 'x'), { label: 'x' });
    h = undo(h);
    h = record(h, setText(start, 'y'), { label: 'y' });
    expect(canRedo(h)).toBe(false);
  });

  it('ignores edits that change nothing', () => {
    const start = pricingFlow();
    const h = createHistory(start);
    expect(record(h, start, { label: 'noop' })).toBe(h);
  });

  it(`keeps at most ${MAX_STEPS} undo steps`, () => {
    let doc = pricingFlow();
    let h = createHistory(doc);
    for (let i = 0; i < MAX_STEPS + 50; i++) {
      doc = moveNodes(doc, new Map([['greet', { x: i + 1, y: 0 }]]));
      h = record(h, doc, { label: 'Move' });
    }
    expect(h.past).toHaveLength(MAX_STEPS);
  });
});
