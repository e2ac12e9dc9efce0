/**
 * What each node does when the run enters it. Pure nodes pick a port at once; I/O nodes emit an
 * effect and either continue (fire-and-forget) or wait for its result (see resume.ts).
 */

import { availableAgents } from '../expr/agents.ts';
import { coerceToType, toList, toNumber } from '../expr/coerce.ts';
import { evaluateCondition } from '../expr/conditions.ts';
import type { FlowNode, NodeOf } from '../flow/schema.ts';
import { bucket, fnv1a } from './hash.ts';
import { questionOptions } from './input-validation.ts';
import { MAX_SNIPPET_CHARS } from './limits.ts';
import type { Run } from './run.ts';
import { RunError } from './types.ts';

/** Go to a port (undefined target = the run ends), wait, or end the run. */
export type Outcome =
  | { go: string | undefined; port: string }
  | { wait: 'input' | 'effect' }
  | { end: true };

const go = (target: string | undefined, port = 'next'): Outcome => ({ go: target, port });
const END: Outcome = { end: true };
const WAIT_EFFECT: Outcome = { wait: 'effect' };

export function execute(node: FlowNode, run: Run): Outcome {
  const scope = run.scope;
  switch (node.type) {
    case 'send_message':
      sendMessage(node, run);
      return go(node.next);
    case 'ask_question':
      askQuestion(node, run);
      return { wait: 'input' };
    case 'condition': {
      const tooLarge = { exceeded: false };
      const index = node.branches.findIndex((b) =>
        evaluateCondition(b.when, scope, run.ctx.now, tooLarge),
      );
      if (tooLarge.exceeded) run.fail(RunError.valueTooLarge);
      const branch = node.branches[index];
      return branch ? go(branch.next, `branches[${index}].next`) : go(node.else, 'else');
    }
    case 'split':
      return split(node, run);
    case 'set_variable':
      for (const assignment of node.assignments) setVariable(assignment, run);
      return go(node.next);
    case 'update_contact':
      updateContact(node, renderFields(node.fields, run), run, node.onError !== undefined);
      return node.onError !== undefined ? WAIT_EFFECT : go(node.next);
    case 'add_tag':
    case 'remove_tag':
      run.io(node, { type: node.type, tags: node.tags.map((t) => run.text(t)) }, false);
      return go(node.next);
    case 'assign':
      return assign(node, run);
    case 'check_availability': {
      const available = availableAgents(run.ctx.agents, node.users, node.teams).length > 0;
      return available ? go(node.available, 'available') : go(node.unavailable, 'unavailable');
    }
    case 'handover':
      run.io(
        node,
        {
          type: 'handover',
          ...optional({ teamId: node.teamId, note: node.note && run.text(node.note) }),
        },
        true,
      );
      return WAIT_EFFECT;
    case 'ai_answer': {
      const question = run.text(node.question ?? '{{system.last_utterance}}');
      run.io(node, { type: 'ai_answer', question }, true);
      return WAIT_EFFECT;
    }
    case 'http_request':
      run.io(node, httpEffect(node, run), true);
      return WAIT_EFFECT;
    case 'send_email': {
      const email = {
        type: 'send_email' as const,
        to: run.text(node.to),
        subject: run.text(node.subject),
        body: run.text(node.body),
      };
      run.io(node, email, node.onError !== undefined);
      return node.onError !== undefined ? WAIT_EFFECT : go(node.next);
    }
    case 'create_record': {
      const record = {
        type: 'create_record' as const,
        kind: node.kind,
        fields: renderFields(node.fields, run),
      };
      run.io(node, record, node.onError !== undefined);
      return node.onError !== undefined ? WAIT_EFFECT : go(node.next);
    }
    case 'redirect':
      run.io(node, { type: 'redirect', url: run.url(node.url), newTab: node.newTab }, false);
      return go(node.next);
    case 'show_banner': {
      const banner = {
        type: 'show_banner' as const,
        text: run.text(node.text),
        style: node.style,
      };
      run.io(node, node.url ? { ...banner, url: run.url(node.url) } : banner, false);
      return go(node.next);
    }
    case 'post':
      sayPost(node, run);
      return node.response.type === 'none' ? go(node.next) : { wait: 'input' };
    case 'go_to_flow':
      run.io(node, { type: 'go_to_flow', flowId: node.flowId }, false);
      return END;
    case 'close_conversation':
      if (node.message) run.say({ nodeId: node.id, text: run.text(node.message) });
      run.io(node, { type: 'close_conversation' }, false);
      return END;
    case 'end':
      return END;
    case 'capture_contact':
    case 'capture_company':
      showForm(node, run);
      return { wait: 'input' };
    case 'update_company': {
      const fields = companyAssignments(node, run);
      run.scope.company = { ...record(run.scope.company), ...fields };
      run.io(node, { type: 'update_company', fields }, node.onError !== undefined);
      return node.onError !== undefined ? WAIT_EFFECT : go(node.next);
    }
    case 'email_conversation': {
      const to = node.to;
      const recipient =
        to.kind === 'user' || to.kind === 'team'
          ? to
          : {
              kind: 'address' as const,
              address: run.text(to.kind === 'visitor' ? '{{contact.email}}' : to.address).trim(),
            };
      const subject = run.text(node.subject ?? 'Your conversation with {{pilot.name}}');
      run.io(
        node,
        { type: 'email_conversation', to: recipient, subject },
        node.onError !== undefined,
      );
      return node.onError !== undefined ? WAIT_EFFECT : go(node.next);
    }
  }
}

const record = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};

/** Says a capture node's text with its form (and, when re-shown, the errors per field). */
export function showForm(
  node: NodeOf<'capture_contact' | 'capture_company'>,
  run: Run,
  errors?: Record<string, string>,
): void {
  run.say({
    nodeId: node.id,
    text: run.text(node.text),
    form: node.fields.map((f) => ({
      name: f.field,
      label: run.text(f.label),
      kind: f.kind,
      ...(f.required ? { required: true } : {}),
    })),
    input: 'form',
    ...(errors ? { errors } : {}),
  });
}

/** The company fields an `update_company` writes: set renders, clear is null, increment adds. */
function companyAssignments(node: NodeOf<'update_company'>, run: Run) {
  const company = record(run.scope.company);
  const fields: Record<string, string | number | null> = {};
  for (const { field, op, value } of node.assignments) {
    if (op === 'clear') fields[field] = null;
    else if (op === 'increment')
      fields[field] =
        (toNumber(fields[field] ?? company[field]) ?? 0) + (toNumber(value ?? 1) ?? 0);
    else fields[field] = run.text(String(value ?? ''));
  }
  return fields;
}

function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(fields) as (keyof T)[])
    if (fields[key] !== undefined) out[key] = fields[key];
  return out;
}

/**
 * Writes fields of the conversation's contact (an `update_contact` node, or a question saving to
 * `contact.<field>`): one `update_contact` effect, so the worker stores every write the same way.
 */
export function updateContact(
  node: FlowNode,
  fields: Record<string, string>,
  run: Run,
  awaitResult: boolean,
): void {
  // Later nodes in this event already see the new values.
  run.scope.contact = { ...((run.scope.contact as object) ?? {}), ...fields };
  run.io(node, { type: 'update_contact', fields }, awaitResult);
}

function renderFields(fields: Record<string, string>, run: Run) {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = run.text(value);
  return out;
}

function sendMessage(node: NodeOf<'send_message'>, run: Run): void {
  run.say({
    nodeId: node.id,
    text: run.text(node.text),
    ...(node.image
      ? {
          image: {
            url: run.url(node.image.url),
            alt: run.text(node.image.alt),
          },
        }
      : {}),
    ...(node.buttons
      ? {
          links: node.buttons.map((b) => ({
            label: run.text(b.label),
            url: run.url(b.url),
            ...(b.newTab !== undefined ? { newTab: b.newTab } : {}),
          })),
        }
      : {}),
    ...(node.cards
      ? {
          cards: node.cards.map((card) => ({
            title: run.text(card.title),
            ...optional({
              text: card.text && run.text(card.text),
              imageUrl: card.imageUrl && run.url(card.imageUrl),
              url: card.url && run.url(card.url),
            }),
          })),
        }
      : {}),
  });
}

/** Reactions a post offers when none are given. */
const DEFAULT_REACTIONS = ['👍', '❤️', '😂', '😮'];

export function postReactions(node: NodeOf<'post'>): string[] {
  return node.response.type === 'reaction' ? (node.response.reactions ?? DEFAULT_REACTIONS) : [];
}

/** Only https images and links reach a post (the schema asks for them; templates may not). */
const httpsOnly = (url: string) => (/^https:\/\/\S+$/.test(url) ? url : undefined);

/**
 * Says a post: its text, and when large its title, image and call to action (the messenger
 * shows image and link like a send_message's). A snippet carries a short preview the messenger
 * shows collapsed until the visitor opens it.
 */
function sayPost(node: NodeOf<'post'>, run: Run): void {
  const large = node.size === 'large';
  const text = run.text(node.text);
  const title = large && node.title ? run.text(node.title) : undefined;
  const image = large && node.imageUrl ? httpsOnly(run.url(node.imageUrl)) : undefined;
  const ctaUrl = large && node.cta ? httpsOnly(run.url(node.cta.url)) : undefined;
  const reactions = postReactions(node);
  const preview =
    node.delivery === 'snippet'
      ? (title ??
        (text.length > MAX_SNIPPET_CHARS ? `${text.slice(0, MAX_SNIPPET_CHARS - 1)}…` : text))
      : undefined;
  run.say({
    nodeId: node.id,
    text,
    post: { size: node.size, ...optional({ title, preview }) },
    ...(image ? { image: { url: image, alt: '' } } : {}),
    ...(ctaUrl && node.cta
      ? {
          links: [
            {
              label: run.text(node.cta.label),
              url: ctaUrl,
              ...(node.cta.newTab !== undefined ? { newTab: node.cta.newTab } : {}),
            },
          ],
        }
      : {}),
    ...(reactions.length > 0
      ? { choices: reactions.map((r) => ({ label: r, value: r })), input: 'reaction' }
      : {}),
    ...(node.response.type === 'text'
      ? {
          input: 'text',
          ...(node.response.placeholder ? { placeholder: node.response.placeholder } : {}),
        }
      : {}),
  });
}

/** Says the question with its buttons and input kind. Also used to re-ask. */
export function askQuestion(node: NodeOf<'ask_question'>, run: Run): void {
  const options = questionOptions(node);
  run.say({
    nodeId: node.id,
    text: run.text(node.text),
    ...(options.length > 0
      ? {
          choices: options.map((o) => ({
            label: run.text(o.label),
            value: o.value,
          })),
        }
      : {}),
    input: node.input.kind,
    ...('placeholder' in node.input && node.input.placeholder
      ? { placeholder: node.input.placeholder }
      : {}),
  });
}

/** Stable per conversation: the same conversation always lands in the same bucket. */
function split(node: NodeOf<'split'>, run: Run): Outcome {
  const key = `${run.ctx.conversationId ?? run.state.runId}:${node.id}`;
  const total = node.paths.reduce((sum, path) => sum + path.percent, 0);
  // Percentages are validated to sum to 100; scale anyway so a draft never falls through.
  const point = (bucket(key) / 100) * (total > 0 ? total : 1);
  let cumulative = 0;
  for (const [index, path] of node.paths.entries()) {
    cumulative += path.percent;
    if (point < cumulative) return go(path.next, `paths[${index}].next`);
  }
  const last = node.paths.length - 1;
  return go(node.paths[last]?.next, `paths[${last}].next`);
}

function setVariable(assignment: NodeOf<'set_variable'>['assignments'][number], run: Run): void {
  const name = assignment.target.slice('variable.'.length);
  const type = run.variableType(name);
  const current = run.scope.variable[name];
  switch (assignment.op) {
    case 'set': {
      const value = run.value(assignment.value ?? null);
      if (!run.failure) run.setVariable(name, coerceToType(value, type));
      return;
    }
    case 'clear':
      run.setVariable(name, undefined);
      return;
    case 'increment': {
      const by = toNumber(run.value(assignment.value ?? 1)) ?? 0;
      run.setVariable(name, (toNumber(current) ?? 0) + by);
      return;
    }
    case 'append': {
      const item = run.value(assignment.value ?? null);
      if (run.failure) return;
      run.setVariable(name, [...toList(current), ...(item === null ? [] : [item])].slice(-500));
      return;
    }
  }
}

function assign(node: NodeOf<'assign'>, run: Run): Outcome {
  if (node.to.kind !== 'round_robin') {
    run.io(node, { type: 'assign', to: node.to }, true);
    return WAIT_EFFECT;
  }
  const teams = node.to.teamId ? [node.to.teamId] : undefined;
  const candidates = availableAgents(run.ctx.agents, undefined, teams)
    .map((agent) => agent.id)
    .sort();
  if (candidates.length === 0) return go(node.unavailable, 'unavailable');
  const key = `${run.ctx.conversationId ?? run.state.runId}:${node.id}`;
  const userId = candidates[fnv1a(key) % candidates.length] ?? '';
  run.io(node, { type: 'assign', to: { kind: 'user', userId } }, true);
  return WAIT_EFFECT;
}

function httpEffect(node: NodeOf<'http_request'>, run: Run) {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(node.headers ?? {}))
    headers[key] = run.text(value).replace(/[\r\n]/g, ' ');
  const effect = {
    type: 'http_request' as const,
    method: node.method,
    url: run.url(node.url),
    headers,
    timeoutMs: node.timeoutMs,
  };
  if (node.body === undefined || node.body === null) return effect;
  if (typeof node.body === 'string') {
    // A JSON-looking text body gets JSON-escaped values, so visitor text cannot break it.
    if (!/^\s*[[{]/.test(node.body))
      return { ...effect, body: run.text(node.body), contentType: 'text/plain' };
    const body = run.jsonText(node.body);
    return { ...effect, body, contentType: isJson(body) ? 'application/json' : 'text/plain' };
  }
  // Structured bodies: templates are rendered into values, then serialised once (JSON-safe).
  return {
    ...effect,
    body: JSON.stringify(run.value(node.body)),
    contentType: 'application/json',
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
