// Hot path on local workerd: visitor message -> first reply frame, and throughput with 1, 10
// and 100 concurrent conversations, for edgepilot (real widget protocol against the seeded
// demo pilot: each message gets the pilot's answer after one committed turn) and the bare
// echo Durable Object (one INSERT, echo), interleaved in the same run.
import { randomUUID } from 'node:crypto';
import { EchoTab, startSession, WidgetTab } from './widget-client.mjs';

export const PILOT_KEY = 'pk_demo';

export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)] * 100) / 100;
}

export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

/** Opens `count` conversations, at most `parallel` handshakes at a time. */
export async function openMany(count, open, parallel = 25) {
  const tabs = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      tabs[i] = await open(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return tabs;
}

export const openers = {
  edgepilot: (base) => async () =>
    WidgetTab.open(base, await startSession(base, PILOT_KEY, { origin: 'http://localhost' })),
  echo: (base) => async () => EchoTab.open(base, `c_${randomUUID()}`),
};

/**
 * Messages one visitor sends in a row. The conversation object allows a burst of 20 frames
 * (then 5/s, worker/conversation/socket-budget.ts); staying under it measures the turn, not
 * the limiter. Both sides use the same conversation pattern.
 */
export const MESSAGES_PER_CONVERSATION = 15;

/** Sequential request/response on one conversation; returns latencies in ms. */
async function sequential(tab, count, label) {
  const samples = [];
  for (let i = 0; i < count; i++) samples.push((await tab.ask(`${label} ${i}`)).ms);
  return samples;
}

/**
 * The latency plan, reported as measured: per side, `warmupConversations` x `warmupMessages`
 * discarded messages, then `blocks` blocks of `perBlock` messages (whole conversations of
 * MESSAGES_PER_CONVERSATION), the sides alternating block by block.
 */
export const LATENCY_PLAN = { blocks: 4, perBlock: 105, warmupConversations: 2, warmupMessages: 5 };

/**
 * Latency: one message in flight at a time, conversations used in turn (15 messages each),
 * alternating blocks between the targets so drift hits both sides alike.
 */
export async function benchLatency(targets, plan = LATENCY_PLAN) {
  const { blocks, perBlock, warmupConversations, warmupMessages } = plan;
  const perSide = (blocks * perBlock) / MESSAGES_PER_CONVERSATION;
  const pools = {};
  for (const [name, open] of Object.entries(targets)) {
    pools[name] = await openMany(perSide + warmupConversations, open);
    // Warm-up: the first conversations pay for code and snapshot loading.
    for (const tab of pools[name].splice(0, warmupConversations))
      await sequential(tab, warmupMessages, 'warmup');
  }
  const samples = Object.fromEntries(Object.keys(targets).map((n) => [n, []]));
  const perBlockConversations = perBlock / MESSAGES_PER_CONVERSATION;
  for (let b = 0; b < blocks; b++) {
    for (const name of Object.keys(targets)) {
      const batch = pools[name].slice(b * perBlockConversations, (b + 1) * perBlockConversations);
      for (const tab of batch) {
        samples[name].push(...(await sequential(tab, MESSAGES_PER_CONVERSATION, `block ${b}`)));
      }
    }
  }
  for (const tabs of Object.values(pools)) for (const tab of tabs) tab.close();
  return Object.fromEntries(Object.entries(samples).map(([n, s]) => [n, summarize(s)]));
}

/**
 * Throughput: `concurrency` visitors at once; each works through `perSlot` conversations of
 * 15 messages, waiting for every answer before sending the next. Answers per second overall.
 */
export async function benchThroughput(open, concurrency, perSlot, { onStart } = {}) {
  const slots = [];
  for (let s = 0; s < concurrency; s++) slots.push([]);
  const all = await openMany(concurrency * perSlot, open);
  for (const [i, tab] of all.entries()) slots[i % concurrency].push(tab);
  const latencies = [];
  // The conversations are open: what follows is the messages alone (what the rate counts).
  await onStart?.();
  const started = performance.now();
  await Promise.all(
    slots.map(async (tabs, s) => {
      for (const [c, tab] of tabs.entries()) {
        for (let m = 0; m < MESSAGES_PER_CONVERSATION; m++) {
          latencies.push((await tab.ask(`s${s} c${c} m${m}`)).ms);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const tab of all) tab.close();
  const messages = latencies.length;
  return {
    concurrency,
    messages,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(messages / seconds),
    latency: summarize(latencies),
    latencies,
  };
}

/** Conversations per concurrent visitor, so every row does a few hundred or more turns. */
export const THROUGHPUT_PLAN = [
  { concurrency: 1, perSlot: 20 },
  { concurrency: 10, perSlot: 4 },
  { concurrency: 100, perSlot: 1 },
];

/**
 * Rounds per throughput row. One round of 100 conversations is under a second of messages, and
 * single seconds on a shared 2-core machine swing by a third (a burst of other work, a GC): the
 * row's ratio is the median of the rounds' paired ratios, each pair run back to back, the side
 * that goes first alternating round by round. Nine, not five: with five, the median of the
 * 100-conversation row moved by ±0.1x between runs of the same code (rounds from 0.62x to
 * 1.22x); more rounds narrow the median's spread, they do not move its centre.
 */
export const THROUGHPUT_ROUNDS = 9;

/** A side's rounds as one row: median rate, every message's latency pooled. */
function pooled(runs) {
  const rates = runs.map((r) => r.perSecond).sort((a, b) => a - b);
  return {
    concurrency: runs[0].concurrency,
    messages: runs.reduce((sum, r) => sum + r.messages, 0),
    seconds: Math.round(runs.reduce((sum, r) => sum + r.seconds, 0) * 100) / 100,
    perSecond: rates[Math.floor(rates.length / 2)],
    rounds: runs.map((r) => r.perSecond),
    latency: summarize(runs.flatMap((r) => r.latencies)),
  };
}

export async function benchHotPath(productBase, echoBase, { rounds = THROUGHPUT_ROUNDS } = {}) {
  const targets = { edgepilot: openers.edgepilot(productBase), echo: openers.echo(echoBase) };
  log('hot path: latency, one conversation each');
  const latency = await benchLatency(targets);
  const throughput = [];
  for (const { concurrency, perSlot } of THROUGHPUT_PLAN) {
    const runs = { edgepilot: [], echo: [] };
    const ratios = [];
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['edgepilot', 'echo'] : ['echo', 'edgepilot'];
      for (const name of order) {
        log(
          `hot path: throughput ${name}, ${concurrency} at once x ${perSlot}, round ${round + 1}`,
        );
        runs[name].push(await benchThroughput(targets[name], concurrency, perSlot));
      }
      ratios.push(runs.edgepilot[round].perSecond / runs.echo[round].perSecond);
    }
    ratios.sort((a, b) => a - b);
    throughput.push({
      concurrency,
      edgepilot: pooled(runs.edgepilot),
      echo: pooled(runs.echo),
      ratio: Math.round(ratios[Math.floor(ratios.length / 2)] * 100) / 100,
      roundRatios: ratios.map((r) => Math.round(r * 100) / 100),
    });
  }
  return {
    latencyPlan: { ...LATENCY_PLAN, messagesPerConversation: MESSAGES_PER_CONVERSATION },
    latency,
    latencyRatio: {
      p50: ratio(latency.edgepilot.p50, latency.echo.p50),
      p95: ratio(latency.edgepilot.p95, latency.echo.p95),
      p99: ratio(latency.edgepilot.p99, latency.echo.p99),
    },
    throughputRounds: rounds,
    throughput,
  };
}

export function log(line) {
  process.stderr.write(`[bench] ${line}\n`);
}

function ratio(a, b) {
  return Math.round((a / b) * 100) / 100;
}
