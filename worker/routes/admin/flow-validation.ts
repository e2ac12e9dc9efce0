/** Flow checks against the pilot: its global variables make `pilot.*` references checkable. */
import { ErrorCode, type ErrorIssue } from '../../../shared/errors.ts';
import type { Flow } from '../../../shared/flow/schema.ts';
import { type FlowIssue, validateFlow } from '../../../shared/flow/validate.ts';
import type { AppEnv } from '../../env.ts';
import { ApiError } from '../../http/api-error.ts';
import { pilotVariableValues } from '../../store/pilot-items.ts';

export async function validateForPilot(env: AppEnv, pilotId: string, flow: unknown) {
  const variables = await pilotVariableValues(env, pilotId);
  return validateFlow(flow, { pilotVariables: Object.keys(variables) });
}

/** Publishing a draft with errors is refused (409, every error listed); warnings are fine. */
export async function checkPublishable(env: AppEnv, flow: Flow): Promise<void> {
  const result = await validateForPilot(env, flow.pilotId, flow);
  if (result.errors.length > 0) {
    throw new ApiError(
      409,
      ErrorCode.conflict,
      'The draft has errors; fix them before publishing',
      flowErrorIssues(result.errors),
    );
  }
}

/** Flow issues as API error issues; each names its node too (issue 3: "names the node id and field"). */
export function flowErrorIssues(issues: readonly FlowIssue[]): ErrorIssue[] {
  return issues.map((issue) => ({
    path: issue.path || '(root)',
    message: issue.nodeId ? `${issue.message} (node ${issue.nodeId})` : issue.message,
  }));
}
