/**
 * Which `namespace.path` names a flow may read. Flow variables and (when known) pilot globals
 * are checked exactly; system/time/agents have fixed fields; visitor fields are known but may
 * be extended by custom attributes (warning); contact, conversation, event, intent and entity
 * are open.
 */
import { NAMESPACES } from '../expr/condition-schema.ts';

export const SYSTEM_FIELDS = [
  'last_utterance',
  'last_response',
  'locale',
  'conversation_user_id',
  'conversation_history',
] as const;
export const TIME_FIELDS = [
  'now',
  'timestamp',
  'date',
  'day_of_week',
  'hour',
  'minute',
  'timezone',
  'office_hours',
] as const;
export const AGENTS_FIELDS = ['available', 'available_count', 'available_ids'] as const;
export const VISITOR_FIELDS = [
  'page_url',
  'page_title',
  'referrer',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'country',
  'language',
  'device',
  'browser',
  'visit_count',
  'is_returning',
  'is_identified',
  'id',
] as const;

export type ReferenceProblem = { level: 'error' | 'warning'; code: string; message: string } | null;

export interface KnownNames {
  variables: ReadonlySet<string>;
  /** Pilot globals; undefined = not known here, so `pilot.*` is not checked. */
  pilotVariables?: ReadonlySet<string>;
}

const fixed: Record<string, readonly string[]> = {
  system: SYSTEM_FIELDS,
  time: TIME_FIELDS,
  agents: AGENTS_FIELDS,
};

/** Checks one `namespace.path` reference. */
export function checkReference(path: string, known: KnownNames): ReferenceProblem {
  const [namespace = '', first = ''] = path.split('.');
  if (!(NAMESPACES as readonly string[]).includes(namespace))
    return {
      level: 'error',
      code: 'unknown_namespace',
      message: `"${path}" is not namespace.field (namespaces: ${NAMESPACES.join(', ')})`,
    };
  if (first === '')
    return { level: 'error', code: 'unknown_variable', message: `"${path}" names no field` };
  if (namespace === 'variable' && !known.variables.has(first))
    return {
      level: 'error',
      code: 'unknown_variable',
      message: `Variable "${first}" is not declared in the flow's variables`,
    };
  if (
    namespace === 'pilot' &&
    known.pilotVariables &&
    first !== 'name' &&
    !known.pilotVariables.has(first)
  )
    return {
      level: 'error',
      code: 'unknown_variable',
      message: `Pilot variable "${first}" does not exist`,
    };
  const fields = fixed[namespace];
  if (fields && !fields.includes(first))
    return {
      level: 'error',
      code: 'unknown_variable',
      message: `"${path}" is not a ${namespace} field (${fields.join(', ')})`,
    };
  if (namespace === 'visitor' && !(VISITOR_FIELDS as readonly string[]).includes(first))
    return {
      level: 'warning',
      code: 'unknown_visitor_field',
      message: `"${path}" is not a built-in visitor field; it is empty unless a custom attribute sets it`,
    };
  return null;
}
