// Starts the bare echo Durable Object (bench/echo-worker) on `wrangler dev`, the same workerd
// the product runs on, with a random port and a throwaway state directory.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, measuredWranglerEnv, root } from '../../scripts/dev-server.mjs';

const wrangler = join(root, 'node_modules', '.bin', 'wrangler');

/** Resolves with `{ base, child, stop }` once the echo worker answers `/health`. */
export async function startEchoServer() {
  const port = await freePort();
  const inspectorPort = await freePort();
  const persistTo = mkdtempSync(join(tmpdir(), 'edgepilot-bench-echo-'));
  const args = [
    'dev',
    '--config',
    join(root, 'bench/echo-worker/wrangler.toml'),
    '--port',
    String(port),
    '--ip',
    '127.0.0.1',
    '--show-interactive-dev-session=false',
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    persistTo,
  ];
  const child = spawn(wrangler, args, {
    cwd: root,
    env: measuredWranglerEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      const done = () => {
        rmSync(persistTo, { recursive: true, force: true });
        resolve();
      };
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${base}/health`);
      if (response.ok) return { base, inspectorPort, child, stop, output: () => output };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`echo worker did not start on ${base}\n${output}`);
}
