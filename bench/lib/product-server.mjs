// Runs edgepilot on `wrangler dev` from a frozen copy of the tree. `wrangler dev` rebuilds and
// restarts workerd whenever a watched source or dist/ file changes, which drops every
// WebSocket; a benchmark or fault run must not be disturbed by edits made while it runs, so
// it serves a snapshot (worker/, shared/, dist/, migrations/, wrangler.toml; node_modules linked).
// Same CLI, same flags, same seed as scripts/dev-server.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  devVarArgs,
  freePort,
  localAdminKey,
  measuredWranglerEnv,
  root,
  seed,
} from '../../scripts/dev-server.mjs';

const COPIED = ['wrangler.toml', 'package.json', 'worker', 'shared', 'dist', 'migrations'];

/** Copies what `wrangler dev` needs into a fresh directory; returns its path. */
export function snapshotTree() {
  if (!existsSync(join(root, 'dist/widget.js'))) throw new Error('run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'edgepilot-snapshot-'));
  for (const entry of COPIED) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  if (existsSync(join(root, '.dev.vars'))) cpSync(join(root, '.dev.vars'), join(dir, '.dev.vars'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

function wrangler(cwd) {
  return join(cwd, 'node_modules', '.bin', 'wrangler');
}

/**
 * Starts wrangler dev in `tree` (a snapshot) persisting under `persistTo`; resolves once it
 * answers and is seeded. `port` lets a restart come back on the same address.
 */
export async function startProductServer({ tree, persistTo, port, vars = {} }) {
  const migrated = spawnSync(
    wrangler(tree),
    ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo],
    { cwd: tree, env: { ...measuredWranglerEnv, CI: '1' }, encoding: 'utf8' },
  );
  if (migrated.status !== 0)
    throw new Error(`migrations failed\n${migrated.stdout}${migrated.stderr}`);
  const listenPort = port ?? (await freePort());
  const inspectorPort = await freePort();
  const args = ['dev', '--port', String(listenPort), '--ip', '127.0.0.1'];
  args.push('--show-interactive-dev-session=false', '--inspector-port', String(inspectorPort));
  args.push('--persist-to', persistTo);
  args.push(...devVarArgs(vars));
  const child = spawn(wrangler(tree), args, {
    cwd: tree,
    env: measuredWranglerEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const collect = (d) => {
    output += d;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const base = `http://127.0.0.1:${listenPort}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    // A broken bundle (a file caught mid-edit) makes wrangler hold requests forever.
    if (/Build failed|\[ERROR\]/.test(output)) break;
    try {
      const response = await fetch(`${base}/v1/widget/pk_demo/config`, {
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      const adminKey = localAdminKey();
      return {
        base,
        port: listenPort,
        inspectorPort,
        adminKey,
        seeded: await seed(base, adminKey),
        child,
        stop,
      };
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  await stop();
  throw new Error(`wrangler dev did not start on ${base}\n${output}`);
}

/** A snapshot plus a server on it; `stop()` also removes the snapshot and the state. */
export async function startProduct({ vars } = {}) {
  const tree = snapshotTree();
  const persistTo = mkdtempSync(join(tmpdir(), 'edgepilot-bench-state-'));
  const server = await startProductServer({ tree, persistTo, vars });
  return {
    ...server,
    tree,
    persistTo,
    stop: async () => {
      await server.stop();
      rmSync(tree, { recursive: true, force: true });
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}
