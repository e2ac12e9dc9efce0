/**
 * The Flow Manager's model: a flow's local variables (name, type, default) edited as text and
 * checked with the flow format's own `variableSchema`, plus duplicate names.
 */
import { type FlowVariable, VARIABLE_TYPES, variableSchema } from '../../shared/flow/schema.ts';

export { type FlowVariable, VARIABLE_TYPES };
export type VariableType = FlowVariable['type'];

/** The schema allows 200 variables per flow. */
export const MAX_VARIABLES = 200;

/** A default typed in as text, as the variable's type stores it (undefined = no default). */
export function parseDefault(type: VariableType, text: string): FlowVariable['default'] {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  switch (type) {
    case 'number':
      return Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
    case 'boolean':
      return trimmed === 'true' ? true : trimmed === 'false' ? false : text;
    case 'list':
      return trimmed
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    default:
      return text;
  }
}

export function formatDefault(value: FlowVariable['default']): string {
  if (value === undefined || value === null) return '';
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** The variable with `patch` applied; a default is re-read when the type changes. */
export function patchVariable(variable: FlowVariable, patch: Partial<FlowVariable>): FlowVariable {
  const next = { ...variable, ...patch };
  if (patch.type && patch.type !== variable.type && 'default' in variable) {
    const value = parseDefault(patch.type, formatDefault(variable.default));
    if (value === undefined) delete next.default;
    else next.default = value;
  }
  return next;
}

/** A fresh variable whose name is not taken (`var_1`, `var_2`, …). */
export function newVariable(existing: readonly FlowVariable[]): FlowVariable {
  const taken = new Set(existing.map((v) => v.name));
  let n = existing.length + 1;
  while (taken.has(`var_${n}`)) n++;
  return { name: `var_${n}`, type: 'text' };
}

/** Problems by row index: the schema's (name format, default type) and duplicate names. */
export function variableProblems(variables: readonly FlowVariable[]): Map<number, string> {
  const problems = new Map<number, string>();
  const seen = new Map<string, number>();
  variables.forEach((variable, i) => {
    const parsed = variableSchema.safeParse(variable);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field =
        issue.path[0] === 'name' ? 'Name' : issue.path[0] === 'default' ? 'Default' : 'Variable';
      problems.set(
        i,
        issue.path[0] === 'name'
          ? 'Name: letters, digits and underscores, not starting with a digit'
          : `${field}: ${issue.message}`,
      );
    } else if (variable.type === 'number' && typeof variable.default === 'string') {
      problems.set(i, 'Default: not a number');
    } else if (variable.type === 'boolean' && typeof variable.default === 'string') {
      problems.set(i, 'Default: true or false');
    }
    const first = seen.get(variable.name);
    if (first !== undefined && !problems.has(i))
      problems.set(i, `Name: "${variable.name}" is used twice`);
    else seen.set(variable.name, i);
  });
  return problems;
}
