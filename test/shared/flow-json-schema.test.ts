import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validator } from '@cfworker/json-schema';
import { describe, expect, it } from 'vitest';
import { flowJsonSchema } from '../../shared/flow/json-schema.ts';

const dir = join(import.meta.dirname, '../../examples/flows');
const examples = readdirSync(dir).filter((file) => file.endsWith('.json'));
const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));

/** What an editor does with the served schema: a standard draft 2020-12 validator. */
const validator = () => new Validator(flowJsonSchema() as never, '2020-12', false);

describe('the flow JSON Schema in a standard validator', () => {
  it.each(examples)('accepts the example %s', (file) => {
    const result = validator().validate(read(file));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('rejects a misspelt port, an unknown node type and a wrong value type', () => {
    const flow = read('lead-capture-pricing.json');
    const misspelt = structuredClone(flow);
    misspelt.nodes[0].nxt = misspelt.nodes[0].next;
    expect(validator().validate(misspelt).valid).toBe(false);
    const unknownType = structuredClone(flow);
    unknownType.nodes[0].type = 'teleport';
    expect(validator().validate(unknownType).valid).toBe(false);
    const wrongType = structuredClone(flow);
    wrongType.priority = 'high';
    expect(validator().validate(wrongType).valid).toBe(false);
  });

  it('accepts a flow that omits fields with defaults, like the zod schema', () => {
    const minimal = {
      schemaVersion: 1,
      name: 'Minimal',
      pilotId: 'p1',
      trigger: { type: 'new_conversation' },
      start: 'hi',
      nodes: [{ id: 'hi', type: 'send_message', text: 'Hi!' }],
    };
    expect(validator().validate(minimal).valid).toBe(true);
  });
});
