/**
 * Parsing a draft with the flow schema in time slices, so that opening a large flow is not one
 * long task: `flowSchema.safeParse` of a generated 1,000-step flow took about 190-250 ms in one
 * task at 4x CPU throttle (bench/profile-editor.mjs). The result is the schema's own: the
 * envelope is parsed with `flowSchema` less `nodes`, each step with the schema's step schema,
 * and the step count is held to the schema's bounds. `flowSchema` is a plain object schema
 * (no refinement across fields), so this is the same parse, done a slice at a time.
 */
import { type Flow, flowSchema, MAX_FLOW_NODES } from '../../../shared/flow/schema.ts';
import { yieldToMain } from '../../yield-to-main.ts';

/** Parse for at most this long before handing the main thread back. */
export const PARSE_SLICE_MS = 25;

const envelopeSchema = flowSchema.omit({ nodes: true });
const stepSchema = flowSchema.shape.nodes.element;

/**
 * `flowSchema`'s output for `raw`, or null when the schema refuses it. Parses steps until
 * `sliceMs` has passed, then awaits `pause` before the next slice.
 */
export async function parseFlowInSlices(
  raw: unknown,
  pause: () => Promise<void> = yieldToMain,
  sliceMs = PARSE_SLICE_MS,
  now: () => number = () => performance.now(),
): Promise<Flow | null> {
  if (typeof raw !== 'object' || raw === null) return null;
  const { nodes, ...rest } = raw as Record<string, unknown>;
  if (!Array.isArray(nodes) || nodes.length < 1 || nodes.length > MAX_FLOW_NODES) return null;
  const head = envelopeSchema.safeParse(rest);
  if (!head.success) return null;
  const steps: Flow['nodes'] = [];
  let sliceStart = now();
  for (const node of nodes) {
    if (now() - sliceStart >= sliceMs) {
      await pause();
      sliceStart = now();
    }
    const step = stepSchema.safeParse(node);
    if (!step.success) return null;
    steps.push(step.data);
  }
  return { ...head.data, nodes: steps };
}
