/**
 * What each node does when the run enters it. Pure nodes pick a port at once; I/O nodes emit an
 * effect and either continue (fire-and-forget) or wait for its result (see resume.ts).
 */
import type { FlowNode, NodeOf } from '../flow/schema.ts';
import { coerceToType, toList, toNumber } from './coerce.ts';
import { evaluateCondition } from './conditions.ts';
import { bucket, fnv1a } from './hash.ts';
import { questionOptions } from './input-validation.ts';
import type { Run } from './run.ts';
import { availableAgents, withVariable } from './scope.ts';
import { renderJsonText, renderTemplate, renderUrl, renderValue } from './template.ts';

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
      const index = node.branches.findIndex((b) => evaluateCondition(b.when, scope, run.ctx.now));
      const branch = node.branches[index];
      return branch ? go(branch.next, `branches[${index}].next`) : go(node.else, 'else');
    }
    case 'split':
      return split(node, run);
    case 'set_variable':
      for (const assignment of node.assignments) setVariable(assignment, run);
      return go(node.next);
    case 'update_contact':
      updateContact(node, renderFields(node.fields, scope), run, node.onError !== undefined);
      return node.onError !== undefined ? WAIT_EFFECT : go(node.next);
    case 'add_tag':
    case 'remove_tag':
      run.io(
        node,
        { type: node.type, tags: node.tags.map((t) => renderTemplate(t, scope)) },
        false,
      );
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
          ...optional({ teamId: node.teamId, note: node.note && renderTemplate(node.note, scope) }),
        },
        true,
      );
      return WAIT_EFFECT;
    case 'ai_answer': {
      const question = renderTemplate(node.question ?? '{{system.last_utterance}}', scope);
      run.io(node, { type: 'ai_answer', question }, true);
      return WAIT_EFFECT;
    }
    case 'http_request':
      run.io(node, httpEffect(node, run), true);
      return WAIT_EFFECT;
    case 'send_email': {
      const email = {
        type: 'send_email' as const,
        to: renderTemplate(node.to, scope),
        subject: renderTemplate(node.subject, scope),
        body: renderTemplate(node.body, scope),
      };
      run.io(node, email, node.onError !== undefined);
      return node.onError !== undefined ? WAIT_EFFECT : go(node.next);
    }
    case 'create_record': {
      const record = {
        type: 'create_record' as const,
        kind: node.kind,
        fields: renderFields(node.fields, scope),
      };
      run.io(node, record, node.onError !== undefined);
      return node.onError !== undefined ? WAIT_EFFECT : go(node.next);
    }
    case 'redirect':
      run.io(
        node,
        { type: 'redirect', url: renderUrl(node.url, scope), newTab: node.newTab },
        false,
      );
      return go(node.next);
    case 'show_banner': {
      const banner = {
        type: 'show_banner' as const,
        text: renderTemplate(node.text, scope),
        style: node.style,
      };
      run.io(node, node.url ? { ...banner, url: renderUrl(node.url, scope) } : banner, false);
      return go(node.next);
    }
    case 'go_to_flow':
      run.io(node, { type: 'go_to_flow', flowId: node.flowId }, false);
      return END;
    case 'close_conversation':
      if (node.message) run.say({ nodeId: node.id, text: renderTemplate(node.message, scope) });
      run.io(node, { type: 'close_conversation' }, false);
      return END;
    case 'end':
      return END;
  }
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

function renderFields(fields: Record<string, string>, scope: Record<string, unknown>) {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = renderTemplate(value, scope);
  return out;
}

function sendMessage(node: NodeOf<'send_message'>, run: Run): void {
  const scope = run.scope;
  run.say({
    nodeId: node.id,
    text: renderTemplate(node.text, scope),
    ...(node.image
      ? {
          image: {
            url: renderUrl(node.image.url, scope),
            alt: renderTemplate(node.image.alt, scope),
          },
        }
      : {}),
    ...(node.buttons
      ? {
          links: node.buttons.map((b) => ({
            label: renderTemplate(b.label, scope),
            url: renderUrl(b.url, scope),
            ...(b.newTab !== undefined ? { newTab: b.newTab } : {}),
          })),
        }
      : {}),
    ...(node.cards
      ? {
          cards: node.cards.map((card) => ({
            title: renderTemplate(card.title, scope),
            ...optional({
              text: card.text && renderTemplate(card.text, scope),
              imageUrl: card.imageUrl && renderUrl(card.imageUrl, scope),
              url: card.url && renderUrl(card.url, scope),
            }),
          })),
        }
      : {}),
  });
}

/** Says the question with its buttons and input kind. Also used to re-ask. */
export function askQuestion(node: NodeOf<'ask_question'>, run: Run): void {
  const options = questionOptions(node);
  run.say({
    nodeId: node.id,
    text: renderTemplate(node.text, run.scope),
    ...(options.length > 0
      ? {
          choices: options.map((o) => ({
            label: renderTemplate(o.label, run.scope),
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
    case 'set':
      withVariable(
        run.scope,
        name,
        coerceToType(renderValue(assignment.value ?? null, run.scope), type),
      );
      return;
    case 'clear':
      withVariable(run.scope, name, undefined);
      return;
    case 'increment': {
      const by = toNumber(renderValue(assignment.value ?? 1, run.scope)) ?? 0;
      withVariable(run.scope, name, (toNumber(current) ?? 0) + by);
      return;
    }
    case 'append': {
      const item = renderValue(assignment.value ?? null, run.scope);
      withVariable(
        run.scope,
        name,
        [...toList(current), ...(item === null ? [] : [item])].slice(-500),
      );
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
  const scope = run.scope;
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(node.headers ?? {}))
    headers[key] = renderTemplate(value, scope).replace(/[\r\n]/g, ' ');
  const effect = {
    type: 'http_request' as const,
    method: node.method,
    url: renderUrl(node.url, scope),
    headers,
    timeoutMs: node.timeoutMs,
  };
  if (node.body === undefined || node.body === null) return effect;
  if (typeof node.body === 'string') {
    // A JSON-looking text body gets JSON-escaped values, so visitor text cannot break it.
    if (!/^\s*[[{]/.test(node.body))
      return { ...effect, body: renderTemplate(node.body, scope), contentType: 'text/plain' };
    const body = renderJsonText(node.body, scope);
    return { ...effect, body, contentType: isJson(body) ? 'application/json' : 'text/plain' };
  }
  // Structured bodies: templates are rendered into values, then serialised once (JSON-safe).
  return {
    ...effect,
    body: JSON.stringify(renderValue(node.body, scope)),
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
