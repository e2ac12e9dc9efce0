/**
 * What the validator takes and reports, on their own so validate.ts (schema rules) and
 * validate-structure.ts (cross-node rules) both use them without importing each other.
 */

export interface FlowIssue {
  code: string;
  message: string;
  /** Dotted path into the flow JSON, e.g. `nodes.3.next`. */
  path: string;
  nodeId?: string;
}

export interface ValidateOptions {
  /** Names of the pilot's global variables; when given, `pilot.*` references are checked. */
  pilotVariables?: string[];
}
