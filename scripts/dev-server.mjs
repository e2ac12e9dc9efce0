// Starts `wrangler dev` for the demo, the browser tests and the benchmarks: applies the local
// D1 migrations, waits until the Worker answers, seeds the demo workspace (idempotent).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const wrangler = join(root, 'node_modules', '.bin', 'wrangler');

/** Environment for every wrangler call: no telemetry, no update checks (no internet here). */
export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  CLOUDFLARE_API_TOKEN: process.env.CLOUDFLARE_API_TOKEN ?? '',
  NO_UPDATE_NOTIFIER: '1',
  FORCE_COLOR: '0',
};

/**
 * For the servers the benchmarks and fault runs start (bench/lib/product-server.mjs,
 * bench/lib/echo-server.mjs): without wrangler's local observability collector. `wrangler dev`
 * attaches it to every Worker as a streaming tail (one event per storage call, fetch and log),
 * dev-only machinery a deployed Worker does not run; it cost more CPU per visitor message than
 * our whole turn (README, "Benchmarks": 0.68 against 0.40 ms) and charged each side by its
 * storage calls, not its work. `X_LOCAL_OBSERVABILITY=true` puts it back to compare.
 */
export const measuredWranglerEnv = {
  ...wranglerEnv,
  X_LOCAL_OBSERVABILITY: process.env.X_LOCAL_OBSERVABILITY ?? 'false',
};

/**
 * `--var` arguments for a local `wrangler dev`: development mode (dev admin key, seed route,
 * loopback webhooks) is asked for here, never by wrangler.toml, which is production as
 * committed so that a plain deploy cannot run with the public development secrets.
 */
export function devVarArgs(vars = {}) {
  return Object.entries({ ENVIRONMENT: 'development', ...vars }).flatMap(([key, value]) => [
    '--var',
    `${key}:${value}`,
  ]);
}

/** The admin key for local runs: ADMIN_API_KEY from .dev.vars, else `dev-admin-key`. */
export function localAdminKey() {
  const file = join(root, '.dev.vars');
  if (existsSync(file)) {
    const match = /^ADMIN_API_KEY\s*=\s*"?([^"\n]+)"?/m.exec(readFileSync(file, 'utf8'));
    if (match) return match[1].trim();
  }
  return 'dev-admin-key';
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function applyMigrations(persistTo) {
  const args = ['d1', 'migrations', 'apply', 'DB', '--local'];
  if (persistTo) args.push('--persist-to', persistTo);
  const result = spawnSync(wrangler, args, {
    cwd: root,
    env: { ...wranglerEnv, CI: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`D1 migrations failed:\n${result.stdout}\n${result.stderr}`);
}

async function waitForWorker(base, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${base}/v1/widget/pk_demo/config`);
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`wrangler dev did not answer on ${base} within ${timeoutMs} ms`);
}

/**
 * Calls the development seed route; idempotent. `siteOrigin` is where the demo page will be
 * opened (its articles cite pages there); by default the origin of `base`.
 */
export async function seed(base, adminKey, siteOrigin = base) {
  const query = new URLSearchParams({ siteOrigin: new URL(siteOrigin).origin });
  const response = await fetch(`${base}/v1/admin/dev/seed?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}` },
  });
  if (!response.ok) throw new Error(`seed failed: ${response.status} ${await response.text()}`);
  return response.json();
}

/**
 * Starts wrangler dev on `port` (persisting under `persistTo`, default .wrangler/state) and
 * resolves once it is seeded. `stop()` ends it.
 */
/**
 * A copy of wrangler.toml (next to it, so its relative paths hold) whose `[[ratelimits]]`
 * named in `limits` allow that many requests per period instead. For test runs only: the
 * browser suite drives ~25 files' consoles and API calls through one dev key, far over the 600
 * per minute a real key gets. The committed wrangler.toml is never changed.
 */
function configWithLimits(limits) {
  let text = readFileSync(join(root, 'wrangler.toml'), 'utf8');
  for (const [name, limit] of Object.entries(limits)) {
    const pattern = new RegExp(`(name = "${name}"[^\\[]*?simple = \\{ limit = )\\d+`);
    if (!pattern.test(text)) throw new Error(`wrangler.toml has no rate limit named ${name}`);
    text = text.replace(pattern, `$1${limit}`);
  }
  const file = join(root, 'wrangler.test-limits.toml');
  writeFileSync(file, text);
  return file;
}

export async function startDevServer({
  port,
  persistTo,
  quiet = true,
  vars = {},
  limits = null,
  siteHost = '127.0.0.1',
} = {}) {
  const listenPort = port ?? (await freePort());
  applyMigrations(persistTo);
  const args = [
    'dev',
    '--port',
    String(listenPort),
    '--ip',
    '127.0.0.1',
    '--show-interactive-dev-session=false',
    '--inspector-port',
    String(await freePort()),
  ];
  if (persistTo) args.push('--persist-to', persistTo);
  if (limits) args.push('--config', configWithLimits(limits));
  args.push(...devVarArgs(vars));
  const child = spawn(wrangler, args, {
    cwd: root,
    env: wranglerEnv,
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    detached: process.platform !== 'win32',
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const base = `http://127.0.0.1:${listenPort}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    });
  try {
    await waitForWorker(base, child, 60_000);
    const adminKey = localAdminKey();
    const seeded = await seed(base, adminKey, `http://${siteHost}:${listenPort}`);
    return { base, port: listenPort, adminKey, seeded, child, stop, output: () => output };
  } catch (error) {
    await stop();
    throw new Error(`${error.message}\n--- wrangler output ---\n${output}`);
  }
}
