// Memory per live conversation: resident memory of the workerd processes under a wrangler dev
// before and after opening N conversations that each had one turn (objects alive, sockets
// open), divided by N. Linux /proc only. edgepilot and the echo baseline are measured the same
// way: each on a fresh `wrangler dev` of its own that served nothing before (see benchMemory).
import { readdirSync, readFileSync } from 'node:fs';
import { startEchoServer } from './echo-server.mjs';
import { log, openers, openMany } from './hot-path.mjs';
import { startProduct } from './product-server.mjs';

function processTable() {
  const table = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      table.push({ pid: Number(entry), ppid, name });
    } catch {
      // the process ended while we looked
    }
  }
  return table;
}

/** Resident kB of every `workerd` process descending from `rootPid`. */
export function workerdRssKb(rootPid) {
  const table = processTable();
  const tree = new Set([rootPid]);
  for (let grown = true; grown; ) {
    grown = false;
    for (const p of table) {
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grown = true;
      }
    }
  }
  let kb = 0;
  for (const p of table) {
    if (!tree.has(p.pid) || !p.name.startsWith('workerd')) continue;
    try {
      const match = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'));
      kb += match ? Number(match[1]) : 0;
    } catch {
      // ended
    }
  }
  return kb;
}

/** kB per live conversation over `count` conversations opened on `pid`'s workerd. */
export async function memoryPerConversation(name, pid, open, count = 200) {
  log(`memory: ${count} live ${name} conversations`);
  const warm = await openMany(5, open);
  await Promise.all(warm.map((tab) => tab.ask('warm')));
  const before = workerdRssKb(pid);
  const tabs = await openMany(count, open);
  await Promise.all(tabs.map((tab) => tab.ask('hello')));
  await new Promise((r) => setTimeout(r, 500));
  const after = workerdRssKb(pid);
  for (const tab of [...warm, ...tabs]) tab.close();
  return {
    conversations: count,
    beforeKb: before,
    afterKb: after,
    perConversationKb: Math.round(((after - before) / count) * 10) / 10,
  };
}

/**
 * Both sides under the same conditions: a fresh process each (a workerd that just served the
 * 1,000 x 10 load holds its caches and heap growth, a fresh one does not), started one after
 * the other so neither measurement shares the machine with the other server, the same warm-up
 * and the same number of conversations.
 */
export async function benchMemory({ count = 200 } = {}) {
  const result = { method: 'fresh wrangler dev per side, measured one after the other', count };
  const product = await startProduct();
  try {
    result.edgepilot = await memoryPerConversation(
      'edgepilot',
      product.child.pid,
      openers.edgepilot(product.base),
      count,
    );
  } finally {
    await product.stop();
  }
  const echo = await startEchoServer();
  try {
    result.echo = await memoryPerConversation(
      'echo',
      echo.child.pid,
      openers.echo(echo.base),
      count,
    );
  } finally {
    await echo.stop();
  }
  return result;
}
