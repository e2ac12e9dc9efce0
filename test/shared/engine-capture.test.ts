/**
 * Capture Contact / Capture Company (one form step), Company Field Update and Email
 * Conversation in the flow format: validator, engine and simulate (issue 19).
 */
import { describe, expect, it } from 'vitest';
import { simulateFlow } from '../../shared/engine/simulate.ts';
import { transcriptText } from '../../shared/engine/transcript.ts';
import type { EngineEvent } from '../../shared/engine/types.ts';
import { validateFlow } from '../../shared/flow/validate.ts';
import { makeFlow, play } from './engine-test-helpers.ts';

const captureContact = {
  id: 'form',
  type: 'capture_contact',
  text: 'How can we reach you?',
  fields: [
    { field: 'name', label: 'Name', required: true },
    { field: 'email', label: 'Email', kind: 'email', required: true },
    { field: 'phone', label: 'Phone', kind: 'phone' },
    { field: 'seats', label: 'Seats', kind: 'number' },
    { field: 'start', label: 'Start date', kind: 'date' },
  ],
  next: 'done',
};
const end = { id: 'done', type: 'end' };
const form = (values: Record<string, string>): EngineEvent => ({
  type: 'input',
  text: Object.values(values).join(' '),
  form: values,
});
const ok = (nodeId: string): EngineEvent => ({ type: 'effect_result', nodeId, ok: true, data: {} });

const doc = (nodes: unknown[]) => ({
  schemaVersion: 1,
  name: 'T',
  pilotId: 'p1',
  trigger: { type: 'new_conversation' },
  start: (nodes[0] as { id: string }).id,
  nodes,
});

describe('capture nodes: validator', () => {
  it('names every bad field of a capture form, a company update and an email conversation', () => {
    const result = validateFlow(
      doc([
        {
          id: 'f',
          type: 'capture_contact',
          text: 'Hi',
          fields: [
            { field: 'email', label: 'Email', kind: 'email' },
            { field: 'email', label: 'Again', kind: 'email' },
            { field: 'bad name', label: 'X' },
            { field: 'age', label: '', kind: 'colour' },
          ],
          next: 'u',
        },
        {
          id: 'u',
          type: 'update_company',
          assignments: [
            { field: 'seats', op: 'increment', value: 'many' },
            { field: 'plan', op: 'set' },
            { field: 'x', op: 'rename' },
          ],
          next: 'e',
        },
        { id: 'e', type: 'email_conversation', to: { kind: 'team' } },
      ]),
    );
    expect(result.ok).toBe(false);
    const paths = result.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'nodes.0.fields.2.field',
        'nodes.0.fields.3.label',
        'nodes.0.fields.3.kind',
        'nodes.1.assignments.2.op',
        'nodes.2.to.teamId',
      ]),
    );
  });

  it('names duplicate form fields and bad company assignments once the shape parses', () => {
    const result = validateFlow(
      doc([
        {
          id: 'f',
          type: 'capture_company',
          text: 'Company?',
          fields: [
            { field: 'name', label: 'Company' },
            { field: 'name', label: 'Name again' },
          ],
          next: 'u',
        },
        {
          id: 'u',
          type: 'update_company',
          assignments: [
            { field: 'seats', op: 'increment', value: 'many' },
            { field: 'plan', op: 'set' },
          ],
        },
      ]),
    );
    expect(result.errors.map((e) => [e.code, e.nodeId, e.path])).toEqual([
      ['duplicate_field', 'f', 'nodes.0.fields.1.field'],
      ['bad_increment', 'u', 'nodes.1.assignments.0.value'],
      ['missing_value', 'u', 'nodes.1.assignments.1.value'],
    ]);
  });

  it('accepts company.* in conditions and templates', () => {
    const result = validateFlow(
      doc([
        {
          id: 'c',
          type: 'condition',
          branches: [{ when: { field: 'company.plan', op: 'eq', value: 'pro' }, next: 'm' }],
        },
        { id: 'm', type: 'send_message', text: 'Hello {{company.name}}' },
      ]),
    );
    expect(result.errors).toEqual([]);
  });
});

describe('capture_contact: engine', () => {
  const flow = makeFlow([captureContact, end]);

  it('shows one form with every field, then waits for its values', () => {
    const { state, effects } = play(flow);
    expect(state).toMatchObject({ status: 'waiting', nodeId: 'form', waitingFor: 'input' });
    expect(effects).toEqual([
      {
        type: 'say',
        nodeId: 'form',
        text: 'How can we reach you?',
        input: 'form',
        form: [
          { name: 'name', label: 'Name', kind: 'text', required: true },
          { name: 'email', label: 'Email', kind: 'email', required: true },
          { name: 'phone', label: 'Phone', kind: 'phone' },
          { name: 'seats', label: 'Seats', kind: 'number' },
          { name: 'start', label: 'Start date', kind: 'date' },
        ],
      },
    ]);
  });

  it('checks every value by its kind and re-shows the form with an error per field', () => {
    const { state, effects } = play(flow, [
      form({
        name: '',
        email: 'not-an-email',
        phone: 'call me',
        seats: 'ten',
        start: '31.02.2026',
      }),
    ]);
    expect(state).toMatchObject({ status: 'waiting', nodeId: 'form', attempts: 1 });
    const again = effects.at(-1);
    expect(again).toMatchObject({ type: 'say', form: expect.any(Array) });
    expect(again?.type === 'say' && again.errors).toEqual({
      name: 'This field is required.',
      email: 'That does not look like an email address. Please try again.',
      phone: 'That does not look like a phone number. Please try again.',
      seats: 'Please enter a number.',
      start: 'Please enter a date, e.g. 2026-12-24.',
    });
    expect(effects.some((e) => e.type === 'capture_contact')).toBe(false);
  });

  it('saves normalised values with one capture effect and continues after the write', () => {
    const { state, effects, log } = play(flow, [
      form({ name: 'Ada', email: 'Ada@Example.COM ', phone: '+49 (30) 123-4567', seats: '1,5' }),
      ok('form'),
    ]);
    const capture = effects.find((e) => e.type === 'capture_contact');
    expect(capture).toMatchObject({
      fields: { name: 'Ada', email: 'ada@example.com', phone: '+49301234567', seats: '1.5' },
      awaitResult: true,
      idempotencyKey: 'run-1:1:form',
    });
    expect(state.status).toBe('completed');
    expect(log.map((l) => [l.nodeId, l.status, l.port])).toEqual([
      ['form', 'waiting', undefined],
      ['form', 'waiting', undefined],
      ['form', 'completed', 'next'],
      ['done', 'completed', undefined],
    ]);
  });

  it('goes to onError when the contact cannot be saved', () => {
    const failing = makeFlow([
      { ...captureContact, onError: 'oops' },
      end,
      { id: 'oops', type: 'send_message', text: 'Sorry' },
    ]);
    const { says } = play(failing, [
      form({ name: 'Ada', email: 'ada@example.com' }),
      { type: 'effect_result', nodeId: 'form', ok: false, error: 'capture_failed' },
    ]);
    expect(says.at(-1)).toBe('Sorry');
  });

  it('gives up after its retries: onInvalid, or the run fails', () => {
    const strict = makeFlow([{ ...captureContact, retries: 1 }, end]);
    const bad = form({ name: '', email: 'x' });
    expect(play(strict, [bad, bad]).state).toMatchObject({
      status: 'failed',
      error: 'invalid_input',
    });
  });
});

describe('update_company and email_conversation: engine', () => {
  it('sets, clears and increments company fields from the current company', () => {
    const flow = makeFlow(
      [
        {
          id: 'u',
          type: 'update_company',
          assignments: [
            { field: 'plan', op: 'set', value: '{{variable.plan}}' },
            { field: 'trial', op: 'clear' },
            { field: 'seats', op: 'increment', value: 5 },
            { field: 'visits', op: 'increment' },
          ],
          next: 'm',
        },
        { id: 'm', type: 'send_message', text: '{{company.plan}} {{company.seats}}' },
      ],
      { variables: [{ name: 'plan', default: 'pro' }] },
    );
    const { effects, says } = play(flow, [], {
      data: { company: { seats: 10, trial: 'yes' } },
    });
    expect(effects.find((e) => e.type === 'update_company')).toMatchObject({
      fields: { plan: 'pro', trial: null, seats: 15, visits: 1 },
      awaitResult: false,
    });
    expect(says).toEqual(['pro 15']);
  });

  it('addresses the visitor by contact.email, a templated address, or a user/team', () => {
    const flow = (to: unknown) =>
      makeFlow([
        { id: 'e', type: 'email_conversation', to, onError: 'x' },
        { id: 'x', type: 'end' },
      ]);
    const data = {
      contact: { email: 'ada@example.com' },
      pilot: { name: 'Acme', sales: 'sales@acme.example' },
    };
    const effectOf = (to: unknown) =>
      play(flow(to), [], { data }).effects.find((e) => e.type === 'email_conversation');
    expect(effectOf({ kind: 'visitor' })).toMatchObject({
      to: { kind: 'address', address: 'ada@example.com' },
      subject: 'Your conversation with Acme',
      awaitResult: true,
    });
    expect(effectOf({ kind: 'address', address: '{{pilot.sales}}' })).toMatchObject({
      to: { kind: 'address', address: 'sales@acme.example' },
    });
    expect(effectOf({ kind: 'team', teamId: 'team_1' })).toMatchObject({
      to: { kind: 'team', teamId: 'team_1' },
    });
  });
});

describe('capture nodes: simulate', () => {
  it('shows the form (and its errors) and the email with the transcript in effects', () => {
    const flow = makeFlow([
      { ...captureContact, next: 'company' },
      {
        id: 'company',
        type: 'capture_company',
        text: 'Your company?',
        fields: [{ field: 'name', label: 'Company', required: true }],
        next: 'check',
      },
      {
        id: 'check',
        type: 'condition',
        branches: [{ when: { field: 'company.name', op: 'eq', value: 'Acme' }, next: 'mail' }],
      },
      {
        id: 'mail',
        type: 'email_conversation',
        to: { kind: 'visitor' },
        subject: 'Your chat',
        next: 'done',
      },
      end,
    ]);
    const result = simulateFlow(flow, {
      events: [
        { type: 'new_conversation' },
        { type: 'form', values: { name: 'Ada', email: 'nope' } },
        { type: 'form', values: { name: 'Ada', email: 'ada@example.com' } },
        { type: 'form', values: { name: 'Acme' } },
      ],
    });
    expect(result.status).toBe('completed');
    expect(result.path).toEqual(['form', 'company', 'check', 'mail', 'done']);
    const types = result.effects.map((e) => e.type);
    expect(types).toEqual([
      'form',
      'form',
      'capture_contact',
      'form',
      'capture_company',
      'email_conversation',
    ]);
    expect(result.effects[1]).toMatchObject({
      errors: { email: 'That does not look like an email address. Please try again.' },
    });
    const email = result.effects.at(-1);
    expect(email).toMatchObject({
      to: { kind: 'address', address: 'ada@example.com' },
      subject: 'Your chat',
    });
    expect(email?.body).toContain('Pilot: How can we reach you?');
    expect(email?.body).toContain('You: name: Ada\nemail: ada@example.com');
  });
});

describe('transcriptText', () => {
  it('renders rich parts as text and links, without system notes', () => {
    const text = transcriptText([
      { author: 'visitor', text: 'Hi' },
      {
        author: 'pilot',
        text: 'Here you go',
        image: { url: 'https://x.example/a.png', alt: 'Chart' },
        links: [{ label: 'Docs', url: 'https://x.example/docs' }],
        cards: [{ title: 'Plan', text: 'Pro', url: 'https://x.example/pro' }],
        choices: [{ label: 'Yes' }, { label: 'No' }],
      },
      { author: 'system', text: 'internal' },
      { author: 'agent', text: 'Hello from Sam' },
    ]);
    expect(text).toBe(
      [
        'You: Hi',
        '',
        'Pilot: Here you go',
        '  [Image: Chart] https://x.example/a.png',
        '  Docs: https://x.example/docs',
        '  Plan — Pro — https://x.example/pro',
        '  Options: Yes | No',
        '',
        'Agent: Hello from Sam',
      ].join('\n'),
    );
  });

  it('is bounded: a long conversation keeps its newest messages under the limit', () => {
    const many = Array.from({ length: 2000 }, (_, i) => ({
      author: 'visitor',
      text: `m${i} ${'x'.repeat(50)}`,
    }));
    const text = transcriptText(many);
    expect(text.length).toBeLessThanOrEqual(20_000);
    expect(text.startsWith('(earlier messages omitted)')).toBe(true);
    expect(text).toContain('m1999');
  });
});
