#!/usr/bin/env node
// Where the hot path's CPU goes: runs the throughput plan of bench/lib/hot-path.mjs against
// edgepilot and the bare echo Durable Object (both on `wrangler dev`) and reports the CPU the
// workerd processes spent per visitor message (from /proc, so Linux only; counted from the
// first message, after the sessions and sockets are open, as the rate is), interleaved
// edgepilot/echo (and base) `--rounds` times, the order turning each round. With `--profile`,
// one more edgepilot round runs under the V8 sampling profiler (through wrangler's inspector
// port) and the functions and files with the most self time are printed; the .cpuprofile is
// written for DevTools (`--profile=tail`: only the work the round leaves behind, from its last
// answer for `--tail` ms).
// With `--base=<git revision>`, that revision's worker runs too (same dist/, its own state) and
// is measured in the same rounds: an A/B of the code on a shared, noisy machine.
// With `--tail=<ms>`, each round's CPU is read that long after its last answer, so the work a
// round leaves behind (the outbox's flush, the queue and its consumer) is counted per message too.
// Native CPU (SQLite, V8's runtime and compilers, the runtime's tail stream: what the V8 profile
// cannot see): with PERF_CTL_EDGEPILOT (PERF_CTL_ECHO, PERF_CTL_BASE_<REVISION>) naming the
// control FIFO of a `perf record -D -1 --control fifo:<path> -g -p <that side's workerd pids>`,
// perf samples only that side's message windows (PERF_TAIL=1: and each round's tail).
// With `--heap`, one more edgepilot round runs under V8's sampling heap profiler, garbage
// included, and the bytes allocated per visitor message are printed by function.
// Usage: npm run bench:profile -- [--concurrency=100] [--per-slot=1] [--rounds=2] [--base=main]
//        [--tail=0] [--profile[=tail]] [--heap] [--out=/tmp/hot-path.cpuprofile]   (needs `npm run build` first)
import { execSync } from 'node:child_process';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../scripts/dev-server.mjs';
import { startEchoServer } from './lib/echo-server.mjs';
import { benchThroughput, log, openers } from './lib/hot-path.mjs';
import { startProduct, startProductServer } from './lib/product-server.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=');
    return [k, v ?? 'true'];
  }),
);
const concurrency = Number(args.concurrency ?? 100);
const perSlot = Number(args['per-slot'] ?? 1);
const rounds = Number(args.rounds ?? 2);
const tail = Number(args.tail ?? 0);
const TICKS = 100; // clock ticks per second (USER_HZ)

/** Process ids of every descendant of `root` whose command is workerd. */
function workerdPids(root) {
  const parent = new Map();
  const name = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
      name.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      // gone meanwhile
    }
  }
  const isUnder = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 20; p = parent.get(p) ?? 0, hops++)
      if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter((pid) => name.get(pid) === 'workerd' && isUnder(pid));
}

/** CPU seconds (user + system) the workerd processes under `root` have used so far. */
function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks / TICKS;
}

async function measure(name, server, open) {
  const pids = workerdPids(server.child.pid);
  // From the first message on (sessions, sockets and hellos excluded): the rate's CPU.
  let before = 0;
  let clientBefore = process.cpuUsage();
  const ctl = process.env[`PERF_CTL_${name.replace(/\W/g, '_').toUpperCase()}`];
  const onStart = () => {
    if (ctl) writeFileSync(ctl, 'enable\n');
    before = cpuSeconds(pids);
    clientBefore = process.cpuUsage();
  };
  const row = await benchThroughput(open, concurrency, perSlot, { onStart });
  // With --tail, the work a round leaves behind (the outbox's flush a quiet second after the
  // last turn, the queue, its consumer) is counted too: it is CPU the messages cost.
  const inWindow = cpuSeconds(pids) - before;
  const perfStop = () => ctl && writeFileSync(ctl, 'disable\n');
  if (!process.env.PERF_TAIL) perfStop();
  if (tail > 0) await new Promise((r) => setTimeout(r, tail));
  if (process.env.PERF_TAIL) perfStop();
  const cpu = cpuSeconds(pids) - before;
  const windowPerMessage = Math.round((inWindow / row.messages) * 100_000) / 100;
  const client = process.cpuUsage(clientBefore);
  const perMessage = Math.round((cpu / row.messages) * 100_000) / 100;
  // The visitors' side (this process: sockets, frame parsing) shares the machine's cores with
  // workerd, so its CPU per message moves the throughput as well.
  const clientPerMessage =
    Math.round(((client.user + client.system) / 1000 / row.messages) * 100) / 100;
  log(
    `${name}: ${row.perSecond}/s, p50 ${row.latency.p50} ms, CPU ${perMessage} ms per message${tail > 0 ? ` (${windowPerMessage} until the last answer)` : ''} (${row.messages} messages, ${pids.length} workerd), visitors' side ${clientPerMessage} ms`,
  );
  return {
    perSecond: row.perSecond,
    cpuMsPerMessage: perMessage,
    windowCpuMsPerMessage: windowPerMessage,
    clientCpuMsPerMessage: clientPerMessage,
    p50: row.latency.p50,
  };
}

/** Minimal Chrome DevTools Protocol client over the inspector's WebSocket. */
async function inspector(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl) ?? targets[0];
  // wrangler's inspector proxy refuses a socket without an allowed Origin (Node's WebSocket
  // takes headers as an undici extension).
  const ws = new WebSocket(target.webSocketDebuggerUrl, {
    headers: { origin: 'http://localhost' },
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', () => reject(new Error('inspector socket failed to open')));
  });
  let id = 0;
  const waiting = new Map();
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data));
    if (message.id && waiting.has(message.id)) {
      waiting.get(message.id)(message);
      waiting.delete(message.id);
    }
  });
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const n = ++id;
      waiting.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  return { call, close: () => ws.close() };
}

/** Self time per function and per file, largest first. */
function summarize(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  const byFile = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const file = url.split('/').slice(-2).join('/') || '(native)';
    const key = `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const top = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
  return {
    totalMs: Math.round(total / 1000),
    functions: top(byFunction, 40),
    files: top(byFile, 25),
  };
}

/** Bytes allocated per message by function (and its caller), largest first. */
function allocations(profile, messages) {
  const bytes = new Map();
  let total = 0;
  const name = (frame) =>
    `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() || '(native)'}:${frame.lineNumber + 1}`;
  const walk = (node, caller) => {
    const here = name(node.callFrame);
    if (node.selfSize) {
      total += node.selfSize;
      const key = caller ? `${here} < ${caller}` : here;
      bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, here);
  };
  walk(profile.head, null);
  const functions = [...bytes.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 30)
    .map(([key, n]) => `${String(Math.round(n / messages)).padStart(6)}  ${key}`);
  return { total: Math.round(total / messages), functions };
}

/** The worker of another revision on `wrangler dev` (this tree's dist/ and node_modules). */
async function startRevision(revision) {
  const tree = mkdtempSync(join(tmpdir(), 'edgepilot-revision-'));
  execSync(
    `git archive ${revision} worker shared migrations wrangler.toml package.json | tar -x -C ${tree}`,
    {
      cwd: root,
    },
  );
  cpSync(join(root, 'dist'), join(tree, 'dist'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'), 'dir');
  const persistTo = mkdtempSync(join(tmpdir(), 'edgepilot-revision-state-'));
  const server = await startProductServer({ tree, persistTo });
  return {
    ...server,
    stop: async () => {
      await server.stop();
      rmSync(tree, { recursive: true, force: true });
      rmSync(persistTo, { recursive: true, force: true });
    },
  };
}

const product = await startProduct();
const echo = await startEchoServer();
const base = args.base ? await startRevision(args.base) : null;
try {
  const targets = {
    edgepilot: [product, openers.edgepilot(product.base)],
    ...(base ? { [`base ${args.base}`]: [base, openers.edgepilot(base.base)] } : {}),
    echo: [echo, openers.echo(echo.base)],
  };
  // Warm-up: code loading and the pilot's snapshot.
  for (const [, open] of Object.values(targets)) await benchThroughput(open, 2, 1);
  const results = [];
  const sides = Object.entries(targets);
  for (let r = 0; r < rounds; r++) {
    const row = {};
    // The order turns round by round: a side's leftover work (the outbox's flush a quiet second
    // after its last answer, the queue, its consumer) lands on whichever side runs next, so a
    // fixed order slowed the same side every round (the base, run right after edgepilot).
    for (let i = 0; i < sides.length; i++) {
      const [name, [server, open]] = sides[(r + i) % sides.length];
      row[name] = await measure(name, server, open);
    }
    row.ratio = Math.round((row.edgepilot.perSecond / row.echo.perSecond) * 100) / 100;
    results.push(row);
  }
  console.log(JSON.stringify({ concurrency, perSlot, results }, null, 2));
  const mean = (name, key) =>
    Math.round((results.reduce((a, r) => a + r[name][key], 0) / results.length) * 100) / 100;
  for (const name of Object.keys(targets))
    log(
      `mean of ${rounds}: ${name} ${mean(name, 'cpuMsPerMessage')} ms CPU per message (until the last answer ${mean(name, 'windowCpuMsPerMessage')}; visitors' side ${mean(name, 'clientCpuMsPerMessage')} ms), ${mean(name, 'perSecond')}/s`,
    );
  if (args.profile) {
    const session = await inspector(product.inspectorPort);
    await session.call('Profiler.enable');
    await session.call('Profiler.setSamplingInterval', { interval: 200 });
    // Sampled from the first message on: sessions, sockets and hellos are not the hot path.
    // `--profile=tail`: only what the round leaves behind, from its last answer for --tail ms.
    const tailOnly = args.profile === 'tail';
    if (tailOnly && tail <= 0) throw new Error('--profile=tail needs --tail=<ms>');
    const onStart = () => (tailOnly ? undefined : session.call('Profiler.start'));
    await benchThroughput(targets.edgepilot[1], concurrency, perSlot, { onStart });
    if (tailOnly) await session.call('Profiler.start');
    if (tail > 0) await new Promise((r) => setTimeout(r, tail));
    const { result } = await session.call('Profiler.stop');
    session.close();
    const out = args.out && args.out !== 'true' ? args.out : '/tmp/hot-path.cpuprofile';
    writeFileSync(out, JSON.stringify(result.profile));
    const summary = summarize(result.profile);
    console.log(`profile: ${summary.totalMs} ms sampled, written to ${out}`);
    console.log('-- self time by function --');
    console.log(summary.functions.join('\n'));
    console.log('-- self time by file --');
    console.log(summary.files.join('\n'));
  }
  if (args.heap) {
    // Every byte the hot path allocates, garbage included: the sampling heap profiler with the
    // objects minor and major GCs collected kept in its samples (what the GC's CPU follows).
    const session = await inspector(product.inspectorPort);
    await session.call('HeapProfiler.enable');
    const onStart = () =>
      session.call('HeapProfiler.startSampling', {
        samplingInterval: 1024,
        includeObjectsCollectedByMinorGC: true,
        includeObjectsCollectedByMajorGC: true,
      });
    const row = await benchThroughput(targets.edgepilot[1], concurrency, perSlot, { onStart });
    const { result } = await session.call('HeapProfiler.stopSampling');
    session.close();
    const { total, functions } = allocations(result.profile, row.messages);
    console.log(`allocated: ${total} bytes per visitor message (${row.messages} messages)`);
    console.log('-- bytes per message, by the function that allocated them (with its caller) --');
    console.log(functions.join('\n'));
  }
} finally {
  await product.stop();
  await echo.stop();
  await base?.stop();
}
