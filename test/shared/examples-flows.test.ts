import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SimulateRequest, simulateFlow } from '../../shared/engine/simulate.ts';
import type { Flow } from '../../shared/flow/schema.ts';
import { validateFlow } from '../../shared/flow/validate.ts';

const dir = join(import.meta.dirname, '../../examples/flows');
const load = (name: string): Flow => {
  const result = validateFlow(JSON.parse(readFileSync(join(dir, name), 'utf8')));
  if (!result.flow) throw new Error(`${name}: ${JSON.stringify(result.errors)}`);
  return result.flow;
};
const pilots = (transcript: { author: string; text: string }[]) =>
  transcript.filter((line) => line.author === 'pilot').map((line) => line.text);

describe('example flows', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.json')))(
    '%s validates with no errors or warnings',
    (name) => {
      const result = validateFlow(JSON.parse(readFileSync(join(dir, name), 'utf8')));
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([]);
    },
  );

  it('ships at least six examples', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.json')).length).toBeGreaterThanOrEqual(6);
  });

  it('lead capture: pricing visitor asks for sales, gives an email, becomes a tagged lead with a deal', () => {
    const result = simulateFlow(load('lead-capture-pricing.json'), {
      events: [
        { type: 'page_view', url: 'https://shop.example/pricing?utm_source=ads' },
        { type: 'choice', value: 'sales' },
        { type: 'message', text: '25' },
        { type: 'message', text: 'not an email' },
        { type: 'message', text: 'Ada@Example.com' },
      ],
      context: { contact: { first_name: 'Ada' } },
    });
    expect(result.status).toBe('completed');
    expect(pilots(result.transcript)).toEqual([
      'Hi Ada! Comparing plans?',
      'How can I help?',
      'How many seats do you need?',
      "What's your work email? Sales will reply within a business day.",
      "Hmm, that doesn't look like an email address. Try again?",
      "What's your work email? Sales will reply within a business day.",
      "Thanks! We'll be in touch at ada@example.com.",
    ]);
    expect(result.effects.map((e) => e.type)).toEqual([
      'update_contact',
      'add_tag',
      'create_record',
      'send_email',
    ]);
    expect(result.effects[2]).toMatchObject({ fields: { seats: '25', source: 'ads' } });
    expect(result.variables).toMatchObject({
      interest: 'sales',
      seats: 25,
      email: 'ada@example.com',
    });
  });

  it('lead capture with forms: contact and company forms, an enterprise company, the transcript emailed', () => {
    const result = simulateFlow(load('lead-capture.json'), {
      events: [
        { type: 'event', name: 'demo_request' },
        { type: 'form', values: { name: 'Ada', email: 'ada@', phone: '' } },
        {
          type: 'form',
          values: { name: 'Ada', email: 'Ada@Acme.example', demo_date: '2026-12-01' },
        },
        { type: 'form', values: { name: 'Acme', domain: 'acme.example', employees: '120' } },
      ],
    });
    expect(result.status).toBe('completed');
    expect(result.path).toEqual([
      'contact',
      'company',
      'size',
      'enterprise',
      'notify',
      'thanks',
      'transcript',
      'done',
    ]);
    expect(result.effects.map((e) => e.type)).toEqual([
      'form',
      'form',
      'capture_contact',
      'form',
      'capture_company',
      'update_company',
      'send_email',
      'email_conversation',
    ]);
    expect(result.effects[1]).toMatchObject({ errors: { email: expect.any(String) } });
    expect(result.effects[5]).toMatchObject({
      fields: { segment: 'enterprise', demo_requests: 1 },
    });
    expect(result.effects[6]).toMatchObject({
      subject: 'Demo request: Ada at Acme',
      body: 'Ada <ada@acme.example> from Acme (120 employees) asked for a demo on 2026-12-01.',
    });
    expect(result.effects[7]).toMatchObject({
      to: { kind: 'address', address: 'ada@acme.example' },
    });
    expect(result.effects[7]?.body).toContain(
      'Pilot: Thanks Ada! Sales will write to ada@acme.example within a business day.',
    );
  });

  it('lead capture: does not trigger on other pages, and says which rule failed', () => {
    const result = simulateFlow(load('lead-capture-pricing.json'), {
      events: [{ type: 'page_view', url: 'https://shop.example/blog' }],
    });
    expect(result).toMatchObject({ status: 'not_triggered', reason: { code: 'url' }, path: [] });
  });

  it('lead capture: runs once per visitor', () => {
    const result = simulateFlow(load('lead-capture-pricing.json'), {
      events: [{ type: 'page_view', url: 'https://shop.example/pricing' }],
      context: { alreadyRan: true },
    });
    expect(result.reason?.code).toBe('frequency_once');
  });

  const triage = (context: SimulateRequest['context'], text = 'I was charged twice') =>
    simulateFlow(load('support-triage.json'), {
      events: [
        { type: 'message', text, intent: { name: 'billing_issue', confidence: 0.92 } },
        { type: 'message', text: 'no' },
      ],
      context,
    });

  it('support triage: answers from knowledge, then hands over to an available agent', () => {
    const result = triage({
      agents: [{ id: 'u1', available: true, teams: ['support'] }],
      effectResults: {
        answer: { outcome: 'answered', text: 'Duplicate charges are refunded within 5 days.' },
      },
    });
    expect(result.path).toEqual(['route', 'answer', 'helped', 'agents', 'handover', 'done']);
    expect(pilots(result.transcript)).toEqual([
      'Duplicate charges are refunded within 5 days.',
      'Did that answer your question?',
      'Connecting you with our support team now.',
    ]);
    expect(result.effects.find((e) => e.type === 'handover')).toMatchObject({
      teamId: 'support',
      note: 'Intent billing_issue: no',
    });
  });

  it('support triage: with nobody available it files a ticket', () => {
    const result = simulateFlow(load('support-triage.json'), {
      events: [
        {
          type: 'message',
          text: 'I want to cancel',
          intent: { name: 'cancel_subscription', confidence: 0.8 },
        },
        { type: 'message', text: 'me@example.com' },
      ],
      context: { agentsAvailable: false },
    });
    expect(result.path).toEqual([
      'route',
      'retention',
      'agents',
      'ask_email',
      'ticket',
      'filed',
      'done',
    ]);
    expect(result.effects).toMatchObject([
      { type: 'create_record', kind: 'task', fields: { email: 'me@example.com' } },
    ]);
  });

  it('support triage: a low-confidence intent does not trigger', () => {
    const result = simulateFlow(load('support-triage.json'), {
      events: [{ type: 'message', text: 'hm', intent: { name: 'billing_issue', confidence: 0.3 } }],
    });
    expect(result.reason?.code).toBe('confidence');
  });

  const officeHours = {
    weekly: [{ day: 'tue' as const, from: '09:00', to: '17:00' }],
    holidays: ['2026-12-25'],
  };

  it('office-hours greeting: offers a person during office hours', () => {
    const result = simulateFlow(
      load('office-hours-greeting.json'),
      {
        events: [{ type: 'new_conversation' }, { type: 'choice', value: 'human' }],
        context: { now: '2026-11-24T10:00:00Z', agentsAvailable: true },
      },
      { timezone: 'Europe/Berlin', officeHours },
    );
    expect(result.path).toEqual(['hours', 'open', 'handover', 'done']);
    expect(pilots(result.transcript).at(-1)).toBe('A teammate will join in a moment.');
  });

  it('office-hours greeting: asks for an email outside office hours, in the pilot timezone', () => {
    const result = simulateFlow(
      load('office-hours-greeting.json'),
      {
        events: [{ type: 'new_conversation' }, { type: 'message', text: 'x@y.example' }],
        context: { now: '2026-11-24T20:30:00Z' },
      },
      { timezone: 'Europe/Berlin', officeHours },
    );
    expect(result.path).toEqual(['hours', 'closed', 'callback', 'noted', 'done']);
    expect(pilots(result.transcript)[0]).toContain("it's 21:00 in Europe/Berlin");
  });

  it('order lookup: re-asks a malformed number, calls the webhook and reports the status', () => {
    const result = simulateFlow(load('order-lookup.json'), {
      events: [
        {
          type: 'message',
          text: 'where is my order?',
          intent: { name: 'order_status', confidence: 0.9 },
        },
        { type: 'message', text: '12345' },
        { type: 'message', text: 'SO-12345' },
      ],
      context: {
        contact: { email: 'a@b.c' },
        pilot: { orders_api_token: 'tok' },
        effectResults: {
          lookup: { status: 200, body: { order: { status: 'shipped', eta: '2026-11-28' } } },
        },
      },
    });
    expect(pilots(result.transcript).at(-1)).toBe(
      'Good news: order SO-12345 has shipped and should arrive by 2026-11-28.',
    );
    expect(result.effects).toMatchObject([
      {
        type: 'http_request',
        url: 'https://api.shop.example/orders/lookup?id=SO-12345',
        headers: { Authorization: 'Bearer tok' },
        body: '{"orderId":"SO-12345","email":"a@b.c","source":"edgepilot"}',
      },
    ]);
  });

  it('order lookup: takes the order number from the message when the entity was found', () => {
    const result = simulateFlow(load('order-lookup.json'), {
      events: [
        {
          type: 'message',
          text: 'where is order SO-98765?',
          intent: { name: 'order_status', confidence: 0.9 },
          entities: { order_number: 'SO-98765' },
        },
      ],
      context: {
        effectResults: { lookup: { status: 200, body: { order: { status: 'packing' } } } },
      },
    });
    // No question asked: the required entity was in the message.
    expect(pilots(result.transcript)).toEqual(['Order SO-98765 is currently: packing.']);
    expect(result.path.slice(0, 3)).toEqual(['have_number', 'from_message', 'count']);
  });

  it('order lookup: asks for the missing order number, and again while it is malformed', () => {
    const result = simulateFlow(load('order-lookup.json'), {
      events: [
        {
          type: 'message',
          text: 'where is my order?',
          intent: { name: 'order_status', confidence: 0.9 },
          entities: {},
        },
        { type: 'message', text: 'the blue one' },
      ],
    });
    expect(result.status).toBe('waiting');
    expect(pilots(result.transcript)).toEqual([
      "Sure! What's your order number? It looks like SO-12345.",
      '"the blue one" doesn\'t look like an order number.',
      "Sure! What's your order number? It looks like SO-12345.",
    ]);
    expect(result.effects).toEqual([]);
  });

  it('order lookup: a failing webhook goes to the error message', () => {
    const result = simulateFlow(load('order-lookup.json'), {
      events: [
        { type: 'message', text: 'order?', intent: { name: 'order_status', confidence: 0.9 } },
        { type: 'message', text: 'SO-1234' },
      ],
      context: { effectResults: { lookup: { status: 502 } } },
    });
    expect(result.path.slice(-3)).toEqual(['lookup', 'lookup_failed', 'done']);
  });

  it('A/B greeting: each conversation sees one stable variant, and both variants occur', () => {
    const flow = load('ab-greeting.json');
    const variant = (conversationId: string) =>
      simulateFlow(flow, {
        events: [{ type: 'page_view', url: 'https://shop.example/' }],
        context: { conversationId },
      }).variables.variant;
    expect(variant('visitor-1')).toBe(variant('visitor-1'));
    const seen = new Set(Array.from({ length: 40 }, (_, i) => variant(`visitor-${i}`)));
    expect(seen).toEqual(new Set(['A', 'B']));
  });

  it('cart rescue: a big abandoned cart gets a coupon banner and a checkout redirect', () => {
    const result = simulateFlow(load('cart-rescue.json'), {
      events: [
        { type: 'event', name: 'cart_abandoned', props: { total: 120, item_count: 3 } },
        { type: 'choice', value: 'yes' },
      ],
    });
    expect(pilots(result.transcript)[0]).toBe(
      'You left 3 items (120 EUR) in your cart. Want 10% off to finish your order?',
    );
    expect(result.effects).toMatchObject([
      { type: 'show_banner', text: 'Use code SAVE10 for 10% off', style: 'success' },
      { type: 'redirect', url: 'https://shop.example/checkout?coupon=SAVE10' },
      { type: 'add_tag', tags: ['cart-rescued'] },
    ]);
  });

  it('cart rescue: small carts and recent rescues do not trigger', () => {
    const flow = load('cart-rescue.json');
    const small = simulateFlow(flow, {
      events: [{ type: 'event', name: 'cart_abandoned', props: { total: 20 } }],
    });
    expect(small.reason?.code).toBe('conditions');
    const recent = simulateFlow(flow, {
      events: [{ type: 'event', name: 'cart_abandoned', props: { total: 80 } }],
      context: { now: '2026-11-24T10:00:00Z', lastRunAt: '2026-11-24T08:00:00Z' },
    });
    expect(recent.reason?.code).toBe('cooldown');
  });

  it('CSAT: a 5-star rating tags a promoter and ends with the thank-you post', () => {
    const result = simulateFlow(load('csat.json'), {
      events: [
        { type: 'event', name: 'conversation_resolved' },
        { type: 'choice', value: '5' },
      ],
    });
    expect(result.status).toBe('completed');
    expect(result.variables.score).toBe(5);
    expect(result.path).toEqual(['rate', 'happy', 'tag_promoter', 'bye']);
    expect(result.transcript.at(-1)).toMatchObject({
      post: { size: 'large', title: 'Thanks for your feedback!' },
      links: [{ label: 'Open the help centre', url: 'https://help.example.com/' }],
    });
  });

  it('CSAT: a low rating asks what to improve and notes the picked list', () => {
    const result = simulateFlow(load('csat.json'), {
      events: [
        { type: 'event', name: 'conversation_resolved' },
        { type: 'message', text: '2' },
        { type: 'message', text: 'Speed, Friendliness' },
      ],
    });
    expect(result.variables).toMatchObject({ score: 2, improve: ['speed', 'friendliness'] });
    expect(result.effects).toMatchObject([
      { type: 'create_record', kind: 'note', fields: { title: expect.stringContaining('CSAT 2') } },
    ]);
  });
});
