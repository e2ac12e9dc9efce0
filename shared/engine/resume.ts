/**
 * How a waiting run continues: the visitor's answer to an `ask_question`, or the result of an
 * effect. The result picks the port; an error with no error port fails the run.
 */

import { coerceToType, toText } from '../expr/coerce.ts';
import { readJsonPath } from '../expr/json-path.ts';
import { sizeWithin } from '../expr/size.ts';
import { DEFAULT_HANDOVER_MESSAGE } from '../flow/nodes.ts';
import type { FlowNode, NodeOf } from '../flow/schema.ts';
import type { Outcome } from './execute.ts';
import { askQuestion, postReactions, showForm, updateContact } from './execute.ts';
import { validateAnswer, validateKind } from './input-validation.ts';
import { MAX_VALUE_CHARS } from './limits.ts';
import type { Run } from './run.ts';
import { type EngineEvent, RunError } from './types.ts';

/** Default retry text per invalid-answer reason. */
const INVALID_TEXT: Record<string, string> = {
  not_an_option: 'Please pick one of the options.',
  not_yes_or_no: 'Please answer yes or no.',
  invalid_email: 'That does not look like an email address. Please try again.',
  invalid_phone: 'That does not look like a phone number. Please try again.',
  invalid_number: 'Please enter a number.',
  invalid_date: 'Please enter a date, e.g. 2026-12-24.',
  invalid_url: 'Please enter a web address, e.g. https://example.com.',
  date_out_of_range: 'Please pick a date in the allowed range.',
  not_a_rating: 'Please pick a rating.',
  wrong_count: 'Please pick the number of options asked for.',
  empty: 'Please type an answer.',
  required: 'This field is required.',
};

/**
 * The values of a capture form, each checked as its kind (the server's check: the messenger's
 * own is a courtesy). Valid values are normalised text (`update_contact` stores text); any
 * error re-shows the form with the errors per field, up to `retries` times.
 */
export function resumeForm(
  node: NodeOf<'capture_contact' | 'capture_company'>,
  event: Extract<EngineEvent, { type: 'input' }>,
  run: Run,
): Resumed {
  const values: Record<string, string> = {};
  const errors: Record<string, string> = {};
  for (const field of node.fields) {
    const typed = (event.form?.[field.field] ?? '').trim();
    if (typed === '') {
      if (field.required) errors[field.field] = 'required';
      continue;
    }
    const answer = validateKind(field.kind, typed, run.ctx.now, run.ctx.timezone);
    if (answer.valid) values[field.field] = toText(answer.value);
    else errors[field.field] = answer.reason;
  }
  const reasons = Object.keys(errors);
  if (reasons.length === 0) {
    const namespace = node.type === 'capture_contact' ? 'contact' : 'company';
    const current = run.scope[namespace];
    run.scope[namespace] = {
      ...(current && typeof current === 'object' ? current : {}),
      ...values,
    };
    run.io(node, { type: node.type, fields: values }, true);
    return { outcome: { wait: 'effect' } };
  }
  const error = reasons.map((name) => `${name}:${errors[name]}`).join(',');
  const attempts = (run.state.attempts ?? 0) + 1;
  if (attempts <= (node.retries ?? 3)) {
    const texts: Record<string, string> = {};
    for (const name of reasons)
      texts[name] = INVALID_TEXT[errors[name] ?? ''] ?? 'Please check this field.';
    showForm(node, run, texts);
    return { retry: attempts, error };
  }
  if (node.onInvalid === undefined) return { fail: 'invalid_input' };
  return { outcome: { go: node.onInvalid, port: 'onInvalid' }, error };
}

/** Either continue (`outcome`), stay waiting (`retry`), or fail the run (`fail`). */
export type Resumed =
  | { outcome: Outcome; error?: string; choice?: string; rating?: number }
  | { retry: number; error: string }
  | { fail: string };

function save(run: Run, target: string | undefined, value: unknown): void {
  if (!target) return;
  const name = target.slice('variable.'.length);
  // Measured before coercion, which may serialise it (a huge webhook response stays unread).
  if (sizeWithin(value, MAX_VALUE_CHARS) === null) run.fail(RunError.valueTooLarge);
  else run.setVariable(name, coerceToType(value, run.variableType(name)));
}

const CONTACT_PREFIX = 'contact.';
const COMPANY_PREFIX = 'company.';

/**
 * A valid answer goes to its `saveTo`: a flow variable (coerced to its declared type), a contact
 * field or a company field, written as text exactly like an `update_contact` / `update_company`
 * node setting that one field (the worker normalises and stores it; a contact with no company
 * gets one). The question has no error port, so the write is fire-and-forget, like those nodes
 * without `onError`.
 */
function saveAnswer(node: NodeOf<'ask_question'>, run: Run, value: unknown): void {
  const target = node.saveTo;
  if (target?.startsWith(CONTACT_PREFIX))
    updateContact(node, { [target.slice(CONTACT_PREFIX.length)]: toText(value) }, run, false);
  else if (target?.startsWith(COMPANY_PREFIX)) {
    const fields = { [target.slice(COMPANY_PREFIX.length)]: toText(value) };
    // Later nodes in this event already see the new value.
    run.scope.company = { ...((run.scope.company as object) ?? {}), ...fields };
    run.io(node, { type: 'update_company', fields }, false);
  } else save(run, target, value);
}

/**
 * A post waiting for a response is answered like a question: free text, or one of its reactions
 * as buttons. Anything else is not re-asked (a post is no form): the run moves on unsaved.
 */
export function postQuestion(node: NodeOf<'post'>): NodeOf<'ask_question'> {
  const response = node.response;
  const reactions = response.type === 'reaction' ? postReactions(node) : [];
  return {
    id: node.id,
    type: 'ask_question',
    text: node.text,
    input:
      response.type === 'reaction'
        ? { kind: 'buttons', options: reactions.map((r) => ({ label: r, value: r })) }
        : { kind: 'text' },
    ...(response.type !== 'none' && response.saveTo ? { saveTo: response.saveTo } : {}),
    retries: 0,
    next: node.next,
    onInvalid: node.next,
  };
}

export function resumeInput(
  node: NodeOf<'ask_question'>,
  event: Extract<EngineEvent, { type: 'input' }>,
  run: Run,
): Resumed {
  const answer = validateAnswer(node, event.text, event.value, run.ctx.now, run.ctx.timezone);
  if (answer.valid) {
    saveAnswer(node, run, answer.value);
    const option = answer.option;
    const target = option?.next ?? node.next;
    const port = option?.next !== undefined ? `option:${option.value}` : 'next';
    return {
      outcome: { go: target, port },
      ...(option ? { choice: option.value } : {}),
      ...(node.input.kind === 'rating' ? { rating: answer.value as number } : {}),
    };
  }
  const attempts = (run.state.attempts ?? 0) + 1;
  if (attempts <= (node.retries ?? 2)) {
    const text = node.invalidText ?? INVALID_TEXT[answer.reason] ?? 'Please try again.';
    run.say({ nodeId: node.id, text: run.text(text) });
    askQuestion(node, run);
    return { retry: attempts, error: answer.reason };
  }
  if (node.onInvalid === undefined) return { fail: 'invalid_input' };
  return { outcome: { go: node.onInvalid, port: 'onInvalid' }, error: answer.reason };
}

const record = (data: unknown): Record<string, unknown> =>
  data !== null && typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : {};

/** An error result goes to `port` if the node has one, else fails the run with `error`. */
function onError(target: string | undefined, port: string, error: string): Resumed {
  return target === undefined ? { fail: error } : { outcome: { go: target, port }, error };
}

export function resumeEffect(
  node: FlowNode,
  event: Extract<EngineEvent, { type: 'effect_result' }>,
  run: Run,
): Resumed {
  const data = record(event.data);
  switch (node.type) {
    case 'http_request': {
      const status = typeof data.status === 'number' ? data.status : undefined;
      const ok = event.ok && (status === undefined || (status >= 200 && status < 300));
      if (!ok) return onError(node.onError, 'onError', event.error ?? `http_${status ?? 'error'}`);
      for (const { path, to } of node.saveResponse ?? [])
        save(run, to, readJsonPath(data.body, path));
      return { outcome: { go: node.next, port: 'next' } };
    }
    case 'ai_answer': {
      const outcome =
        typeof data.outcome === 'string' ? data.outcome : event.ok ? 'answered' : 'no_answer';
      if (outcome === 'handover_requested')
        return { outcome: { go: node.handoverRequested, port: 'handoverRequested' } };
      const text = typeof data.text === 'string' ? data.text : '';
      if (outcome !== 'answered' || !event.ok || text === '')
        return { outcome: { go: node.noAnswer, port: 'noAnswer' } };
      const links = linksOf(data.links);
      run.say({ nodeId: node.id, text, ...(links.length ? { links } : {}) });
      save(run, node.saveTo, text);
      return { outcome: { go: node.next, port: 'next' } };
    }
    case 'assign':
      return event.ok
        ? { outcome: { go: node.next, port: 'next' } }
        : {
            outcome: { go: node.unavailable, port: 'unavailable' },
            error: event.error ?? 'unavailable',
          };
    case 'handover':
      if (!event.ok)
        return {
          outcome: { go: node.unavailable, port: 'unavailable' },
          error: event.error ?? 'unavailable',
        };
      {
        const message = node.message ?? DEFAULT_HANDOVER_MESSAGE;
        if (message) run.say({ nodeId: node.id, text: run.text(message) });
      }
      return { outcome: { go: node.next, port: 'next' } };
    case 'send_email':
    case 'create_record':
    case 'update_contact':
    case 'update_company':
    case 'email_conversation':
    case 'capture_contact':
    case 'capture_company':
      return event.ok
        ? { outcome: { go: node.next, port: 'next' } }
        : onError(node.onError, 'onError', event.error ?? `${node.type}_failed`);
    default:
      return { fail: 'unexpected_effect_result' };
  }
}

/** The answer's source links from an `ai_answer` result (only well-formed entries). */
function linksOf(value: unknown): { label: string; url: string }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((link) =>
    link && typeof link.label === 'string' && typeof link.url === 'string'
      ? [{ label: link.label, url: link.url }]
      : [],
  );
}
