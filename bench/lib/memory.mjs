// Memory per live conversation: resident memory of the workerd processes under a wrangler dev
// before and after opening N conversations that each had one turn (objects alive, sockets
// open), divided by N. Linux /proc only; the same measurement for the echo baseline.
import { readdirSync, readFileSync } from 'node:fs';
import { log, openMany } from './hot-path.mjs';

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
