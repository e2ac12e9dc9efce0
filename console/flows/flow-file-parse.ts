/**
 * Reading a flow file (cli/flow-files.mjs format) with the flow format's own schema. Kept apart
 * from flow-file.ts because zod is heavy: the import dialog loads this on demand.
 */
import { type Flow, flowSchema } from '../../shared/flow/schema.ts';
import { MAX_FLOW_FILE_BYTES } from './flow-file.ts';

export type ParsedFlowFile =
  | { ok: true; id: string | undefined; flow: Flow }
  | { ok: false; error: string; issues: { path: string; message: string }[] };

/**
 * Parses a flow file: JSON, one object, `id` (optional) and `$schema` set aside, the rest
 * checked against the flow format's schema, naming every invalid field.
 */
export function parseFlowFile(text: string): ParsedFlowFile {
  if (text.length > MAX_FLOW_FILE_BYTES) {
    return { ok: false, error: 'The file is over 1 MB', issues: [] };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `Not JSON: ${(error as Error).message}`, issues: [] };
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, error: 'Expected a JSON object (one flow per file)', issues: [] };
  }
  const { id, $schema: _schema, ...definition } = raw as Record<string, unknown>;
  if (id !== undefined && typeof id !== 'string') {
    return { ok: false, error: '"id" must be the string id of a flow', issues: [] };
  }
  const parsed = flowSchema.safeParse(definition);
  if (!parsed.success) {
    return {
      ok: false,
      error: 'The file is not a valid flow',
      issues: parsed.error.issues.map((i) => ({
        path: i.path.join('.') || '(root)',
        message: i.message,
      })),
    };
  }
  return { ok: true, id, flow: parsed.data };
}
