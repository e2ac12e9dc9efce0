import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { fileNameFor } from '../../cli/flow-files.mjs';
import {
  duplicateDraft,
  flowFileName,
  flowFileText,
  MAX_FLOW_FILE_BYTES,
  newFlowDraft,
} from '../../console/flows/flow-file.ts';
import { parseFlowFile } from '../../console/flows/flow-file-parse.ts';
import { flowSchema } from '../../shared/flow/schema.ts';
import { validateFlow } from '../../shared/flow/validate.ts';

const example = JSON.parse(
  readFileSync(new URL('../../examples/flows/lead-capture-pricing.json', import.meta.url), 'utf8'),
);

describe('console flow files (the CLI format)', () => {
  it('exports the bytes `edgepilot pull` writes: id first, 2-space JSON, final newline', () => {
    const draft = { schemaVersion: 1, name: 'Pricing helper' };
    const text = flowFileText('flow_1', draft);
    expect(text).toBe(`${JSON.stringify({ id: 'flow_1', ...draft }, null, 2)}\n`);
    expect(Object.keys(JSON.parse(text))[0]).toBe('id');
  });

  it('names files like the CLI does', () => {
    for (const name of ['Welcome & pricing!', '  ', 'Ça va? Déjà vu', 'x'.repeat(100)]) {
      expect(flowFileName(name)).toBe(fileNameFor(name, new Set()));
    }
  });

  it('imports an exported file back to the same flow, id set aside', () => {
    const flow = flowSchema.parse(example);
    const parsed = parseFlowFile(flowFileText('flow_9', flow));
    expect(parsed).toEqual({ ok: true, id: 'flow_9', flow });
  });

  it('refuses what is not a flow, naming each invalid field', () => {
    expect(parseFlowFile('{ nope')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Not JSON/),
    });
    expect(parseFlowFile('[]')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/one flow per file/),
    });
    expect(parseFlowFile('{"id": 3}')).toMatchObject({
      ok: false,
      error: '"id" must be the string id of a flow',
    });
    const broken = { ...example, nodes: [{ id: 'a', type: 'wait', seconds: 5 }], priority: -1 };
    const result = parseFlowFile(JSON.stringify(broken));
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const paths = result.issues.map((i) => i.path);
      expect(paths).toContain('priority');
      expect(paths.some((p) => p.startsWith('nodes.0'))).toBe(true);
    }
  });

  it('refuses a file over 1 MB before parsing it', () => {
    const huge = `{"name":"${'x'.repeat(MAX_FLOW_FILE_BYTES)}"}`;
    expect(parseFlowFile(huge)).toEqual({ ok: false, error: 'The file is over 1 MB', issues: [] });
  });

  it('creates a new flow that is valid and publishable, and copies without the original name', () => {
    const draft = newFlowDraft({ name: ' Onboarding ', pilotId: 'pilot_a', description: ' ' });
    expect(flowSchema.parse(draft)).toEqual(draft);
    expect(draft).not.toHaveProperty('description');
    expect(draft.name).toBe('Onboarding');
    expect(validateFlow(draft).errors).toEqual([]);
    expect(duplicateDraft({ name: 'A', nodes: [] }, 'A')).toEqual({ name: 'A (copy)', nodes: [] });
  });
});
