import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

describe('console import direction (STYLE.md)', () => {
  it('imports shared/ but never worker/ or widget/ source', () => {
    const offenders = sources(join(root, 'console')).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)]
        .map((m) => m[1]!)
        .filter((spec) => /(^|\/)(worker|widget)\//.test(spec))
        .map((spec) => `${relative(root, file)} imports ${spec}`);
    });
    expect(offenders).toEqual([]);
  });
});
