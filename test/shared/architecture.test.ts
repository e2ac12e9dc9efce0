/**
 * The import rules (.dependency-cruiser.cjs): `npm run deps` (in `npm run check`) holds the
 * tree to them — no import cycle, no arrow against the layers (shared/expr <- shared/flow <-
 * shared/engine <- worker/widget/console; worker/store at the bottom, worker/routes at the top).
 * Here: every rule really fires on a tree that breaks it, the only tolerated violations are in
 * worker/conversation/, and the admin routes reach D1 only through worker/store.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const depcruise = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');
const AREAS = ['shared', 'worker', 'widget', 'console'];

interface Violation {
  rule: { name: string; severity: string };
  from: string;
  to: string;
}

/** Runs the CLI as `npm run deps` does (without the known violations), in `cwd`: its errors. */
async function cruise(cwd: string): Promise<Violation[]> {
  const args = [depcruise, ...AREAS, '--config', join(cwd, '.dependency-cruiser.cjs')];
  const { stdout } = await run(process.execPath, [...args, '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return result.summary.violations.filter((v) => v.rule.severity === 'error');
}

describe('import rules', () => {
  it('tolerates no known violation (the conversation refactor removed the last cycle)', async () => {
    const known = JSON.parse(
      await readFile(join(root, '.dependency-cruiser-known-violations.json'), 'utf8'),
    ) as unknown[];
    expect(known).toEqual([]);
  });

  it('every rule fires on a tree that breaks it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgepilot-deps-'));
    try {
      await copyFile(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
      await copyFile(join(root, 'tsconfig.base.json'), join(dir, 'tsconfig.base.json'));
      const files: Record<string, string> = {
        // A cycle, type-only on one side (as validate.ts <-> validate-structure.ts was).
        'shared/flow/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
        'shared/flow/b.ts': "import type { X } from './c.ts';\nexport const b: X = 1;\n",
        'shared/flow/c.ts': "import { a } from './a.ts';\nexport type X = typeof a;\n",
        // Upward arrows.
        'shared/expr/low.ts': "import { e } from '../engine/e.ts';\nexport const low = e;\n",
        'shared/flow/up.ts': "import { e } from '../engine/e.ts';\nexport const up = e;\n",
        'shared/engine/e.ts': 'export const e = 1;\n',
        'shared/leak.ts': "import { env } from '../worker/env.ts';\nexport const leak = env;\n",
        'worker/env.ts': 'export const env = 1;\n',
        'worker/http/pagination.ts': 'export const page = 1;\n',
        'worker/store/rows.ts':
          "import { page } from '../http/pagination.ts';\nexport const r = page;\n",
        'worker/routes/admin/hook.ts': 'export const hook = 1;\n',
        'worker/seed/seed.ts':
          "import { hook } from '../routes/admin/hook.ts';\nexport const s = hook;\n",
        'widget/w.ts': "import { k } from '../console/k.ts';\nexport const w = k;\n",
        'console/k.ts': 'export const k = 1;\n',
        'console/lost.ts': "import { gone } from './gone.ts';\nexport const lost = gone;\n",
      };
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(dir, path)), { recursive: true });
        await writeFile(join(dir, path), text);
      }
      const found = await cruise(dir);
      const pairs = found.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`);
      expect(pairs).toEqual(
        expect.arrayContaining([
          'no-circular: shared/flow/a.ts -> shared/flow/b.ts',
          'expr-is-the-base: shared/expr/low.ts -> shared/engine/e.ts',
          'flow-below-engine: shared/flow/up.ts -> shared/engine/e.ts',
          'shared-stays-shared: shared/leak.ts -> worker/env.ts',
          'store-at-the-bottom: worker/store/rows.ts -> worker/http/pagination.ts',
          'routes-at-the-top: worker/seed/seed.ts -> worker/routes/admin/hook.ts',
          'apps-apart: widget/w.ts -> console/k.ts',
          'local-imports-resolve: console/lost.ts -> ./gone.ts',
        ]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('the admin API runs no SQL of its own: every D1 query is a worker/store function', async () => {
    const routes = join(root, 'worker/routes');
    const entries = await readdir(routes, { recursive: true });
    const offenders: string[] = [];
    for (const entry of entries.filter((name) => name.endsWith('.ts'))) {
      const text = await readFile(join(routes, entry), 'utf8');
      if (/\.DB\b|\.prepare\(|\.batch\(/.test(text)) offenders.push(entry);
    }
    expect(entries.length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });

  it('a conversation writes to and closes its sockets only through socket-out.ts (a close never drops a waiting batch)', async () => {
    const dir = join(root, 'worker/conversation');
    const offenders: string[] = [];
    for (const entry of await readdir(dir)) {
      if (!entry.endsWith('.ts') || entry === 'socket-out.ts') continue;
      const text = await readFile(join(dir, entry), 'utf8');
      for (const [i, line] of text.split('\n').entries())
        if (/\b(ws|socket|pair\[1\])\.(send|close)\(/.test(line))
          offenders.push(`${entry}:${i + 1}`);
    }
    expect(offenders).toEqual([]);
  });
});
