import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { generateConsoleApi, hoistFlowDefs, schemaFile } from '../../scripts/console-api.mjs';

describe('console API types', () => {
  it('console/api/schema.d.ts matches the admin API routes (run `npm run console:api` when this fails)', async () => {
    const committed = readFileSync(schemaFile, 'utf8');
    const fresh: string = await generateConsoleApi();
    expect(committed === fresh, 'console/api/schema.d.ts is stale: run `npm run console:api`').toBe(
      true,
    );
  });

  it("points the Flow schema's own $defs refs at hoisted components an OpenAPI tool resolves", () => {
    const doc = {
      components: {
        schemas: {
          Flow: {
            type: 'object',
            properties: { when: { $ref: '#/$defs/__schema0' } },
            $defs: { __schema0: { anyOf: [{ $ref: '#/$defs/__schema0' }, { type: 'string' }] } },
          },
        },
      },
    };
    const hoisted = hoistFlowDefs(doc);
    expect(hoisted.components.schemas.Flow).toEqual({
      type: 'object',
      properties: { when: { $ref: '#/components/schemas/Flow___schema0' } },
    });
    expect(hoisted.components.schemas.Flow___schema0).toEqual({
      anyOf: [{ $ref: '#/components/schemas/Flow___schema0' }, { type: 'string' }],
    });
  });
});
