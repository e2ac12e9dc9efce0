/**
 * Problems as the editor shows them: the shared validator's errors and warnings, each tied to
 * the node it names (or the trigger / settings / flow) and to the field below that node, so a
 * click can select the node and focus the field.
 */
import type { Flow } from '../../../shared/flow/schema.ts';
import { type FlowIssue, validateFlow, validateParsedFlow } from '../../../shared/flow/validate.ts';
import { TRIGGER_ID } from './commands.ts';

export interface Problem {
  level: 'error' | 'warning';
  code: string;
  message: string;
  /** Node id, `__trigger__` for the trigger, or undefined for flow-level fields. */
  target?: string;
  /** Field below the target: `text`, `input.options.0.label`, `urls.0.value`. */
  field?: string;
  path: string;
}

function locate(flow: Flow, issue: FlowIssue): Pick<Problem, 'target' | 'field'> {
  const parts = issue.path.split('.');
  if (parts[0] === 'nodes' && parts[1] !== undefined) {
    const id = issue.nodeId ?? flow.nodes[Number(parts[1])]?.id;
    return { ...(id ? { target: id } : {}), field: parts.slice(2).join('.') };
  }
  if (parts[0] === 'trigger') return { target: TRIGGER_ID, field: parts.slice(1).join('.') };
  if (parts[0] === 'start') return { target: TRIGGER_ID, field: 'start' };
  if (issue.nodeId) return { target: issue.nodeId, field: '' };
  return { field: issue.path };
}

/**
 * The validator's problems with `flow`. `parsed`: `flow` is the flow schema's output (a draft
 * as loaded), so only the cross-node checks run (half the time on a 1,000-step flow).
 */
export function problemsOf(flow: Flow, pilotVariables?: string[], parsed = false): Problem[] {
  const options = pilotVariables ? { pilotVariables } : {};
  const result = parsed ? validateParsedFlow(flow, options) : validateFlow(flow, options);
  const map = (level: Problem['level']) => (issue: FlowIssue) => ({
    level,
    code: issue.code,
    message: issue.message,
    path: issue.path,
    ...locate(flow, issue),
  });
  return [...result.errors.map(map('error')), ...result.warnings.map(map('warning'))];
}

/** Worst problem level per target, for the canvas markers. */
export function problemsByTarget(problems: readonly Problem[]): Map<string, 'error' | 'warning'> {
  const out = new Map<string, 'error' | 'warning'>();
  for (const p of problems) {
    if (!p.target) continue;
    if (p.level === 'error' || !out.has(p.target)) out.set(p.target, p.level);
  }
  return out;
}
