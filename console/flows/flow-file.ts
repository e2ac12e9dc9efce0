/**
 * The flow file format the CLI pulls and pushes (cli/flow-files.mjs): one flow per JSON file,
 * the flow format (SPEC 3.5) plus the `id` of the flow it came from, 2-space JSON and a final
 * newline. Export writes exactly what `edgepilot pull` writes; import reads what it reads.
 */
import type { Flow } from '../../shared/flow/schema.ts';

/** The text of a flow file for `flowId` with `draft`: the same bytes `edgepilot pull` writes. */
export function flowFileText(flowId: string, draft: Record<string, unknown>): string {
  return `${JSON.stringify({ id: flowId, ...draft }, null, 2)}\n`;
}

/** `Welcome & pricing!` → `welcome-pricing.json` (the CLI's file names). */
export function flowFileName(name: string): string {
  const slug =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'flow';
  return `${slug}.json`;
}

/** Files bigger than the API accepts (1 MB) are refused before reading them. */
export const MAX_FLOW_FILE_BYTES = 1024 * 1024;

/** A new flow's draft, as the seed's "New flow" dialog makes it: a greeting, then the end. */
export function newFlowDraft(input: { name: string; pilotId: string; description: string }): Flow {
  return {
    schemaVersion: 1,
    name: input.name.trim(),
    ...(input.description.trim() ? { description: input.description.trim() } : {}),
    pilotId: input.pilotId,
    priority: 100,
    trigger: { type: 'page_visited', urls: [] },
    variables: [],
    start: 'welcome',
    nodes: [
      { id: 'welcome', type: 'send_message', text: 'Hi! How can we help?', next: 'end' },
      { id: 'end', type: 'end' },
    ],
  };
}

/** The draft of a copy: same flow, "(copy)" name, never the original's id. */
export function duplicateDraft(
  draft: Record<string, unknown>,
  name: string,
): Record<string, unknown> {
  return { ...draft, name: `${name} (copy)`.slice(0, 200) };
}
