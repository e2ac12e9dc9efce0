/**
 * Problems as the editor shows them: the shared validator's errors and warnings, each tied to
 * the node it names (or the trigger / settings / flow) and to the field below that node, so a
 * click can select the node and focus the field.
 */
import type { Flow } from '../../../shared/flow/schema.ts';
import { type FlowIssue, validateFlow } from '../../../shared/flow/validate.ts';
import { checkStructureInSteps } from '../../../shared/flow/validate-structure.ts';
import { yieldToMain } from '../../yield-to-main.ts';
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

export function problemsOf(flow: Flow, pilotVariables?: string[]): Problem[] {
  const result = validateFlow(flow, pilotVariables ? { pilotVariables } : {});
  return asProblems(flow, result.errors, result.warnings);
}

function asProblems(flow: Flow, errors: FlowIssue[], warnings: FlowIssue[]): Problem[] {
  const map = (level: Problem['level']) => (issue: FlowIssue) => ({
    level,
    code: issue.code,
    message: issue.message,
    path: issue.path,
    ...locate(flow, issue),
  });
  return [...errors.map(map('error')), ...warnings.map(map('warning'))];
}

/** Check for at most this long before handing the main thread back. */
export const CHECK_SLICE_MS = 25;

/**
 * `problemsOf(flow)` for a flow that is the flow schema's output (a draft as loaded), spread
 * over tasks. Parsing it again cannot find anything (the schema has no transforms), so only
 * the cross-node checks run, in the same order, pausing between slices: in one task they took
 * 90-225 ms on a 1,000-step flow at 4x CPU throttle (bench/profile-editor.mjs), and the schema
 * parse as long again.
 */
export async function parsedProblemsInSlices(
  flow: Flow,
  pause: () => Promise<void> = yieldToMain,
  sliceMs = CHECK_SLICE_MS,
  now: () => number = () => performance.now(),
): Promise<Problem[]> {
  const errors: FlowIssue[] = [];
  const warnings: FlowIssue[] = [];
  let sliceStart = now();
  for (const _ of checkStructureInSteps(flow, {}, errors, warnings))
    if (now() - sliceStart >= sliceMs) {
      await pause();
      sliceStart = now();
    }
  return asProblems(flow, errors, warnings);
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
