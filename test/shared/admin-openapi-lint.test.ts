/**
 * The admin API's OpenAPI document, generated in Node from the same Hono app the Worker serves,
 * linted by Redocly's CLI (`redocly.yaml`: the recommended rules, a missing operationId is an
 * error). Clients are generated from this document (openapi-typescript for the admin console;
 * schemathesis-style fuzzers), so every `$ref` must resolve and every operation needs an id.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { adminApp } from '../../worker/routes/admin/index.ts';

const run = promisify(execFile);
const cli = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

interface Doc {
  servers: { url: string }[];
  paths: Record<string, Record<string, { operationId?: string }>>;
}

async function openapi(): Promise<Doc> {
  // The document route is public and served before auth, so no bindings are needed.
  const response = await adminApp.request('https://evil.example/openapi.json', {
    headers: { host: 'evil.example' },
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Doc;
}

interface LintResult {
  totals: { errors: number; warnings: number };
  problems: {
    ruleId: string;
    severity: string;
    message: string;
    location: { pointer: string }[];
  }[];
}

async function lint(doc: Doc): Promise<LintResult> {
  const dir = await mkdtemp(join(tmpdir(), 'edgepilot-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    // Exit code 1 means problems were found; the JSON report on stdout says which.
    const result = await run(
      process.execPath,
      [cli, 'lint', file, '--config', 'redocly.yaml', '--format', 'json'],
      {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        maxBuffer: 32 * 1024 * 1024,
      },
    ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    return JSON.parse(result.stdout) as LintResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('the admin OpenAPI document under redocly lint', () => {
  it('has no errors: every $ref resolves and every operation has an operationId', async () => {
    const report = await lint(await openapi());
    const errors = report.problems
      .filter((p) => p.severity === 'error')
      .map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 60_000);

  it('names every operation with a unique camelCase operationId', async () => {
    const doc = await openapi();
    const ids = Object.values(doc.paths).flatMap((ops) =>
      Object.values(ops).map((op) => op.operationId),
    );
    expect(ids.length).toBeGreaterThan(70);
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z]+$/);
    expect(new Set(ids).size).toBe(ids.length);
    expect(doc.paths['/flows']).toMatchObject({
      get: { operationId: 'listFlows' },
      post: { operationId: 'createFlow' },
    });
    expect(doc.paths['/flows/{flowId}/publish']?.post?.operationId).toBe('publishFlow');
  });

  it('names its server relatively, never from the Host header of the request', async () => {
    const doc = await openapi();
    expect(doc.servers).toEqual([{ url: '/v1/admin' }]);
    expect(JSON.stringify(doc)).not.toContain('evil.example');
  });
});
