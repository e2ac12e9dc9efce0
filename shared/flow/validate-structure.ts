/** Cross-node validation rules on a schema-valid flow (see validate.ts). */
import { toDurationMs } from '../expr/coerce.ts';
import { type Condition, forEachRule, UNARY_OPS } from '../expr/condition-schema.ts';
import { parseJsonPath } from '../expr/json-path.ts';
import { checkPattern } from '../expr/regex.ts';
import { templatePaths } from '../expr/template.ts';
import { cyclesWithoutWait, reachable } from './graph.ts';
import type { FlowNode } from './nodes.ts';
import { nodePorts } from './ports.ts';
import { checkReference, type KnownNames } from './references.ts';
import type { Flow } from './schema.ts';
import type { FlowIssue, ValidateOptions } from './validate-options.ts';

type Report = (level: 'error' | 'warning', issue: FlowIssue) => void;

/** Node types whose only purpose is choosing where to go next (a question may also save). */
const BRANCHING: ReadonlySet<FlowNode['type']> = new Set([
  'ask_question',
  'condition',
  'split',
  'check_availability',
]);

export function checkStructure(
  flow: Flow,
  options: ValidateOptions,
  errors: FlowIssue[],
  warnings: FlowIssue[],
): void {
  for (const _ of checkStructureInSteps(flow, options, errors, warnings));
}

/**
 * `checkStructure` one step at a time: it yields after each node's checks and after each
 * whole-flow pass, so that a caller (the editor opening a 1,000-step flow) can spread the
 * checks over several tasks. Run to the end, it reports exactly what `checkStructure` does.
 */
export function* checkStructureInSteps(
  flow: Flow,
  options: ValidateOptions,
  errors: FlowIssue[],
  warnings: FlowIssue[],
): Generator<void, void, void> {
  const report: Report = (level, issue) => (level === 'error' ? errors : warnings).push(issue);
  const known: KnownNames = {
    variables: new Set(flow.variables.map((v) => v.name)),
    ...(options.pilotVariables ? { pilotVariables: new Set(options.pilotVariables) } : {}),
  };
  checkVariables(flow, report);
  checkTrigger(flow, known, report);

  const ids = new Set<string>();
  flow.nodes.forEach((node, index) => {
    if (ids.has(node.id))
      report('error', {
        code: 'duplicate_node_id',
        message: `Node id "${node.id}" is used twice`,
        path: `nodes.${index}.id`,
        nodeId: node.id,
      });
    ids.add(node.id);
  });
  if (!ids.has(flow.start))
    report('error', {
      code: 'missing_start',
      message: `Start node "${flow.start}" does not exist`,
      path: 'start',
    });

  for (const [index, node] of flow.nodes.entries()) {
    checkNode(node, `nodes.${index}`, ids, known, report);
    yield;
  }

  const seen = reachable(flow.nodes, flow.start);
  yield;
  flow.nodes.forEach((node, index) => {
    if (!seen.has(node.id))
      report('warning', {
        code: 'unreachable_node',
        message: `Node "${node.id}" cannot be reached from the start`,
        path: `nodes.${index}`,
        nodeId: node.id,
      });
  });
  yield;
  const waits = (node: FlowNode) =>
    node.type === 'ask_question' || (node.type === 'post' && node.response.type !== 'none');
  for (const cycle of cyclesWithoutWait(flow.nodes, waits)) {
    const first = cycle[0] as string;
    report('error', {
      code: 'cycle_without_wait',
      message: `Nodes ${cycle.join(' -> ')} loop without waiting for the visitor (add an ask_question)`,
      path: `nodes.${flow.nodes.findIndex((n) => n.id === first)}`,
      nodeId: first,
    });
  }
}

function checkVariables(flow: Flow, report: Report): void {
  const names = new Set<string>();
  flow.variables.forEach((variable, index) => {
    const path = `variables.${index}`;
    if (names.has(variable.name))
      report('error', {
        code: 'duplicate_variable',
        message: `Variable "${variable.name}" is declared twice`,
        path: `${path}.name`,
      });
    names.add(variable.name);
    const value = variable.default;
    if (value === undefined || value === null) return;
    const fits =
      (variable.type === 'number' && typeof value === 'number') ||
      (variable.type === 'boolean' && typeof value === 'boolean') ||
      (variable.type === 'list' && Array.isArray(value)) ||
      (['text', 'date', 'datetime'].includes(variable.type) && typeof value === 'string');
    if (!fits)
      report('warning', {
        code: 'default_type_mismatch',
        message: `Default of "${variable.name}" is not a ${variable.type}`,
        path: `${path}.default`,
      });
  });
}

function checkTrigger(flow: Flow, known: KnownNames, report: Report): void {
  const trigger = flow.trigger;
  if (trigger.type === 'page_visited')
    trigger.urls.forEach((rule, index) => {
      if (rule.op !== 'matches') return;
      const check = checkPattern(rule.value);
      if (!check.ok)
        report('error', {
          code: 'bad_regex',
          message: `URL pattern: ${check.reason}`,
          path: `trigger.urls.${index}.value`,
        });
    });
  if (trigger.conditions)
    checkCondition(trigger.conditions, 'trigger.conditions', undefined, known, report);
}

function checkCondition(
  condition: Condition,
  path: string,
  nodeId: string | undefined,
  known: KnownNames,
  report: Report,
): void {
  const at = nodeId ? { nodeId } : {};
  forEachRule(condition, (rule, rulePath) => {
    // Issues name the rule's own field: `nodes.2.branches.0.when.all.1.value`.
    const field = (key: 'field' | 'value') => [path, rulePath, key].filter(Boolean).join('.');
    const problem = checkReference(rule.field, known);
    if (problem)
      report(problem.level, {
        code: problem.code,
        message: problem.message,
        path: field('field'),
        ...at,
      });
    const bad = (message: string) =>
      report('error', {
        code: 'bad_condition_value',
        message: `${rule.field} ${rule.op}: ${message}`,
        path: field('value'),
        ...at,
      });
    if (!UNARY_OPS.has(rule.op) && (rule.value === undefined || rule.value === null))
      bad('needs a value');
    if (rule.op === 'between' && !(Array.isArray(rule.value) && rule.value.length === 2))
      bad('needs [low, high]');
    if (rule.op === 'within_last' && toDurationMs(rule.value) === undefined)
      bad('needs a duration such as "7d", "2h", "30m" or seconds');
    if (rule.op === 'matches' && typeof rule.value === 'string') {
      const check = checkPattern(rule.value);
      if (!check.ok)
        report('error', {
          code: 'bad_regex',
          message: `${rule.field}: ${check.reason}`,
          path: field('value'),
          ...at,
        });
    }
  });
}

/** Every string inside a node, with its path (templates can be anywhere). */
function strings(value: unknown, path: string, out: [string, string][]): void {
  if (typeof value === 'string') out.push([value, path]);
  else if (Array.isArray(value))
    for (const [i, item] of value.entries()) strings(item, `${path}.${i}`, out);
  else if (value !== null && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) strings(item, `${path}.${key}`, out);
}

function checkNode(
  node: FlowNode,
  path: string,
  ids: ReadonlySet<string>,
  known: KnownNames,
  report: Report,
): void {
  const nodeId = node.id;
  const issue = (level: 'error' | 'warning', code: string, message: string, field: string) =>
    report(level, { code, message, path: field ? `${path}.${field}` : path, nodeId });

  const ports = nodePorts(node);
  // Branching nodes exist to go somewhere: with every port missing, the run just ends here.
  const pointless =
    BRANCHING.has(node.type) &&
    !(node.type === 'ask_question' && node.saveTo) &&
    ports.every(({ target }) => target === undefined);
  if (pointless)
    issue(
      'warning',
      'missing_port',
      `No port of this ${node.type} is set, so the run ends here`,
      ports[0]?.port.replace(/\[(\d+)\]/g, '.$1') ?? '',
    );
  for (const { port, target } of ports)
    if (target !== undefined && !ids.has(target))
      issue(
        'error',
        'dangling_port',
        `Port ${port} points to missing node "${target}"`,
        port.replace(/\[(\d+)\]/g, '.$1'),
      );

  const found: [string, string][] = [];
  strings(node, path, found);
  for (const [text, at] of found)
    for (const ref of templatePaths(text)) {
      const problem = checkReference(ref, known);
      if (problem)
        report(problem.level, {
          code: problem.code,
          message: `{{${ref}}}: ${problem.message}`,
          path: at,
          nodeId,
        });
    }

  // Only `variable.*` targets are declared; a question's `contact.<field>` target needs no declaration.
  const declared = (target: string | undefined, field: string) => {
    if (target?.startsWith('variable.') && !known.variables.has(target.slice('variable.'.length)))
      issue(
        'error',
        'unknown_variable',
        `${target} is not declared in the flow's variables`,
        field,
      );
  };
  switch (node.type) {
    case 'ask_question': {
      declared(node.saveTo, 'saveTo');
      const values = new Set<string>();
      const options = 'options' in node.input ? (node.input.options ?? []) : [];
      options.forEach((option, i) => {
        if (values.has(option.value))
          issue(
            'error',
            'duplicate_option',
            `Option value "${option.value}" is used twice`,
            `input.options.${i}.value`,
          );
        values.add(option.value);
        if (node.input.kind === 'yes_no' && option.value !== 'yes' && option.value !== 'no')
          issue(
            'error',
            'bad_option',
            'yes_no options have the values "yes" and "no"',
            `input.options.${i}.value`,
          );
      });
      checkInputBounds(node, issue);
      break;
    }
    case 'post':
      checkPost(node, issue);
      if (node.response.type !== 'none') declared(node.response.saveTo, 'response.saveTo');
      break;
    case 'condition':
      for (const [i, branch] of node.branches.entries())
        checkCondition(branch.when, `${path}.branches.${i}.when`, nodeId, known, report);
      break;
    case 'split': {
      const total = node.paths.reduce((sum, p) => sum + p.percent, 0);
      if (Math.abs(total - 100) > 1e-9)
        issue('error', 'split_total', `Split percentages sum to ${total}, not 100`, 'paths');
      break;
    }
    case 'set_variable':
      for (const [i, a] of node.assignments.entries())
        declared(a.target, `assignments.${i}.target`);
      break;
    case 'ai_answer':
      declared(node.saveTo, 'saveTo');
      break;
    case 'http_request':
      (node.saveResponse ?? []).forEach((save, i) => {
        declared(save.to, `saveResponse.${i}.to`);
        if (!parseJsonPath(save.path))
          issue(
            'error',
            'bad_json_path',
            `"${save.path}" is not a supported path ($.a.b[0])`,
            `saveResponse.${i}.path`,
          );
      });
      if (node.onError === undefined)
        issue(
          'warning',
          'missing_error_port',
          'Without onError a failed request fails the run',
          'onError',
        );
      break;
    case 'capture_contact':
    case 'capture_company': {
      const names = new Set<string>();
      node.fields.forEach((f, i) => {
        if (names.has(f.field))
          issue(
            'error',
            'duplicate_field',
            `Field "${f.field}" is asked twice`,
            `fields.${i}.field`,
          );
        names.add(f.field);
      });
      break;
    }
    case 'update_company':
      node.assignments.forEach((a, i) => {
        if (a.op === 'increment' && a.value !== undefined && typeof a.value !== 'number')
          issue('error', 'bad_increment', 'increment takes a number', `assignments.${i}.value`);
        if (a.op === 'set' && a.value === undefined)
          issue('error', 'missing_value', 'set needs a value', `assignments.${i}.value`);
      });
      break;
    case 'send_message':
      if (node.text.trim() === '') issue('warning', 'empty_text', 'The message is empty', 'text');
      break;
    default:
      break;
  }
}

type Issue = (level: 'error' | 'warning', code: string, message: string, field: string) => void;

/** Ranges a question's input must make sense of: min <= max, max within the options. */
function checkInputBounds(node: Extract<FlowNode, { type: 'ask_question' }>, issue: Issue): void {
  const input = node.input;
  if (input.kind === 'multiple_choice') {
    const max = input.max ?? input.options.length;
    if (max > input.options.length)
      issue('error', 'bad_range', 'max is more than the number of options', 'input.max');
    if ((input.min ?? 1) > max)
      issue('error', 'bad_range', 'min is more than max (or the options)', 'input.min');
  }
  if (input.kind === 'date' && input.min && input.max && input.min > input.max)
    issue('error', 'bad_range', `min ${input.min} is after max ${input.max}`, 'input.min');
}

/**
 * A small post is text only; a large post needs a title and may add an image and a call to
 * action. Reactions are offered once each.
 */
function checkPost(node: Extract<FlowNode, { type: 'post' }>, issue: Issue): void {
  if (node.size === 'small')
    for (const field of ['title', 'imageUrl', 'cta'] as const)
      if (node[field] !== undefined)
        issue('error', 'large_post_only', `${field} is shown only by a large post`, field);
  if (node.size === 'large' && node.title === undefined)
    issue('error', 'missing_title', 'A large post needs a title', 'title');
  if (node.text.trim() === '') issue('warning', 'empty_text', 'The post is empty', 'text');
  if (node.response.type !== 'reaction') return;
  const seen = new Set<string>();
  (node.response.reactions ?? []).forEach((reaction, i) => {
    if (seen.has(reaction))
      issue(
        'error',
        'duplicate_option',
        `Reaction ${reaction} is offered twice`,
        `response.reactions.${i}`,
      );
    seen.add(reaction);
  });
}
